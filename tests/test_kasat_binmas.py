"""Options 34/35: the Kasat Binmas recaps, through dirrequest and through the report catalog."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import ManualClock
from db.clients import get_client
from handlers.reports.attendance import Category, Period
from handlers.reports.catalog import REPORTS, BuildRequest
from handlers.reports.kasat_binmas import is_kasat_binmas, normalise_position
from tests.support.dirrequest_chat import dirrequest_chat, open_menu, option, say, texts
from tests.support.dirrequest_world import TODAY_NOON, build_world
from tests.support.factories import Factory
from tests.support.report_readers import TOTAL, read_kasat_binmas_text


@pytest.mark.parametrize("position", [
    "Kasat Binmas", "KASAT BINMAS POLRES X", "kasat. binmas", "Kasat-Binmas Polresta Malang Kota",
    "  KASATBINMAS ", "Polres Kasat Binmas", "KASAT BINMAS, POLRES BATU",
])
def test_positions_that_are_kasat_binmas(position):
    assert is_kasat_binmas(position)


@pytest.mark.parametrize("position", [
    "Kanit Binmas", "WAKASAT BINMAS", "Kasat Intelkam", "PS. KASAT BINMAS", "Kasubbag Binmas", "", None,
    "KASAT " + "X" * 10_000,
])
def test_positions_that_are_not(position):
    assert not is_kasat_binmas(position)


def test_normalisation_rule():
    assert normalise_position("Kasat. Binmas Polres Kab. Malang") == "KASAT BINMAS MALANG"
    assert normalise_position("kasat_binmas/polda jatim") == "KASAT BINMAS JATIM"


@pytest.fixture
def clock():
    return ManualClock(TODAY_NOON)


@pytest.fixture
async def chat(pool, settings, clock):
    return await dirrequest_chat(pool, settings, clock)


async def kasat_world(pool):
    """The dirrequest world with Kasat Binmas in three satker (three spellings) and a Kanit Binmas."""
    await build_world(pool)
    f = Factory(pool)
    await f.client("POLRES_C", name="POLRES C", parent_id="DITBINMAS")
    await pool.execute("UPDATE personnel SET position = 'Kasat Binmas' WHERE nrp = '6'")           # FAJAR, POLRES A
    await pool.execute("UPDATE personnel SET position = 'KASAT BINMAS POLRES B' WHERE nrp = '8'")  # HADI, POLRES B
    await pool.execute("UPDATE personnel SET position = 'Kanit Binmas' WHERE nrp = '7'")           # GITA: not a Kasat
    await f.person("9", client_id="POLRES_C", name="IWAN", rank="IPTU", division="SAT BINMAS",
                   position="kasat. binmas", instagram="iwan", tiktok=None, roles=["ditbinmas"])
    await f.likes("P2", ["iwan"])


async def test_option_34_daily_through_dirrequest(pool, chat):
    await kasat_world(pool)
    await open_menu(chat)
    prompt = texts(await say(chat, "34"))[-1]
    assert "1. Harian" in prompt and "2. Mingguan" in prompt and "3. Bulanan" in prompt
    assert texts(await say(chat, "4"))[0].startswith("Pilihan tidak valid. Balas 1–3.")
    (report,), docs = await option(chat, "1")
    assert docs == []
    assert "📋 *Absensi Likes Instagram Kasat Binmas*" in report and "Periode: Rabu, 25 November 2026" in report
    figures = read_kasat_binmas_text(report, "instagram")
    ig = "instagram"
    assert figures[(TOTAL, ig, "tasks")] == 2 and figures[(TOTAL, ig, "personnel")] == 3
    assert figures[(("person", "AKP FAJAR"), ig, "category")] is Category.LENGKAP
    assert figures[(("person", "AKP FAJAR"), ig, "satker")] == "POLRES A"
    assert figures[(("person", "IPTU IWAN"), ig, "done")] == 1
    assert figures[(("person", "BRIPDA HADI"), ig, "category")] is Category.BELUM
    assert not any(k[0] == ("person", "BRIPTU GITA") for k in figures), "a Kanit Binmas is no Kasat Binmas"
    # POLRES B has its Kasat (HADI); only the satker with none are listed, the directorate's own staff never
    assert {k[0][1] for k in figures if k[0][0] == "satker without"} == {"POLRES KOSONG"}
    assert (figures[(TOTAL, ig, "lengkap")], figures[(TOTAL, ig, "kurang")], figures[(TOTAL, ig, "belum")]) == (1, 1, 1)
    assert figures[(TOTAL, ig, "capaian")] == 50.0 and figures[(TOTAL, ig, "tasks_done")] == 3
    # most tasks done first
    assert report.index("AKP FAJAR") < report.index("IPTU IWAN") < report.index("BRIPDA HADI")


async def test_option_35_tiktok_counts_no_username_apart(pool, chat):
    await kasat_world(pool)
    await open_menu(chat)
    (report,), _ = await option(chat, "35", "1")
    figures = read_kasat_binmas_text(report, "tiktok")
    assert "Komentar TikTok Kasat Binmas" in report
    assert figures[(("person", "IPTU IWAN"), "tiktok", "category")] is Category.TANPA_USERNAME
    assert figures[(TOTAL, "tiktok", "tanpa_username")] == 1
    assert figures[(TOTAL, "tiktok", "tasks_assigned")] == 4  # the one without a username has no tasks
    assert figures[(("person", "BRIPDA HADI"), "tiktok", "done")] == 1


async def test_weekly_and_monthly_are_sums_of_the_days(pool, settings):
    """This week (Mon 23 – Sun 29 November, containing today): PY on the 24th and PT on the 26th count too."""
    await kasat_world(pool)
    client = await get_client(pool, "DITBINMAS")
    spec = REPORTS["kasat_binmas_ig_likes"]

    async def read(period):
        out = await spec.build(BuildRequest(pool, settings, client, period, TODAY_NOON))
        return out, read_kasat_binmas_text(out.texts[0], "instagram")

    week_out, week = await read(Period.this_week(TODAY_NOON))
    assert "23 November 2026 s.d. 29 November 2026" in week_out.texts[0]
    days = [await read(Period.on(Period.this_week(TODAY_NOON).first + timedelta(days=i))) for i in range(7)]
    assert week[(TOTAL, "instagram", "tasks")] == sum(d.get((TOTAL, "instagram", "tasks"), 0) for _, d in days) == 4
    for person in ("AKP FAJAR", "BRIPDA HADI", "IPTU IWAN"):
        key = ("person", person)
        assert week[(key, "instagram", "done")] == sum(d.get((key, "instagram", "done"), 0) for _, d in days)
        assert week[(key, "instagram", "tasks")] == 4
    assert week[(("person", "BRIPDA HADI"), "instagram", "done")] == 2  # PY and PT, none today
    assert [out.empty for out, _ in days] == [True, False, False, False, True, True, True]
    month_out, month = await read(Period.this_month(TODAY_NOON))
    assert "Periode: November 2026" in month_out.texts[0]
    assert {k: v for k, v in month.items() if k[0] != TOTAL or k[2] != "tasks"} == \
           {k: v for k, v in week.items() if k[0] != TOTAL or k[2] != "tasks"}  # no other November posts


async def test_directorate_without_kasat_binmas_and_day_without_posts(pool, settings):
    await build_world(pool)
    await pool.execute("UPDATE personnel SET position = NULL")
    client = await get_client(pool, "DITBINMAS")
    out = await REPORTS["kasat_binmas_tt_comments"].build(
        BuildRequest(pool, settings, client, Period.today(TODAY_NOON), TODAY_NOON))
    assert out.empty and out.documents == []
    assert "Belum ada personel dengan jabatan Kasat Binmas" in out.texts[0]
    out = await REPORTS["kasat_binmas_ig_likes"].build(
        BuildRequest(pool, settings, client, Period.on(TODAY_NOON.date() - timedelta(days=10)), TODAY_NOON))
    assert out.empty and out.texts[0].startswith("ℹ️ Belum ada konten Instagram")
