"""dirrequest through the router and the fake WhatsApp transport: every option, as an admin sees it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core.chat_port import XLSX_MIMETYPE
from handlers.dirrequest.actions import ACTIONS, action_by_id
from handlers.menus import TEXT_HINT
from core.clock import ManualClock
from tests.support.dirrequest_world import TODAY_NOON, build_world
from tests.support.factories import Factory, wib
from tests.support.report_readers import table_rows
from tests.support.dirrequest_chat import ADMIN, dirrequest_chat, say, texts

CHAT = f"{ADMIN}@s.whatsapp.net"


@pytest.fixture
def clock():
    return ManualClock(TODAY_NOON)


@pytest.fixture
async def chat(pool, settings, clock):
    return await dirrequest_chat(pool, settings, clock)


async def open_menu(gateway, client="DITBINMAS"):
    first = texts(await say(gateway, "dirrequest"))
    assert "DITBINMAS - DIREKTORAT BINMAS" in first[-1]
    menu = texts(await say(gateway, client))
    assert "Client: *DIREKTORAT BINMAS*" in menu[-1]
    return menu[-1]


async def option(gateway, number):
    """Send a menu number; return (report texts without the closing hint, documents)."""
    sent = await say(gateway, str(number))
    out = texts(sent)
    assert out and out[-1] == TEXT_HINT, "after every report a one-line hint, not the 26-line menu"
    assert not any("📋 *Menu Direktorat*" in t for t in out)
    return out[:-1], [m.document for m in sent if m.document is not None]


# ---------------------------------------------------------------------------- flow

async def test_client_list_by_number_and_id_and_grouped_menu(pool, chat):
    await build_world(pool)
    lines = texts(await say(chat, "dirrequest"))[-1]
    assert "1. DITBINMAS - DIREKTORAT BINMAS" in lines and "2. DITLANTAS - DIREKTORAT LANTAS" in lines
    assert "POLRES" not in lines
    bad = texts(await say(chat, "9"))
    assert bad == [f"❌ Pilihan client tidak valid. Balas 1–2 atau Client ID.\n{TEXT_HINT}"]
    menu = texts(await say(chat, "1"))[-1]
    for group in ("Rekap Data", "Absensi", "Pengambilan Data", "Laporan", "Monitoring Kasatker"):
        assert group in menu
    assert menu.index("Rekap Data") < menu.index("Absensi") < menu.index("Pengambilan Data") < menu.index("Laporan")
    assert "\n5. Absensi likes Instagram per divisi" in menu
    # a wrong number: only the valid numbers, on one line
    assert texts(await say(chat, "99")) == [
        f"Pilihan tidak valid. Balas 1–3, 5–10, 12–22, 28–30, 34–35.\n{TEXT_HINT}"]
    assert texts(await say(chat, "menu"))[-1] == menu  # the whole menu again, when asked
    # back to the client list, then choose by id (any case)
    assert "Pilih *client direktorat*" in texts(await say(chat, "back"))[-1]
    assert "Client: *DIREKTORAT LANTAS*" in texts(await say(chat, "ditlantas"))[-1]
    assert texts(await say(chat, "batal"))[-1] == "✅ Menu Direktorat ditutup."


async def test_refusals(pool, chat):
    assert "Belum ada client direktorat" in texts(await say(chat, "dirrequest"))[-1]
    await build_world(pool)
    f = Factory(pool)
    await f.dashboard_account("op", role="operator", whatsapp="6281299999999")
    assert "tidak terdaftar" in texts(await say(chat, "dirrequest", phone="6281299999999"))[-1]
    await f.dashboard_account("dir", role="ditbinmas", whatsapp="6281288888888", client_ids=["DITBINMAS"])
    menu = texts(await say(chat, "dirrequest", phone="6281288888888"))[-1]
    assert "DITBINMAS - DIREKTORAT BINMAS" in menu and "DITLANTAS" not in menu  # only the account's clients


def test_action_ids_are_stable_and_numbers_unique():
    assert [(a.number, a.id) for a in ACTIONS][:4] == [
        (1, "completeness_recap"), (2, "executive_summary"), (3, "missing_data"), (5, "ig_likes_by_division")]
    assert {a.number for a in ACTIONS} == {1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                           28, 29, 30, 34, 35}
    assert action_by_id("kasatker_report").number == 30


# ---------------------------------------------------------------------------- rekap data

async def test_option_1_completeness_per_satker(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    (report,), _ = await option(chat, 1)
    assert "Selamat siang" in report and "pukul 14.05 WIB" in report
    total = report.split("*Total*")[1].split("\n\n")[0]
    assert "Jumlah personel: 8 pers" in total and "Belum mengisi username Instagram: 1 pers" in total
    assert "Belum mengisi username TikTok: 1 pers" in total
    # the directorate first, then by share of complete data: both satker complete, the larger first
    assert report.index("DIREKTORAT BINMAS*") < report.index("POLRES B*") < report.index("POLRES A*")
    assert "belum input data:*\n1. POLRES KOSONG" in report


async def test_option_3_missing_data_and_nothing_missing(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    (report,), _ = await option(chat, 3)
    assert "*BAG OPS* (1)\n- BRIPKA DODI: Instagram kosong, TikTok kosong" in report
    assert "FAJAR" not in report  # POLRES_A personnel are not the directorate's own
    await pool.execute("UPDATE personnel SET instagram = 'dodi', tiktok = 'dodi.tt' WHERE nrp = '4'")
    (report,), _ = await option(chat, 3)
    assert "Semua 5 personel sudah mengisi username" in report


# ---------------------------------------------------------------------------- absensi

async def test_option_5_ig_likes_per_division(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    (report,), _ = await option(chat, 5)
    assert "Rekap Absensi Likes Instagram" in report and "Rabu, 25 November 2026" in report
    assert "*Jumlah konten:* 2" in report
    assert "https://www.instagram.com/p/P1/" in report and "/PY/" not in report and "/PX/" not in report
    assert "*Jumlah personel:* 5 pers" in report
    assert "- Melaksanakan lengkap: 2 pers" in report  # ANI + EXCEP
    assert "- Melaksanakan kurang lengkap: 2 pers" in report  # BUDI, CICI
    assert "❌ *Belum melaksanakan:* 0 pers" in report  # DODI has no username: his own group, not "belum"
    assert "⚠️ *Belum mengisi username Instagram:* 1 pers" in report
    assert "Capaian tugas: 75,0% (6/8 tugas)" in report
    bag = report.split("*1. BAG OPS*")[1].split("*2. ")[0]
    sub = report.split("*2. SUBDIT BINPOLMAS*")[1]
    assert "- AIPTU EXCEP — 2/2" in bag and "- BRIPKA DODI — 0/2" in bag
    assert sub.index("AKBP ANI") < sub.index("BRIPDA BUDI")  # KASUBDIT first
    assert report.rstrip().endswith("Terima kasih.")


async def test_option_10_tiktok_comments_per_division(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    (report,), _ = await option(chat, 10)
    assert "Komentar TikTok" in report and "https://www.tiktok.com/@ditbinmas.jatim/video/V1" in report
    assert "- BRIPDA BUDI — 1/2" in report and "Belum mengisi username TikTok (1 pers)" in report


async def test_option_6_and_9_simple_lists(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    (report,), _ = await option(chat, 6)
    sections = report.split("\n\n")
    lengkap = next(s for s in sections if s.startswith("✅ *Melaksanakan lengkap"))
    assert lengkap.splitlines() == ["✅ *Melaksanakan lengkap (2 pers):*", "- AKBP ANI", "- AIPTU EXCEP"]
    nouser = next(s for s in sections if s.startswith("⚠️❌"))
    assert "- BRIPKA DODI" in nouser
    assert "Terima kasih" not in report
    (report,), _ = await option(chat, 9)
    assert "Absensi Komentar TikTok" in report and "Belum mengisi username TikTok (1 pers):*\n- BRIPKA DODI" in report


async def test_option_7_and_8_per_satker(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    (report,), _ = await option(chat, 7)
    assert "*Jumlah personel:* 8 pers" in report
    assert report.index("*1. DIREKTORAT BINMAS*") < report.index("*2. POLRES A*") < report.index("*3. POLRES B*")
    a = report.split("*2. POLRES A*")[1].split("*3.")[0]
    assert "Melaksanakan lengkap: 1 pers" in a and "Capaian tugas: 100,0% (2/2 tugas)" in a
    assert "*4. POLRES KOSONG*\nBelum ada data personel." in report
    (report,), _ = await option(chat, 8)
    b = report.split("*3. POLRES B*")[1].split("*4.")[0]
    assert "Melaksanakan kurang lengkap: 2 pers" in b and "Capaian tugas: 50,0% (2/4 tugas)" in b


async def test_thresholds_come_from_settings(pool, settings, clock):
    await build_world(pool)
    half = settings.model_copy(update={"attendance": settings.attendance.model_copy(update={"complete_percent": 50.0})})
    gateway = await dirrequest_chat(pool, half, clock)
    await open_menu(gateway)
    (report,), _ = await option(gateway, 6)
    assert "✅ *Melaksanakan lengkap (4 pers):*" in report  # BUDI and CICI (1/2) are now lengkap
    assert "Kriteria: lengkap ≥ 50% konten" in report


async def test_empty_day_and_midnight_boundary(pool, chat, clock):
    await build_world(pool)
    clock.set(wib(2026, 11, 26, 0, 0, 0))  # midnight WIB: only PT (00:00:00) is today's
    await open_menu(chat)
    (report,), _ = await option(chat, 5)
    assert "*Jumlah konten:* 1" in report and "/p/PT/" in report
    (report,), _ = await option(chat, 10)
    assert report.startswith("ℹ️ Belum ada konten TikTok dari akun resmi *DIREKTORAT BINMAS*") and "hari ini" in report
    clock.set(wib(2026, 11, 20, 9))
    (report,), _ = await option(chat, 21)
    assert "Belum ada konten Instagram maupun TikTok" in report
    (report,), docs = await option(chat, 19)
    assert "Belum ada konten Instagram" in report and docs == []


async def test_client_without_personnel(pool, chat):
    f = Factory(pool)
    await f.client("DITSAMAPTA", type="direktorat", name="DIREKTORAT SAMAPTA")
    await f.ig_post("S1", client_id="DITSAMAPTA", posted_at=wib(2026, 11, 25, 9))
    await say(chat, "dirrequest")
    await say(chat, "1")
    (report,), _ = await option(chat, 5)
    assert report == "ℹ️ Belum ada data personel aktif untuk *DIREKTORAT SAMAPTA*."
    (report,), _ = await option(chat, 1)
    assert "Belum ada data personel aktif" in report


# ---------------------------------------------------------------------------- laporan

def _rows(doc, sheet):
    wb = load_workbook(io.BytesIO(doc.data))
    ws = wb[sheet]
    return wb, ws, table_rows(ws)


async def test_option_19_likes_excel(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    report, (doc,) = await option(chat, 19)
    assert report == ["✅ File Excel dikirim."]
    assert doc.mimetype == XLSX_MIMETYPE and doc.filename == "Rekap_Likes_Instagram_DITBINMAS_2026-11-25.xlsx"
    wb, ws, rows = _rows(doc, "POLRES B")
    assert wb.sheetnames == ["Ringkasan", "DIREKTORAT BINMAS", "POLRES A", "POLRES B", "POLRES KOSONG"]
    assert ws.freeze_panes == "A4" and ws["A1"].value == "Rekap likes Instagram — POLRES B — DIREKTORAT BINMAS"
    assert rows[0][:3] == ["No", "Pangkat Nama", "Divisi / Satfung"]
    assert rows[1:] == [[1, "BRIPTU GITA", "SAT BINMAS", "gita", 2, 1, 1, "Kurang"],
                        [2, "BRIPDA HADI", "SAT BINMAS", "hadi", 2, 0, 2, "Belum"]]
    _, _, summary = _rows(doc, "Ringkasan")
    assert summary[-1][:3] == [None, "TOTAL", 8]


async def test_option_20_comments_excel(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    _, (doc,) = await option(chat, 20)
    _, ws, rows = _rows(doc, "POLRES A")
    assert rows[0] == ["No", "Pangkat Nama", "Divisi / Satfung", "Username TikTok", "Video 1 (08.00)",
                       "Video 2 (16.00)", "Konten dikerjakan", "Status"]
    assert rows[1] == [1, "AKP FAJAR", "SAT BINMAS", "fajar.tt", 1, 1, 2, "Lengkap"]
    _, _, dit = _rows(doc, "DIREKTORAT BINMAS")
    assert [r[1] for r in dit[1:]] == ["IPTU CICI", "AIPTU EXCEP", "BRIPKA DODI", "AKBP ANI", "BRIPDA BUDI"]


async def test_option_21_combined_recap(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    (report,), _ = await option(chat, 21)
    assert "*1. Instagram*" in report and "*2. TikTok*" in report
    assert "https://www.instagram.com/p/P2/" in report and "/video/V2" in report
    top = report.split("satker tertinggi*")[1].split("\n\n")[0]
    assert top.splitlines()[1] == "1. POLRES A: 100,0% (4/4 tugas)"
    # two satker ranked: no bottom list, so the backlog is section 4, not 5 (numbered from what is shown)
    assert "*3. 🔥 2 satker tertinggi*" in report and "terendah*" not in report
    assert "*4. Sisa tugas:* 12 tugas" in report


async def test_option_22_ranking_with_period_submenu(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    prompt = texts(await say(chat, "22"))[-1]
    assert "1. Hari ini" in prompt and "6. Bulan lalu" in prompt
    assert texts(await say(chat, "7")) == [f"Pilihan tidak valid. Balas 1–6.\n{TEXT_HINT}"]
    sent = await say(chat, "1")
    doc = next(m.document for m in sent if m.document)
    assert doc.filename == "Ranking_Engagement_DITBINMAS_2026-11-25.xlsx"
    assert texts(sent)[-1] == TEXT_HINT  # back on the main step after the file, with a one-line hint
    _, ws, rows = _rows(doc, "Ranking")
    assert rows[1][:3] == ["-", "DIREKTORAT BINMAS", 5]  # the directorate's own row first, not ranked
    assert rows[2][:3] == [1, "POLRES A", 1] and rows[2][9:] == [4, 4, 100]
    assert [r[1] for r in rows[1:]][-2:] == ["POLRES KOSONG", "TOTAL"]
    assert rows[-1][2:] == [8, 6, 1, 1, 5, 2, 1, 16, 28, 57.1]
    # this week: the file name carries the range; last week had no content
    await say(chat, "22")
    sent = await say(chat, "3")
    doc = next(m.document for m in sent if m.document)
    assert doc.filename == "Ranking_Engagement_DITBINMAS_2026-11-23_2026-11-29.xlsx"
    _, _, rows = _rows(doc, "Ranking")
    assert rows[2][:3] == [1, "POLRES A", 1]  # 6 of 6 tasks against POLRES B's 5 of 12
    await say(chat, "22")
    assert "Belum ada konten Instagram maupun TikTok" in texts(await say(chat, "4"))[0]


async def test_option_30_kasatker_bands(pool, chat):
    await build_world(pool)
    await open_menu(chat)
    assert "4. Semua data" in texts(await say(chat, "30"))[-1]
    sent = await say(chat, "1")
    report = texts(sent)[0]
    assert texts(sent)[-1] == TEXT_HINT
    aktif = report.split("*KEPATUHAN AKTIF*")[1].split("*KEPATUHAN SEDANG*")[0]
    sedang = report.split("*KEPATUHAN SEDANG*")[1].split("*KEPATUHAN RENDAH*")[0]
    rendah = report.split("*KEPATUHAN RENDAH*")[1]
    assert "1. POLRES A: 100,0%" in aktif
    assert sedang.strip() == "(0 satker)\n-"
    assert "1. POLRES B: 37,5% (3/8 tugas)" in rendah  # IG 1 of 4 tasks, TT 2 of 4
    assert "2. POLRES KOSONG: - (belum ada data personel)" in rendah
    assert "DIREKTORAT BINMAS:" not in report


async def test_kasatker_bands_come_from_settings(pool, settings, clock):
    await build_world(pool)
    att = settings.attendance.model_copy(update={"kasatker_active_percent": 70.0, "kasatker_medium_percent": 20.0})
    gateway = await dirrequest_chat(pool, settings.model_copy(update={"attendance": att}), clock)
    await open_menu(gateway)
    await say(gateway, "30")
    report = texts(await say(gateway, "2"))[0]  # this week
    sedang = report.split("*KEPATUHAN SEDANG*")[1].split("*KEPATUHAN RENDAH*")[0]
    assert "1. POLRES A: 66,7% (4/6 tugas)" in sedang and "2. POLRES B: 41,7% (5/12 tugas)" in sedang
    assert "aktif ≥ 70%, sedang ≥ 20%" in report


async def test_yesterday_excel_counts_only_yesterdays_posts(pool, chat, clock):
    await build_world(pool)
    clock.set(wib(2026, 11, 25, 23, 59, 59))
    await open_menu(chat)
    await say(chat, "22")
    sent = await say(chat, "2")  # yesterday: PY only (budi, hadi), no TikTok
    doc = next(m.document for m in sent if m.document)
    _, _, rows = _rows(doc, "Keterangan")
    assert ["Jumlah konten Instagram", 1] in rows and ["Jumlah konten TikTok", 0] in rows
    _, _, rows = _rows(doc, "Ranking")
    b = next(r for r in rows if r[1] == "POLRES B")
    assert b[3:6] == [1, 1, 0]  # IG sudah (hadi), belum (gita), username kosong


async def test_people_without_division_are_grouped_last(pool, chat):
    await build_world(pool)
    await Factory(pool).person("99", client_id="DITBINMAS", name="ZAKI", instagram="zaki", roles=["ditbinmas"])
    await open_menu(chat)
    (report,), _ = await option(chat, 5)
    assert "*3. TANPA SATFUNG*" in report and report.index("SUBDIT BINPOLMAS") < report.index("TANPA SATFUNG")
    (report,), _ = await option(chat, 3)
    assert "*TANPA SATFUNG* (1)\n- ZAKI: TikTok kosong" in report
