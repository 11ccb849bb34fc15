"""Files people print and read: every workbook titled, frozen, fitted, coloured and printable; option 21's
chart and Excel; the per-post workbooks (28, 29) whose 1/0 marks are the stored likes and comments."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from core.chat_port import XLSX_MIMETYPE
from core.clock import ManualClock
from db.clients import get_client
from handlers import dirrequest
from handlers.menus import TEXT_HINT
from handlers.reports.attendance import BACKLOG, CAPAIAN, Category, Period
from handlers.reports.catalog import REPORTS, BuildRequest
from handlers.reports.per_post_excel import MAX_POSTS
from tests.support.chat import start_chat
from tests.support.dirrequest_world import TODAY_NOON, build_world
from tests.support.factories import Factory, wib
from tests.support.recording_reporter import RecordingReporter
from tests.support.report_readers import read_combined_text, table_rows
from tests.support.workbook_checks import read_per_post_workbook, workbook_layout_problems

ADMIN = "6281100000001"
FORMULA_DIVISION = '=HYPERLINK("http://x","y")'
GREEN, YELLOW, RED, GREY = "C6EFCE", "FFEB9C", "FFC7CE", "D9D9D9"


@pytest.fixture
async def chat(pool, settings):
    gateway = FakeGateway()
    router = Router(settings=settings, pool=pool, clock=ManualClock(TODAY_NOON), reporter=RecordingReporter(),
                    gateway=gateway, commands=dirrequest.COMMANDS)
    await start_chat(gateway, router)
    return gateway


async def _world(pool) -> Factory:
    f = await build_world(pool)
    await f.person("9", client_id="POLRES_A", name="IWAN", rank="BRIPDA", division=FORMULA_DIVISION,
                   instagram="iwan", tiktok="iwan.tt", roles=["ditbinmas"])
    await f.likes("P1", ["iwan"])
    return f


async def _say(gateway, text):
    gateway.take()
    await gateway.inject(text, phone=ADMIN)
    return gateway.take()


async def _menu(gateway, client="DITBINMAS"):
    await _say(gateway, "dirrequest")
    await _say(gateway, client)


async def _option(gateway, *answers):
    """Pick an option (and its period answers); the messages it sent, the closing hint left off."""
    for answer in answers:
        sent = await _say(gateway, answer)
    assert sent[-1].text == TEXT_HINT
    return sent[:-1]


def _docs(sent, mimetype=XLSX_MIMETYPE):
    return [m.document for m in sent if m.document is not None and m.document.mimetype == mimetype]


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill.fill_type == "solid" else ""


async def test_every_workbook_is_titled_frozen_fitted_printable_and_formula_free(pool, chat):
    await _world(pool)
    await _menu(chat)
    files = {}
    for answers in (("19",), ("20",), ("21",), ("22", "1"), ("28",), ("29",)):
        (doc,) = _docs(await _option(chat, *answers))
        files[answers[0]] = doc
    for option, doc in files.items():
        assert workbook_layout_problems(doc.data, client_name="DIREKTORAT BINMAS") == [], option
        raw = zipfile.ZipFile(io.BytesIO(doc.data))
        sheets = [n for n in raw.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in raw.read(n) for n in sheets), f"option {option} holds a formula"

    wb = load_workbook(io.BytesIO(files["19"].data))
    ws = wb["POLRES A"]
    assert ws["A1"].value == "Rekap likes Instagram — POLRES A — DIREKTORAT BINMAS"
    assert ws["A2"].value == "Periode: Rabu, 25 November 2026 · Dibuat: 25 November 2026 pukul 14.05 WIB"
    cell = next(c for row in ws.iter_rows(min_row=4) for c in row if c.value == FORMULA_DIVISION.upper())  # divisions are upper-cased
    assert cell.data_type == "s" and cell.quotePrefix  # shown as the text it is, not a live link
    assert ws.column_dimensions["C"].width >= len(FORMULA_DIVISION)
    status = {row[1].value: _fill(row[7]) for row in ws.iter_rows(min_row=4)}
    assert status == {"AKP FAJAR": GREEN, "BRIPDA IWAN": YELLOW}
    polres_b = {row[1].value: (row[7].value, _fill(row[7])) for row in wb["POLRES B"].iter_rows(min_row=4)}
    assert polres_b == {"BRIPTU GITA": (Category.KURANG.label, YELLOW), "BRIPDA HADI": (Category.BELUM.label, RED)}
    dit = {row[1].value: _fill(row[7]) for row in wb["DIREKTORAT BINMAS"].iter_rows(min_row=4)}
    assert dit["BRIPKA DODI"] == GREY  # no Instagram username
    ranking = load_workbook(io.BytesIO(files["22"].data))["Ranking"]
    assert ranking.print_title_rows.replace("$", "") == "3:3" and ranking.page_setup.orientation == "landscape"


async def test_option_21_sends_the_text_then_the_chart_then_its_excel(pool, chat):
    await build_world(pool)
    await _menu(chat)
    sent = await _option(chat, "21")
    kinds = ["text" if m.text is not None else m.document.mimetype for m in sent]
    assert kinds == ["text", "image/png", XLSX_MIMETYPE]
    text, chart, workbook = sent[0].text, sent[1].document, sent[2].document
    assert chart.filename == "Grafik_Capaian_DITBINMAS_2026-11-25.png"
    image = Image.open(io.BytesIO(chart.data))
    assert image.format == "PNG" and image.width >= 1080
    assert workbook.filename == "Rekap_Gabungan_Sosmed_DITBINMAS_2026-11-25.xlsx"

    wb = load_workbook(io.BytesIO(workbook.data))
    assert wb.sheetnames == ["Ringkasan", "Personel", "Daftar Konten"]
    headers, *rows = table_rows(wb["Ringkasan"])
    capaian, backlog = headers.index(f"{CAPAIAN.label} (%)"), headers.index(BACKLOG.label)
    shown = read_combined_text(text)
    assert rows[-1][1] == "TOTAL" and rows[-1][backlog] == shown[("TOTAL", "both", "backlog")] == 12
    for row in rows[:-1]:
        if (row[1], "both", "capaian") in shown:  # every unit the text ranks, at the same capaian
            assert round(row[capaian], 1) == round(shown[(row[1], "both", "capaian")], 1), row[1]
    people = {r[2]: r for r in table_rows(wb["Personel"])[1:]}
    assert people["AKP FAJAR"][1] == "POLRES A" and people["AKP FAJAR"][6] == people["AKP FAJAR"][9] == "Lengkap"
    links = [r[3] for r in table_rows(wb["Daftar Konten"])[1:]]
    assert "https://www.instagram.com/p/P2/" in links and any(link.endswith("/video/V2") for link in links)


async def test_option_21_without_tasks_is_its_text_alone(pool, chat):
    await build_world(pool)
    await _say(chat, "dirrequest")
    await _say(chat, "DITLANTAS")
    sent = await _option(chat, "21")
    assert [m.document for m in sent if m.document] == []
    assert "Belum ada konten Instagram maupun TikTok" in sent[0].text


async def _stored_marks(pool, platform: str, account: str) -> dict[str, dict[str, int]]:
    """What the database holds: per person ('RANK NAME'), per post of today, 1 if they engaged (or are an
    exception person with a username)."""
    people = await pool.fetch(f"SELECT name, rank, {account} AS username, exception FROM personnel WHERE active")
    engaged = {(r["post_id"], r["username"]) for r in await pool.fetch(
        "SELECT post_id, username FROM engagements WHERE platform = $1", platform)}
    posts = await pool.fetch("""SELECT post_id AS id, posted_at, removed_at IS NOT NULL AS removed FROM client_posts
                                WHERE platform = $1 AND client_id = 'DITBINMAS'""", platform)
    first, last = Period.today(TODAY_NOON).bounds()
    today = [p["id"] for p in posts if first <= p["posted_at"] < last and not p["removed"]]
    return {f"{p['rank']} {p['name']}": {post: int(bool(p["username"]) and (p["exception"] or
                                                                          (post, p["username"]) in engaged))
                                         for post in today} for p in people}


async def test_option_28_marks_are_the_stored_likes_a_sheet_per_satker(pool, chat):
    await _world(pool)
    await _menu(chat)
    (doc,) = _docs(await _option(chat, "28"))
    assert doc.filename == "Rekap_Likes_Per_Konten_Instagram_DITBINMAS_2026-11-25.xlsx"
    wb = load_workbook(io.BytesIO(doc.data))
    assert wb.sheetnames == ["DIREKTORAT BINMAS", "POLRES A", "POLRES B", "POLRES KOSONG", "Daftar Konten"]
    marks = read_per_post_workbook(doc.data)
    stored = await _stored_marks(pool, "instagram", "instagram")
    assert {person: m for (_, person), m in marks.items()} == stored
    assert marks[("POLRES B", "BRIPTU GITA")] == {"P1": 1, "P2": 0}
    assert marks[("DIREKTORAT BINMAS", "AIPTU EXCEP")] == {"P1": 1, "P2": 1}   # exception: every task done
    assert marks[("DIREKTORAT BINMAS", "BRIPKA DODI")] == {"P1": 0, "P2": 0}   # no username, no task
    assert {sheet for sheet, _ in marks} == {"DIREKTORAT BINMAS", "POLRES A", "POLRES B"}  # POLRES KOSONG: no rows


async def test_option_29_marks_are_the_stored_comments(pool, chat):
    await _world(pool)
    await _menu(chat)
    (doc,) = _docs(await _option(chat, "29"))
    marks = read_per_post_workbook(doc.data)
    assert {person: m for (_, person), m in marks.items()} == await _stored_marks(pool, "tiktok", "tiktok")
    assert marks[("POLRES A", "AKP FAJAR")] == {"V1": 1, "V2": 1}
    headers = table_rows(load_workbook(io.BytesIO(doc.data))["POLRES A"])[0]
    assert headers[4:6] == ["Konten 1 (08.00)", "Konten 2 (16.00)"]


async def test_per_post_excel_of_a_single_client_is_one_sheet(pool, settings):
    f = await build_world(pool)
    await f.tt_post("VB1", client_id="POLRES_B", posted_at=wib(2026, 11, 25, 9))
    await f.comments("VB1", ["hadi.tt"])
    client = await get_client(pool, "POLRES_B")
    req = BuildRequest(pool, settings, client, Period.today(TODAY_NOON), TODAY_NOON)
    out = await REPORTS["tt_comments_per_post_excel"].build(req)
    (doc,) = out.documents
    assert load_workbook(io.BytesIO(doc.data)).sheetnames == ["POLRES B", "Daftar Konten"]
    assert read_per_post_workbook(doc.data) == {("POLRES B", "BRIPTU GITA"): {"VB1": 0},
                                                ("POLRES B", "BRIPDA HADI"): {"VB1": 1}}
    assert workbook_layout_problems(doc.data, client_name="POLRES B") == []


async def test_per_post_excel_refuses_more_posts_than_a_file_can_show(pool, settings):
    f = await build_world(pool)
    for i in range(MAX_POSTS + 1):
        await f.ig_post(f"B{i}", client_id="POLRES_B", posted_at=wib(2026, 11, 25, 6, i // 60, i % 60))
    client = await get_client(pool, "POLRES_B")
    req = BuildRequest(pool, settings, client, Period.today(TODAY_NOON), TODAY_NOON)
    out = await REPORTS["ig_likes_per_post_excel"].build(req)
    assert out.documents == []
    assert not out.empty  # a refusal is said even by a skip-if-empty subscription
    (message,) = out.texts
    assert "terlalu besar" in message and re.search(r"201 konten × 2 personel; batas 200 konten", message)
