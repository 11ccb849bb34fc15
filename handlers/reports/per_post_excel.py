"""Options 28 and 29: the per-post workbook — one row per person, one column per post, 1 (done) or 0.

A directorate gets one sheet per satker (the directorate's own staff first,
then the satker in the one order), a single client one sheet of all its
personnel; a last sheet lists the posts behind the column numbers (time, id —
the Instagram shortcode or the TikTok video id —, link). A person's marks add
up to their "Konten dikerjakan" (an exception person with a username has every
task done, as in every other report); a person without a username has no task
and every mark 0. Each sheet ends with a JUMLAH row: per post, how many of the
sheet's people did it.

The size is bounded: more than `MAX_POSTS` posts or `MAX_PEOPLE` people is
refused with a text (`too_large_text`) instead of a workbook nobody can open on
a phone.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from core.chat_port import Document
from handlers.reports.attendance import DONE, AttendanceReport, PersonAttendance, Platform
from handlers.reports.excel import _file_name, header, post_headers, post_marks, sheet_title, to_document
from handlers.reports.formatting import id_number
from handlers.reports.sheet_layout import SheetTitle, write_table

MAX_POSTS = 200
MAX_PEOPLE = 20_000
TOTAL_LABEL = "JUMLAH"

_KIND = {Platform.INSTAGRAM: ("Rekap_Likes_Per_Konten_Instagram", "Rekap likes Instagram per konten"),
         Platform.TIKTOK: ("Rekap_Komentar_Per_Konten_TikTok", "Rekap komentar TikTok per konten")}


def too_large_text(report: AttendanceReport) -> str | None:
    """Why the workbook is not built (Indonesian), or None when it fits the bounds."""
    posts, people = len(report.posts), len(report.people)
    if posts <= MAX_POSTS and people <= MAX_PEOPLE:
        return None
    return (f"⚠️ Rekap per konten {report.platform.label} *{report.client.name}* {report.period.label()} terlalu "
            f"besar untuk satu file ({id_number(posts)} konten × {id_number(people)} personel; batas "
            f"{id_number(MAX_POSTS)} konten dan {id_number(MAX_PEOPLE)} personel). Pilih periode yang lebih pendek "
            "atau gunakan rekap Excel per satker.")


def _sheet(wb: Workbook, name: str, people: list[PersonAttendance], report: AttendanceReport, headers: list[str],
           title: SheetTitle, used: set[str]) -> None:
    ws = wb.create_sheet(sheet_title(name, used))
    rows, totals = [], [0] * len(report.posts)
    for i, person in enumerate(people, 1):
        marks = post_marks(person, report.posts)
        totals = [a + b for a, b in zip(totals, marks)]
        rows.append([i, person.display_name, person.division, person.username or "", *marks, person.done,
                     person.category.label])
    rows.append(["", TOTAL_LABEL, "", "", *totals, sum(totals), ""])
    columns = ["No", "Pangkat Nama", "Divisi / Satfung", f"Username {report.platform.label}", *headers,
               header(DONE), "Status"]
    write_table(ws, columns, rows, title=title.with_heading(f"{title.heading} — {name}"),
                status_column=len(columns) - 1)


def per_post_workbook(report: AttendanceReport, now: datetime) -> Document:
    """The workbook of a report built `with_post_ids=True` (check `too_large_text` first)."""
    if report.posts and report.people and report.people[0].done_post_ids is None:
        raise ValueError("per_post_workbook needs a report built with_post_ids=True")
    kind, heading = _KIND[report.platform]
    title = SheetTitle(report.client.name, report.period.label(), now, heading)
    headers = post_headers(report, now.tzinfo, "Konten")
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    if report.client.is_directorate:
        for satker in report.satkers:
            _sheet(wb, satker.name, satker.people, report, headers, title, used)
    else:
        _sheet(wb, report.client.name, list(report.people), report, headers, title, used)
    posts = wb.create_sheet(sheet_title("Daftar Konten", used))
    id_label = "Shortcode" if report.platform is Platform.INSTAGRAM else "ID Video"
    write_table(posts, ["No", "Waktu Upload (WIB)", id_label, "Link"],
                [[i, f"{p.posted_at.astimezone(now.tzinfo):%d/%m/%Y %H.%M}", p.post_id, p.url]
                 for i, p in enumerate(report.posts, 1)],
                title=title.with_heading(f"{heading} — daftar konten"))
    return to_document(wb, _file_name(kind, report.client.id, report.period.slug()),
                       f"{heading} {report.client.name}, {report.period.label()}")
