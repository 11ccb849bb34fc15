"""Excel renderers: workbooks built in memory, returned as `Document`s ready to send.

Every sheet is laid out by `sheet_layout.write_table` (title rows with client,
period and generation time, frozen header, fitted widths, coloured status
cells, printable page setup, texts never formulas); file names carry the client
and the period (`Rekap_Likes_Instagram_DITBINMAS_2026-11-25.xlsx`).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from openpyxl import Workbook

from core.chat_port import XLSX_MIMETYPE, Document
from handlers.reports.attendance import (
    BELUM, CAPAIAN, DONE, KURANG, LENGKAP, MISSING, PERSONNEL, SUDAH, TANPA_USERNAME, TASKS, TASKS_ASSIGNED,
    TASKS_DONE, AttendanceReport, Figure, PersonAttendance, Platform, Tally,
)
from handlers.reports.formatting import id_time, safe_name
from handlers.reports.recaps import EngagementRanking, UnitScore
from handlers.reports.sheet_layout import SheetTitle, write_table

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def header(figure: Figure, platform: Platform | None = None, *, prefix: str = "") -> str:
    """A column header from a figure's label: 'Capaian tugas (%)', 'Instagram – Belum melaksanakan'."""
    label = figure.label_for(platform) + (" (%)" if figure.unit == "%" else "")
    return f"{prefix} – {label}" if prefix else label


