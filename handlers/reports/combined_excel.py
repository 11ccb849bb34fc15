"""Option 21's workbook: the combined recap's units, every person on both platforms, and the tasks.

Sheets:
- `Ringkasan`: one row per unit of the recap (satker, or divisions for a
  single client) in the recap's order, then TOTAL: personnel, per platform
  sudah / belum / belum mengisi username, and on both platforms tugas
  terlaksana, tugas personel, capaian tugas and sisa tugas — the figures the
  recap's text shows, under the definitions' labels;
- `Personel`: one row per person: satker, division, and per platform username,
  konten dikerjakan and status (coloured);
- `Daftar Konten`: the Instagram and TikTok tasks with their links.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from core.chat_port import Document
from handlers.reports.attendance import (
    BACKLOG, BELUM, CAPAIAN, DONE, PERSONNEL, SUDAH, TANPA_USERNAME, TASKS_ASSIGNED, TASKS_DONE, PersonAttendance,
    Platform,
)
from handlers.reports.excel import _file_name, header, percent_cell, sheet_title, to_document
from handlers.reports.formatting import safe_name
from handlers.reports.recaps import CombinedRecap, UnitScore
from handlers.reports.sheet_layout import SheetTitle, write_table

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
PLATFORM_FIGURES = (SUDAH, BELUM, TANPA_USERNAME)


def _unit_row(no, u: UnitScore) -> list:
    c = u.combined
    per_platform = [t.value(f) for t in (u.instagram, u.tiktok) for f in PLATFORM_FIGURES]
    return [no, u.name, u.personnel, *per_platform, c.tasks_done, c.tasks_assigned, percent_cell(c.capaian),
            c.backlog]


def _summary(wb: Workbook, recap: CombinedRecap, title: SheetTitle, used: set[str]) -> None:
    ws = wb.active
    ws.title = sheet_title("Ringkasan", used)
    rows = [_unit_row(i, u) for i, u in enumerate(recap.units, 1)]
    ig, tt = recap.attendance.instagram.tally, recap.attendance.tiktok.tally
    rows.append(_unit_row("", UnitScore("TOTAL", "TOTAL", False, ig, tt)))
    headers = ["No", recap.unit_kind.capitalize(), header(PERSONNEL),
               *(header(f, p, prefix=p.label) for p in (IG, TT) for f in PLATFORM_FIGURES),
               header(TASKS_DONE), header(TASKS_ASSIGNED), header(CAPAIAN), header(BACKLOG)]
    write_table(ws, headers, rows, title=title.with_heading(f"{title.heading} — per {recap.unit_kind}"))


def _people(wb: Workbook, recap: CombinedRecap, title: SheetTitle, used: set[str]) -> None:
    ws = wb.create_sheet(sheet_title("Personel", used))
    tiktok: dict[str, PersonAttendance] = {p.nrp: p for p in recap.attendance.tiktok.people}
    rows = []
    for i, p in enumerate(recap.attendance.instagram.people, 1):
        t = tiktok.get(p.nrp)
        rows.append([i, p.client_name, p.display_name, p.division,
                     p.username or "", p.done, p.category.label,
                     (t.username or "") if t else "", t.done if t else None, t.category.label if t else ""])
    headers = ["No", "Satker", "Pangkat Nama", "Divisi / Satfung",
               f"Username {IG.label}", header(DONE, prefix=IG.label), f"{IG.label} – Status",
               f"Username {TT.label}", header(DONE, prefix=TT.label), f"{TT.label} – Status"]
    write_table(ws, headers, rows, title=title.with_heading(f"{title.heading} — per personel"), status_column=(6, 9))


def _posts(wb: Workbook, recap: CombinedRecap, now: datetime, title: SheetTitle, used: set[str]) -> None:
    ws = wb.create_sheet(sheet_title("Daftar Konten", used))
    rows, n = [], 0
    for report in recap.attendance.reports():
        for p in report.posts:
            n += 1
            rows.append([n, report.platform.label, f"{p.posted_at.astimezone(now.tzinfo):%d/%m/%Y %H.%M}", p.url])
    write_table(ws, ["No", "Platform", "Waktu Upload (WIB)", "Link"], rows,
                title=title.with_heading(f"{title.heading} — daftar konten"))


def combined_recap_workbook(recap: CombinedRecap, now: datetime) -> Document:
    heading = "Rekap gabungan semua sosmed"
    title = SheetTitle(recap.client.name, recap.period.label(), now, heading)
    wb = Workbook()
    used: set[str] = set()
    _summary(wb, recap, title, used)
    _people(wb, recap, title, used)
    _posts(wb, recap, now, title, used)
    return to_document(wb, _file_name("Rekap_Gabungan_Sosmed", recap.client.id, recap.period.slug()),
                       f"{heading} {recap.client.name}, {recap.period.label()}")


def chart_file_name(recap: CombinedRecap) -> str:
    return f"Grafik_Capaian_{safe_name(recap.client.id)}_{recap.period.slug()}.png"
