"""Options 17/18: the daily report's narrative, TXT files and Excel show one set of figures; numbering stays right."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.chat_port import XLSX_MIMETYPE
from core.clock import ManualClock
from db.clients import get_client
from handlers.dirrequest.actions import ACTIONS
from handlers.reports.attendance import Category, Period
from handlers.reports.catalog import REPORTS, BuildRequest
from tests.support.attendance_world import NOW as GENERATED_NOW, NO_POSTS_DAY, build_generated_world
from tests.support.dirrequest_chat import dirrequest_chat, open_menu, option
from tests.support.dirrequest_world import TODAY_NOON, build_world
from tests.support.factories import Factory, wib
from tests.support.report_readers import (
    TOTAL, disagreements, read_attendance_workbook, read_daily_report_text, read_daily_report_txt,
)

NEW_IDS = ("executive_summary", "kasat_binmas_ig_likes", "kasat_binmas_tt_comments", "daily_report_ig",
           "daily_report_tt")


@pytest.fixture
def clock():
    return ManualClock(TODAY_NOON)


@pytest.fixture
async def chat(pool, settings, clock):
    return await dirrequest_chat(pool, settings, clock)


@pytest.mark.parametrize("number, platform", [("17", "instagram"), ("18", "tiktok")])
async def test_daily_report_text_txt_and_excel_agree(pool, chat, number, platform):
    await build_world(pool)
    await open_menu(chat)
    (narrative,), docs = await option(chat, number)
    label = "Instagram" if platform == "instagram" else "TikTok"
    everyone, not_done, excel = docs
    assert everyone.filename == f"Absensi_All_Engagement_{label}_DITBINMAS_2026-11-25.txt"
    assert not_done.filename == f"Absensi_Belum_{label}_DITBINMAS_2026-11-25.txt"
    assert everyone.mimetype == not_done.mimetype == "text/plain" and excel.mimetype == XLSX_MIMETYPE
    for doc in docs:
        assert doc.filename in narrative  # the narrative lists its attachments
    text_figures = read_daily_report_text(narrative, platform)
    all_figures = read_daily_report_txt(everyone.data, platform)
    belum_figures = read_daily_report_txt(not_done.data, platform)
    workbook = read_attendance_workbook(excel.data, platform)
    bad, shared = disagreements({"text": text_figures, "txt": all_figures, "txt belum": belum_figures,
                                 "excel": workbook})
    assert bad == []
    assert {"text", "excel"} <= set(shared[(TOTAL, platform, "personnel")])
    assert {"text", "excel"} <= set(shared[(TOTAL, platform, "capaian")])
    assert {"text", "excel"} <= set(shared[("POLRES A", platform, "capaian")])
    people = {k[0] for k in workbook if k[0][0] == "person"}
    assert people == {k[0] for k in all_figures} and len(people) == 8  # every person in the full list
    expected_belum = {p for p in people if workbook[(p, platform, "category")] is not Category.LENGKAP}
    assert {k[0] for k in belum_figures} == expected_belum and expected_belum
    assert "*1. Konten*\nJumlah konten: 2\n" in narrative
    assert "DIREKTORAT BINMAS" in everyone.data.decode() and "POLRES KOSONG" in everyone.data.decode()


async def test_daily_report_of_another_client_is_by_division(pool, settings):
    """Not hard-wired to DITBINMAS: a Polres with its own post reports its divisions."""
    await build_world(pool)
    f = Factory(pool)
    await f.ig_post("PA1", client_id="POLRES_A", posted_at=wib(2026, 11, 25, 9))
    await f.person("60", client_id="POLRES_A", name="JONO", rank="BRIPDA", division="SAT SAMAPTA", instagram="jono")
    await f.likes("PA1", ["fajar"])
    client = await get_client(pool, "POLRES_A")
    out = await REPORTS["daily_report_ig"].build(BuildRequest(pool, settings, client, Period.today(TODAY_NOON),
                                                              TODAY_NOON))
    text = out.texts[0]
    assert "*POLRES A*" in text and "divisi tertinggi" in text and "1. SAT BINMAS: 100,0% (1/1 tugas)" in text
    assert "Rekap_Likes_Instagram_POLRES_A_2026-11-25.xlsx" in [d.filename for d in out.documents]


async def test_every_new_report_says_when_there_is_nothing(pool, settings):
    await build_generated_world(pool)
    client = await get_client(pool, "DITBINMAS")
    for report_id in NEW_IDS:
        out = await REPORTS[report_id].build(BuildRequest(pool, settings, client, Period.today(NO_POSTS_DAY),
                                                          NO_POSTS_DAY))
        assert out.empty and out.documents == [] and out.texts[0].startswith("ℹ️"), report_id
        out = await REPORTS[report_id].build(BuildRequest(pool, settings, client, Period.today(GENERATED_NOW),
                                                          GENERATED_NOW))
        assert not out.empty, report_id


def section_numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^\*(\d+)\. ", text, flags=re.M)]


async def test_sections_are_numbered_from_what_is_shown(pool, settings):
    """Every text report, on a day where lists are empty (two ranked satker: no bottom list; nobody 'belum'):
    its numbered headers read 1, 2, 3 … without a gap."""
    await build_world(pool)
    client = await get_client(pool, "DITBINMAS")
    checked = 0
    for now in (TODAY_NOON, TODAY_NOON - timedelta(days=1)):
        for spec in REPORTS.values():
            if spec.queued is not None:
                continue  # file reports
            out = await spec.build(BuildRequest(pool, settings, client, Period.today(now), now))
            for text in out.texts:
                numbers = section_numbers(text)
                assert numbers == list(range(1, len(numbers) + 1)), (spec.id, numbers)
                checked += bool(numbers)
    assert checked >= 10


def test_new_options_in_the_menu():
    numbers = {a.id: a.number for a in ACTIONS}
    assert {i: numbers[i] for i in NEW_IDS} == {"executive_summary": 2, "kasat_binmas_ig_likes": 34,
                                               "kasat_binmas_tt_comments": 35, "daily_report_ig": 17,
                                               "daily_report_tt": 18}
    assert all(i in REPORTS for i in NEW_IDS)
