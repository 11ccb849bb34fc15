"""The Anev workbook (`GET /api/dashboard/anev/export`): summary, timeline, units and persons.

Column headers are the figures' labels (`handlers.reports.attendance.definitions`),
the numbers those of `handlers.reports.anev.Anev`, so the file says what the
dashboard's Anev page shows.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from core.chat_port import Document
from handlers.reports.anev import Anev
from handlers.reports.attendance import (
    BELUM, CAPAIAN, KURANG, LENGKAP, PERSONNEL, TANPA_USERNAME, TASKS, TASKS_ASSIGNED, TASKS_DONE, Platform, Tally,
)
from handlers.reports.excel import header, percent_cell, sheet_title, to_document, _file_name
from handlers.reports.sheet_layout import SheetTitle, write_table
from handlers.reports.formatting import id_date, id_time

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
TALLY_FIGURES = (PERSONNEL, LENGKAP, KURANG, BELUM, TANPA_USERNAME, TASKS_ASSIGNED, TASKS_DONE)


def _tally_cells(t: Tally) -> list:
    return [*(t.value(f) for f in TALLY_FIGURES), percent_cell(t.capaian)]


def _tally_headers(platform: Platform) -> list[str]:
    return [header(f, platform, prefix=platform.label) for f in (*TALLY_FIGURES, CAPAIAN)]


def _summary(wb: Workbook, anev: Anev, now: datetime, used: set[str], title: SheetTitle) -> None:
    ws = wb.active
    ws.title = sheet_title("Ringkasan", used)
    rows = [
        ["Client", anev.client.name],
        ["Periode", anev.period.label()],
        ["Dibuat", f"{id_date(now.date())} pukul {id_time(now)}"],
        [header(PERSONNEL), anev.ig.tally.personnel],
        [header(TASKS, IG, prefix=IG.label), anev.ig.task_count],
        [header(TASKS, TT, prefix=TT.label), anev.tt.task_count],
    ]
    for platform, report in ((IG, anev.ig), (TT, anev.tt)):
        rows += [[label, value] for label, value in zip(_tally_headers(platform)[1:], _tally_cells(report.tally)[1:])]
    rows += [[header(TASKS_ASSIGNED, prefix="Total"), anev.tally.tasks_assigned],
             [header(TASKS_DONE, prefix="Total"), anev.tally.tasks_done],
             [header(CAPAIAN, prefix="Total"), percent_cell(anev.tally.capaian)]]
    write_table(ws, ["Keterangan", "Nilai"], rows, title=title.with_heading("Anev — ringkasan"))


def _timeline(wb: Workbook, anev: Anev, used: set[str], title: SheetTitle) -> None:
    ws = wb.create_sheet(sheet_title("Per Hari", used))
    rows = [[b.period.label(), b.ig_tasks, b.ig.tasks_done, percent_cell(b.ig.capaian), b.tt_tasks, b.tt.tasks_done,
             percent_cell(b.tt.capaian)] for b in anev.timeline]
    headers = ["Periode", header(TASKS, IG, prefix=IG.label), header(TASKS_DONE, prefix=IG.label),
               header(CAPAIAN, prefix=IG.label), header(TASKS, TT, prefix=TT.label),
               header(TASKS_DONE, prefix=TT.label), header(CAPAIAN, prefix=TT.label)]
    write_table(ws, headers, rows, title=title.with_heading("Anev — per hari"))


def _units(wb: Workbook, anev: Anev, used: set[str], title: SheetTitle) -> None:
    ws = wb.create_sheet(sheet_title("Per Satker" if anev.by_satker else "Per Satfung", used))
    rows = [[i, u.name, *_tally_cells(u.ig), *_tally_cells(u.tt)[1:], percent_cell(u.tally.capaian)]
            for i, u in enumerate(anev.units, 1)]
    headers = ["No", "Satker" if anev.by_satker else "Satfung", *_tally_headers(IG), *_tally_headers(TT)[1:],
               header(CAPAIAN, prefix="Total")]
    write_table(ws, headers, rows, title=title.with_heading(f"Anev — {ws.title.lower()}"))


def _people(wb: Workbook, anev: Anev, used: set[str], title: SheetTitle) -> None:
    ws = wb.create_sheet(sheet_title("Per Personel", used))
    rows = [[i, p.nrp, f"{p.rank} {p.name}".strip() if p.rank else p.name, p.client_name, p.division,
             p.instagram or "-", p.ig_done if p.instagram else "-", p.tiktok or "-", p.tt_done if p.tiktok else "-",
             p.assigned, p.completed, percent_cell(p.capaian)] for i, p in enumerate(anev.people, 1)]
    headers = ["No", "NRP", "Pangkat Nama", "Satker", "Satfung", "Username Instagram",
               header(TASKS_DONE, prefix=IG.label), "Username TikTok", header(TASKS_DONE, prefix=TT.label),
               header(TASKS_ASSIGNED), header(TASKS_DONE), header(CAPAIAN)]
    write_table(ws, headers, rows, title=title.with_heading("Anev — per personel"))


def anev_workbook(anev: Anev, now: datetime) -> Document:
    wb = Workbook()
    used: set[str] = set()
    title = SheetTitle(anev.client.name, anev.period.label(), now, "Anev")
    _summary(wb, anev, now, used, title)
    _timeline(wb, anev, used, title)
    _units(wb, anev, used, title)
    _people(wb, anev, used, title)
    return to_document(wb, _file_name("Anev", anev.client.id, anev.period.slug()),
                       caption=f"Anev {anev.client.name}, {anev.period.label()}")
