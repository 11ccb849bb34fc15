"""One set of numbers: every report of one generated world, read back, agrees on every figure it shares.

The reports are produced through their public entry points — the dirrequest menu
over the fake WhatsApp gateway (options 1, 3, 5–10, 19–22, 30) and the HTTP API
(rekap-likes, rekap-komentar, dashboard stats) — and their figures are read
back from what a person receives: text parsed, Excel opened, JSON read
(`tests/support/report_readers.py`, labels from the attendance definitions).
"""

from __future__ import annotations

import pytest

from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from core.clock import ManualClock
from handlers import dirrequest
from handlers.reports.attendance import Category
from tests.support.api import api_client, api_deps, bearer, dashboard_token, make_account
from tests.support.attendance_world import (
    DIRECTORATE, DIRECTORATE_NAME, EMPTY_SATKER, EXCEPTION_IG_ONLY, NO_POSTS_DAY, NOW, SATKER, build_generated_world,
)
from tests.support.chat import start_chat
from tests.support.recording_reporter import RecordingReporter
from handlers.menus import TEXT_HINT
from tests.support.report_readers import (
    BOTH, TOTAL, disagreements, read_attendance_text, read_attendance_workbook, read_combined_text,
    read_completeness_text, read_kasatker_text, read_missing_text, read_ranking_workbook, read_rekap_json,
    read_stats_json,
)

ADMIN = "6281100000001"
IG, TT = "instagram", "tiktok"


class Menu:
    """The dirrequest menu of DITBINMAS, as an admin uses it."""

    def __init__(self, gateway: FakeGateway):
        self.gateway = gateway

    async def say(self, text: str) -> list:
        self.gateway.take()
        await self.gateway.inject(text, phone=ADMIN)
        return self.gateway.take()

    async def open(self) -> None:
        await self.say("dirrequest")
        await self.say(DIRECTORATE)

    async def option(self, number: int, period: str | None = None) -> tuple[str, bytes | None]:
        sent = await self.say(str(number))
        if period is not None:
            sent = await self.say(period)
        texts = [m.text for m in sent if m.text is not None]
        assert texts and texts[-1] == TEXT_HINT  # after a report: the one-line hint, not the menu
        docs = [m.document.data for m in sent if m.document is not None]
        return "\n".join(texts[:-1]), (docs[0] if docs else None)


@pytest.fixture
async def world(pool):
    return await build_generated_world(pool)


@pytest.fixture
def clock():
    return ManualClock(NOW)


@pytest.fixture
async def menu(pool, settings, clock, world):
    gateway = FakeGateway()
    router = Router(settings=settings, pool=pool, clock=clock, reporter=RecordingReporter(), gateway=gateway,
                    commands=dirrequest.COMMANDS)
    await start_chat(gateway, router)
    m = Menu(gateway)
    await m.open()
    return m


@pytest.fixture
async def api(pool, settings, clock, world):
    await make_account(pool, "root", role="admin", client_ids=[])
    async with api_client(api_deps(settings, pool, clock)) as http:
        headers = bearer(await dashboard_token(http, "root"))

        async def get(path: str, **params) -> dict:
            day = clock.now().date().isoformat()
            r = await http.get(path, headers=headers,
                               params={"client_id": DIRECTORATE, "periode": "harian", "tanggal": day, **params})
            assert r.status_code == 200, r.text
            return r.json()

        yield get


async def every_report(menu: Menu, api) -> dict:
    """Every report of the day, read back into figures."""
    out = {}
    for number, platform in ((5, IG), (6, IG), (9, TT), (10, TT)):
        text, _ = await menu.option(number)
        out[f"option {number}"] = read_attendance_text(text, platform, total_unit=DIRECTORATE_NAME,
                                                       blocks_are="division")
    for number, platform in ((7, IG), (8, TT)):
        text, _ = await menu.option(number)
        out[f"option {number}"] = read_attendance_text(text, platform, total_unit=TOTAL)
    out["option 1"] = read_completeness_text((await menu.option(1))[0])
    out["option 3"] = read_missing_text((await menu.option(3))[0], DIRECTORATE_NAME)
    for number, platform in ((19, IG), (20, TT)):
        _, doc = await menu.option(number)
        out[f"option {number}"] = read_attendance_workbook(doc, platform)
    out["option 21"] = read_combined_text((await menu.option(21))[0])
    out["option 22"] = read_ranking_workbook((await menu.option(22, "1"))[1])
    out["option 30"] = read_kasatker_text((await menu.option(30, "1"))[0])
    out["rekap-likes"] = read_rekap_json(await api("/api/insta/rekap-likes"), TOTAL)
    out["rekap-komentar"] = read_rekap_json(await api("/api/tiktok/rekap-komentar"), TOTAL)
    out["rekap-likes org"] = read_rekap_json(await api("/api/insta/rekap-likes", scope="ORG"), DIRECTORATE_NAME)
    out["rekap-komentar org"] = read_rekap_json(await api("/api/tiktok/rekap-komentar", scope="ORG"),
                                                DIRECTORATE_NAME)
    out["stats"] = read_stats_json(await api("/api/dashboard/stats"), TOTAL)
    out["stats org"] = read_stats_json(await api("/api/dashboard/stats", scope="ORG"), DIRECTORATE_NAME)
    return out