def percent_cell(value: float | None):
    return None if value is None else round(value, 1)


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet title (≤ 31 chars, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def to_document(wb: Workbook, filename: str, caption: str | None = None) -> Document:
    buffer = io.BytesIO()
    wb.save(buffer)
    return Document(data=buffer.getvalue(), filename=filename, mimetype=XLSX_MIMETYPE, caption=caption)


def _file_name(kind: str, client_id: str, slug: str) -> str:
    return f"{kind}_{safe_name(client_id)}_{slug}.xlsx"


def _caption(title: str, report: AttendanceReport, now: datetime) -> str:
    return f"{title} {report.client.name}, {report.period.label()} (dibuat {id_time(now)})"


def report_title(report: AttendanceReport, now: datetime, heading: str) -> SheetTitle:
    return SheetTitle(report.client.name, report.period.label(), now, heading)


def post_headers(report: AttendanceReport, tz, noun: str) -> list[str]:
    """One column header per task: `<noun> <n> (<upload time>)`, with the date when the period spans days."""
    fmt = "%H.%M" if report.period.is_single_day else "%d/%m %H.%M"
    return [f"{noun} {i} ({p.posted_at.astimezone(tz):{fmt}})" for i, p in enumerate(report.posts, 1)]


def post_marks(person: PersonAttendance, posts) -> list[int]:
    """1 for each of `posts` the person did, else 0 (a report built `with_post_ids=True`)."""
    done = person.done_post_ids or frozenset()
    return [1 if post.post_id in done else 0 for post in posts]


SUMMARY_FIGURES = (PERSONNEL, LENGKAP, KURANG, BELUM, TANPA_USERNAME, TASKS_DONE, TASKS_ASSIGNED)


def _summary_row(t: Tally, tasks: int) -> list:
    return [t.personnel, tasks, *(t.value(f) for f in SUMMARY_FIGURES[1:]), percent_cell(t.capaian)]


def _summary_sheet(wb: Workbook, report: AttendanceReport, used: set[str], title: SheetTitle) -> None:
    """One row per satker (the directorate first, then by performance) and a TOTAL row."""
    ws = wb.active
    ws.title = sheet_title("Ringkasan", used)
    tasks = len(report.posts)
    rows = [[i, s.name, *_summary_row(s.tally, tasks)] for i, s in enumerate(report.satkers, 1)]
    rows.append(["", "TOTAL", *_summary_row(report.tally, tasks)])
    headers = ["No", "Satker", header(PERSONNEL), header(TASKS),
               *(header(f, report.platform) for f in SUMMARY_FIGURES[1:]), header(CAPAIAN)]
    write_table(ws, headers, rows, title=title.with_heading(f"{title.heading} — ringkasan per satker"))


# --------------------------------------------------------------------------- option 19

def _person_headers(report: AttendanceReport) -> list[str]:
    return ["No", "Pangkat Nama", "Divisi / Satfung", f"Username {report.platform.label}"]


def likes_recap_workbook(report: AttendanceReport, now: datetime) -> Document:
    """Option 19: a summary sheet, then one sheet per satker; per person tasks / done / not done / status."""
    wb = Workbook()
    used: set[str] = set()
    title = report_title(report, now, "Rekap likes Instagram")
    _summary_sheet(wb, report, used, title)
    for s in report.satkers:
        ws = wb.create_sheet(sheet_title(s.name, used))
        rows = [[i, p.display_name, p.division, p.username or "", p.tasks, p.done, p.missing, p.category.label]
                for i, p in enumerate(s.people, 1)]
        write_table(ws, [*_person_headers(report), header(TASKS), header(DONE), header(MISSING), "Status"],
                    rows, title=title.with_heading(f"{title.heading} — {s.name}"), status_column=7)
    return to_document(wb, _file_name("Rekap_Likes_Instagram", report.client.id, report.period.slug()),
                       _caption("Rekap likes Instagram", report, now))


# --------------------------------------------------------------------------- option 20

def comments_recap_workbook(report: AttendanceReport, now: datetime) -> Document:
    """Option 20: a summary sheet, then one sheet per satker; 1/0 per video, tasks done, status.

    Needs a report built `with_post_ids=True`."""
    wb = Workbook()
    used: set[str] = set()
    title = report_title(report, now, "Rekap komentar TikTok")
    _summary_sheet(wb, report, used, title)
    video_headers = post_headers(report, now.tzinfo, "Video")
    for s in report.satkers:
        ws = wb.create_sheet(sheet_title(s.name, used))
        rows = []
        for i, p in enumerate(s.people, 1):
            marks = post_marks(p, report.posts)
            rows.append([i, p.display_name, p.division, p.username or "", *marks, p.done, p.category.label])
        write_table(ws, [*_person_headers(report), *video_headers, header(DONE), "Status"],
                    rows, title=title.with_heading(f"{title.heading} — {s.name}"),
                    status_column=5 + len(video_headers))
    links = wb.create_sheet(sheet_title("Daftar Video", used))
    write_table(links, ["No", "Waktu Upload (WIB)", "Link"],
                [[i, f"{p.posted_at.astimezone(now.tzinfo):%d/%m/%Y %H.%M}", p.url] for i, p in enumerate(report.posts, 1)],
                title=title.with_heading(f"{title.heading} — daftar video"))
    return to_document(wb, _file_name("Rekap_Komentar_TikTok", report.client.id, report.period.slug()),
                       _caption("Rekap komentar TikTok", report, now))


def attendance_workbook(report: AttendanceReport, now: datetime) -> Document:
    return likes_recap_workbook(report, now) if report.platform is Platform.INSTAGRAM \
        else comments_recap_workbook(report, now)


# --------------------------------------------------------------------------- option 22

RANKING_PLATFORM_FIGURES = (SUDAH, BELUM, TANPA_USERNAME)


def _ranking_row(rank, u: UnitScore) -> list:
    c = u.combined
    per_platform = [t.value(f) for t in (u.instagram, u.tiktok) for f in RANKING_PLATFORM_FIGURES]
    return [rank, u.name, u.personnel, *per_platform, c.tasks_done, c.tasks_assigned, percent_cell(c.capaian)]


def ranking_workbook(ranking: EngagementRanking, now: datetime) -> Document:
    """Option 22: the directorate's own row, then every satker by performance, then a TOTAL row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Ranking"
    rows = [_ranking_row("-" if r.rank is None else r.rank, r.unit) for r in ranking.rows]
    rows.append(_ranking_row("", ranking.total))
    headers = ["Peringkat", "Satker", header(PERSONNEL),
               *(header(f, p, prefix=p.label) for p in Platform for f in RANKING_PLATFORM_FIGURES),
               header(TASKS_DONE), header(TASKS_ASSIGNED), header(CAPAIAN)]
    period = ranking.period
    title = SheetTitle(ranking.client.name, period.label(), now, "Ranking engagement jajaran")
    write_table(ws, headers, rows, title=title)
    info = wb.create_sheet("Keterangan")
    write_table(info, ["Keterangan", "Nilai"], [
        ["Client", ranking.client.name],
        ["Periode", period.label()],
        [f"{TASKS.label} Instagram", len(ranking.attendance.instagram.posts)],
        [f"{TASKS.label} TikTok", len(ranking.attendance.tiktok.posts)],
        [CAPAIAN.label, "tugas terlaksana dibanding tugas personel yang sudah mengisi username (Instagram + TikTok)"],
        ["Dibuat", f"{now:%d/%m/%Y} {id_time(now)}"],
    ], title=title.with_heading(f"{title.heading} — keterangan"))
    return to_document(wb, _file_name("Ranking_Engagement", ranking.client.id, period.slug()),
                       f"Ranking engagement jajaran {ranking.client.name}, {period.label()}")
