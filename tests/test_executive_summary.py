"""Option 2: the executive summary agrees with options 21 and 22 and with yesterday's recap."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from core.clock import ManualClock
from db.clients import get_client
from handlers.reports.attendance import Period
from handlers.reports.catalog import REPORTS, BuildRequest
from handlers.reports.charts import PNG_MIMETYPE
from tests.support.attendance_world import NOW as GENERATED_NOW, build_generated_world
from tests.support.dirrequest_chat import dirrequest_chat, open_menu, option
from tests.support.dirrequest_world import TODAY_NOON, build_world
from tests.support.factories import Factory
from tests.support.report_readers import (
    BOTH, TOTAL, disagreements, read_combined_text, read_executive_text, read_ranking_workbook,
)


@pytest.fixture
def clock():
    return ManualClock(TODAY_NOON)


@pytest.fixture
async def chat(pool, settings, clock):
    return await dirrequest_chat(pool, settings, clock)


async def build(pool, settings, report_id, period, now):
    client = await get_client(pool, "DITBINMAS")
    return await REPORTS[report_id].build(BuildRequest(pool, settings, client, period, now))


def ranks_of(xlsx: bytes) -> dict[str, object]:
    rows = list(load_workbook(io.BytesIO(xlsx))["Ranking"].iter_rows(values_only=True))
    return {r[1]: r[0] for r in rows[1:] if r[1] != "TOTAL"}


async def test_option_2_through_dirrequest_text_and_chart(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    (report,), (chart,) = await option(chat, "2")
    assert "📊 *Ringkasan Eksekutif Tugas Sosial Media*" in report
    assert "Periode: Rabu, 25 November 2026" in report and "Pembanding: Selasa, 24 November 2026" in report
    assert chart.mimetype == PNG_MIMETYPE and chart.filename == "Capaian_Satker_DITBINMAS_2026-11-25.png"
    image = Image.open(io.BytesIO(chart.data))
    assert image.format == "PNG" and image.size[0] >= 1080
    figures = read_executive_text(report)
    assert figures[(TOTAL, BOTH, "best")] == "POLRES A" and figures[(TOTAL, BOTH, "worst")] == "POLRES B"
    assert figures[("POLRES KOSONG", BOTH, "capaian")] is None and figures[("POLRES KOSONG", BOTH, "rank")] == 3
    # TikTok had no post yesterday: no change to show, said so instead of a number
    assert (TOTAL, "tiktok", "change") not in figures and "pembanding tanpa tugas" in report


async def test_figures_equal_option_21_option_22_and_yesterdays_recap(pool, settings):
    await build_world(pool)
    today, yesterday = Period.today(TODAY_NOON), Period.yesterday(TODAY_NOON)
    executive = read_executive_text((await build(pool, settings, "executive_summary", today, TODAY_NOON)).texts[0])
    combined = read_combined_text((await build(pool, settings, "combined_recap", today, TODAY_NOON)).texts[0])
    ranking_doc = (await build(pool, settings, "engagement_ranking_excel", today, TODAY_NOON)).documents[0]
    ranking = read_ranking_workbook(ranking_doc.data)
    bad, shared = disagreements({"option 2": executive, "option 21": combined, "option 22": ranking})
    assert bad == []
    for key in [(TOTAL, BOTH, "capaian"), (TOTAL, BOTH, "tasks_done"), (TOTAL, "instagram", "capaian"),
                (TOTAL, "tiktok", "tasks_assigned"), ("POLRES A", BOTH, "capaian"), ("POLRES B", BOTH, "tasks_done"),
                ("DIREKTORAT BINMAS", BOTH, "capaian")]:
        assert "option 2" in shared[key] and len(shared[key]) >= 2, key
    # ranks are option 22's ranks (the directorate's own staff unranked)
    ranks = ranks_of(ranking_doc.data)
    for (unit, _, key), value in executive.items():
        if key == "rank":
            assert (ranks[unit] if ranks[unit] != "-" else None) == value, unit
    # change against yesterday = today's figure − yesterday's, as option 21 shows them (rounded to 0,1 poin)
    before = read_combined_text((await build(pool, settings, "combined_recap", yesterday, TODAY_NOON)).texts[0])
    compared = 0
    for unit, platform in [(TOTAL, BOTH), (TOTAL, "instagram"), ("POLRES A", BOTH), ("POLRES B", BOTH)]:
        then = before.get((unit, platform, "capaian"))
        if then is None:
            continue
        expected = combined[(unit, platform, "capaian")] - then
        assert executive[(unit, platform, "change")] == pytest.approx(expected, abs=0.11), (unit, platform)
        compared += 1
    assert compared == 4


async def test_best_and_worst_are_option_21s_with_a_bottom_list(pool, settings):
    """Eight ranked satker: option 21 shows a bottom list (numbered 4, not skipped) whose first is option 2's worst."""
    world = await build_generated_world(pool)
    f = Factory(pool)
    for i in range(5):
        await f.client(f"POLRES_X{i}", name=f"POLRES X{i}", parent_id="DITBINMAS")
        await f.person(client_id=f"POLRES_X{i}", instagram=f"x{i}", tiktok=f"xt{i}", roles=["ditbinmas"])
        await f.likes("IG1", [f"x{i}"] if i % 2 else [])
    assert world.people
    today = Period.today(GENERATED_NOW)
    executive = read_executive_text(
        (await build(pool, settings, "executive_summary", today, GENERATED_NOW)).texts[0])
    combined_text = (await build(pool, settings, "combined_recap", today, GENERATED_NOW)).texts[0]
    combined = read_combined_text(combined_text)
    top = combined_text.split("satker tertinggi*")[1].split("\n\n")[0].splitlines()[1:]
    bottom = combined_text.split("satker terendah*")[1].split("\n\n")[0].splitlines()[1:]
    assert len(top) == 5 and bottom
    assert "*3. 🔥 5 satker tertinggi*" in combined_text and "*4. ❄️" in combined_text
    assert "*5. Sisa tugas:*" in combined_text
    assert top[0].split(". ", 1)[1].split(":")[0] == executive[(TOTAL, BOTH, "best")]
    assert bottom[0].split(". ", 1)[1].split(":")[0] == executive[(TOTAL, BOTH, "worst")]
    bad, _ = disagreements({"option 2": executive, "option 21": combined})
    assert bad == []


async def test_nothing_to_report(pool, settings):
    await build_world(pool)
    day = Period.on(TODAY_NOON.date().replace(day=10))
    out = await build(pool, settings, "executive_summary", day, TODAY_NOON)
    assert out.empty and out.documents == [] and "Belum ada konten Instagram maupun TikTok" in out.texts[0]