def shown_by(shared: dict, key: tuple) -> set[str]:
    return set(shared.get(key, []))


async def test_every_report_shows_the_same_numbers(menu, api, world):
    reports = await every_report(menu, api)
    bad, shared = disagreements(reports)
    assert not bad, "figures that differ between reports:\n" + "\n".join(bad)

    # the comparison really covers every report, on the figures the issue names
    for platform, options in ((IG, {"option 7", "option 19", "option 21", "rekap-likes"}),
                              (TT, {"option 8", "option 20", "option 21", "rekap-komentar"})):
        for figure in ("personnel", "lengkap", "kurang", "belum", "tanpa_username", "tasks_done", "capaian"):
            assert options <= shown_by(shared, (TOTAL, platform, figure)), (platform, figure)
        for satker in [DIRECTORATE_NAME, *SATKER.values()]:
            assert {"option 1", "option 22"} <= shown_by(shared, (satker, platform, "tanpa_username"))
            assert len(shown_by(shared, (satker, platform, "belum"))) >= 2
    own = {"option 5", "option 7", "option 19", "rekap-likes org"}
    assert own <= shown_by(shared, (DIRECTORATE_NAME, IG, "belum"))
    assert {"option 3", "option 5", "option 6"} <= shown_by(shared, (DIRECTORATE_NAME, IG, "tanpa_username"))
    assert {"option 22", "option 30"} <= shown_by(shared, (SATKER["POLRES_SATU"], BOTH, "capaian"))
    assert {"option 21", "option 22"} <= shown_by(shared, (TOTAL, BOTH, "capaian"))
    assert {"stats", "rekap-likes", "option 7"} <= shown_by(shared, (TOTAL, IG, "tasks"))
    assert {"stats", "rekap-komentar"} <= shown_by(shared, (TOTAL, TT, "personnel"))
    people = [k for k in shared if k[0][0] == "person" and k[2] == "category"]
    assert len(people) > 40

    # the exception person without a TikTok username is "tanpa username" on TikTok everywhere
    excep = ("person", EXCEPTION_IG_ONLY)
    assert reports["option 10"][(excep, TT, "category")] is Category.TANPA_USERNAME
    assert {"option 3", "option 9", "option 10", "option 20", "rekap-komentar"} <= shown_by(shared, (excep, TT, "category"))
    assert reports["option 5"][(excep, IG, "category")] is Category.LENGKAP

    # inactive personnel are nowhere; the empty satker has no people
    for name in world.inactive:
        assert not any(k[0] == ("person", name) for figures in reports.values() for k in figures)
    assert reports["option 22"][(EMPTY_SATKER[1], IG, "personnel")] == 0
    assert reports["option 30"][(EMPTY_SATKER[1], BOTH, "capaian")] is None


async def test_a_day_without_posts_has_nobody_belum(menu, api, clock, world):
    clock.set(NO_POSTS_DAY)
    for number in (5, 7, 8, 10, 19, 21):
        text, doc = await menu.option(number)
        assert text.startswith("ℹ️ Belum ada konten") and doc is None, number
    for path, platform in (("/api/insta/rekap-likes", IG), ("/api/tiktok/rekap-komentar", TT)):
        body = await api(path)
        with_username = sum(1 for p in world.people if p.active and "ditbinmas" in p.roles and getattr(p, platform))
        assert body["totalPosts"] == 0 and body["belumUsersCount"] == 0
        assert body["summary"]["distribution"]["belum"] == 0
        assert body["summary"]["distribution"]["noPosts"] == with_username
        assert body["summary"]["figures"]["capaian"] is None
        assert {row["status"] for row in body["data"]} == {"no_posts", "no_username"}
    stats = (await api("/api/dashboard/stats"))["data"]
    assert (stats["igPosts"], stats["ttPosts"]) == (0, 0)
