"""Excel renderers: workbooks built in memory, returned as `Document`s ready to send.

Every sheet has a bold, frozen header row and set column widths; file names
carry the client and the period (`Rekap_Likes_Instagram_DITBINMAS_2026-11-25.xlsx`).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.chat_port import XLSX_MIMETYPE, Document
from handlers.reports.attendance import AttendanceReport, Category, Platform
from handlers.reports.formatting import id_time
from handlers.reports.recaps import EngagementRanking

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

CATEGORY_LABEL = {
    Category.LENGKAP: "Lengkap",
    Category.KURANG: "Kurang",
    Category.BELUM: "Belum",
    Category.TANPA_USERNAME: "Belum isi username",
    Category.TANPA_TUGAS: "Tidak ada tugas",
}


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet title (≤ 31 chars, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def write_table(ws, headers: Sequence[str], rows: Sequence[Sequence], widths: Sequence[int]) -> None:
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(list(row))
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width


def to_document(wb: Workbook, filename: str, caption: str | None = None) -> Document:
    buffer = io.BytesIO()
    wb.save(buffer)
    return Document(data=buffer.getvalue(), filename=filename, mimetype=XLSX_MIMETYPE, caption=caption)


def _file_name(kind: str, client_id: str, slug: str) -> str:
    return f"{kind}_{re.sub(r'[^A-Za-z0-9_-]', '_', client_id)}_{slug}.xlsx"


def _caption(title: str, report: AttendanceReport, now: datetime) -> str:
    return f"{title} {report.client.name}, {report.period.label()} (dibuat {id_time(now)})"


def _summary_sheet(wb: Workbook, report: AttendanceReport, used: set[str]) -> None:
    ws = wb.active
    ws.title = sheet_title("Ringkasan", used)
    rows = [
        [i, s.name, s.tally.personnel, len(report.posts), s.tally.lengkap, s.tally.kurang, s.tally.belum,
         s.tally.tanpa_username, round(s.tally.percent, 1)]
        for i, s in enumerate(report.satkers, 1)
    ]
    t = report.tally
    rows.append(["", "TOTAL", t.personnel, len(report.posts), t.lengkap, t.kurang, t.belum, t.tanpa_username,
                 round(t.percent, 1)])
    write_table(ws, ["No", "Satker", "Jumlah Personel", "Jumlah Post", "Lengkap", "Kurang", "Belum",
                     "Belum Isi Username", "Capaian (%)"], rows, [6, 34, 16, 13, 10, 10, 10, 18, 13])


# --------------------------------------------------------------------------- option 19

def likes_recap_workbook(report: AttendanceReport, now: datetime) -> Document:
    """Option 19: one sheet per satker; per person posts / done / not done."""
    wb = Workbook()
    used: set[str] = set()
    _summary_sheet(wb, report, used)
    day = report.period.label()
    for s in report.satkers:
        ws = wb.create_sheet(sheet_title(s.name, used))
        rows = [
            [i, p.display_name, p.division, p.username or "", p.tasks, p.done, p.missing, CATEGORY_LABEL[p.category]]
            for i, p in enumerate(s.people, 1)
        ]
        write_table(ws, ["No", "Pangkat Nama", "Divisi / Satfung", "Username Instagram", f"{day} Jumlah Post",
                         "Sudah Likes", "Belum Likes", "Status"], rows, [6, 34, 24, 24, 18, 12, 12, 18])
    return to_document(wb, _file_name("Rekap_Likes_Instagram", report.client.id, report.period.slug()),
                       _caption("Rekap likes Instagram", report, now))


# --------------------------------------------------------------------------- option 20

def comments_recap_workbook(report: AttendanceReport, now: datetime) -> Document:
    """Option 20: one sheet per satker; 1/0 per video and a total."""
    wb = Workbook()
    used: set[str] = set()
    _summary_sheet(wb, report, used)
    video_headers = [f"Video {i} ({p.posted_at.astimezone(now.tzinfo):%d/%m %H.%M})" if not report.period.is_single_day
                     else f"Video {i} ({p.posted_at.astimezone(now.tzinfo):%H.%M})"
                     for i, p in enumerate(report.posts, 1)]
    for s in report.satkers:
        ws = wb.create_sheet(sheet_title(s.name, used))
        rows = []
        for i, p in enumerate(s.people, 1):
            marks = [1 if post.post_id in p.done_post_ids else 0 for post in report.posts]
            rows.append([i, p.display_name, p.division, p.username or "", *marks, p.done,
                         CATEGORY_LABEL[p.category]])
        write_table(ws, ["No", "Pangkat Nama", "Satfung", "Username TikTok", *video_headers, "Total", "Status"],
                    rows, [6, 34, 24, 24, *([16] * len(video_headers)), 8, 18])
    links = wb.create_sheet(sheet_title("Daftar Video", used))
    write_table(links, ["No", "Waktu Upload (WIB)", "Link"],
                [[i, f"{p.posted_at.astimezone(now.tzinfo):%d/%m/%Y %H.%M}", p.url] for i, p in enumerate(report.posts, 1)],
                [6, 20, 70])
    return to_document(wb, _file_name("Rekap_Komentar_TikTok", report.client.id, report.period.slug()),
                       _caption("Rekap komentar TikTok", report, now))


def attendance_workbook(report: AttendanceReport, now: datetime) -> Document:
    return likes_recap_workbook(report, now) if report.platform is Platform.INSTAGRAM \
        else comments_recap_workbook(report, now)


# --------------------------------------------------------------------------- option 22

def ranking_workbook(ranking: EngagementRanking, now: datetime) -> Document:
    """Option 22: one row per satker, Instagram and TikTok side by side, best first."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Ranking"
    rows = [
        [r.rank, r.name, r.personnel,
         r.instagram.engaged, r.personnel - r.instagram.engaged - r.instagram.tanpa_username, r.instagram.tanpa_username,
         r.tiktok.engaged, r.personnel - r.tiktok.engaged - r.tiktok.tanpa_username, r.tiktok.tanpa_username,
         r.total_engaged, round(r.percent, 1)]
        for r in ranking.rows
    ]
    write_table(ws, ["Peringkat", "Satker", "Jumlah Personel", "IG Sudah", "IG Belum", "IG Username Kosong",
                     "TikTok Sudah", "TikTok Belum", "TikTok Username Kosong", "TOTAL Sudah", "Capaian (%)"],
                rows, [10, 34, 16, 10, 10, 18, 13, 13, 22, 13, 13])
    period = ranking.period
    info = wb.create_sheet("Keterangan")
    write_table(info, ["Keterangan", "Nilai"], [
        ["Client", ranking.client.name],
        ["Periode", period.label()],
        ["Konten Instagram", len(ranking.attendance.instagram.posts)],
        ["Konten TikTok", len(ranking.attendance.tiktok.posts)],
        ["Sudah", "personel yang melaksanakan minimal satu tugas pada periode ini"],
        ["Dibuat", f"{now:%d/%m/%Y} {id_time(now)}"],
    ], [24, 70])
    return to_document(wb, _file_name("Ranking_Engagement", ranking.client.id, period.slug()),
                       f"Ranking engagement jajaran {ranking.client.name}, {period.label()}")
