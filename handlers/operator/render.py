"""Operator recap texts: attendance narrowed to "sudah" or "belum", per division.

The whole recap ("semua") is the directorate menu's per-division report
(`handlers/reports/text.render_division_detail`); these two narrow the same
report to the people an operator acts on, with the definitions' labels.
"""

from __future__ import annotations

from datetime import datetime

from core.clock import local_day
from handlers.reports.attendance import (
    BELUM, PERSONNEL, SUDAH, TANPA_USERNAME, AttendanceReport, Category, PersonAttendance, Platform, division_label,
)
from handlers.reports.formatting import id_time, id_weekday_date
from handlers.reports.text import figure_text, no_content_text, no_personnel_text

MODES = {"sudah": SUDAH, "belum": BELUM}
_SECTIONS = {
    "sudah": ((Category.LENGKAP, Category.KURANG),),
    "belum": ((Category.BELUM,), (Category.TANPA_USERNAME,)),
}


def _title(report: AttendanceReport) -> str:
    return "Absensi Likes Instagram" if report.platform is Platform.INSTAGRAM else "Absensi Komentar TikTok"


def _line(p: PersonAttendance) -> str:
    if p.category is Category.TANPA_USERNAME:
        return f"- {p.display_name}"
    return f"- {p.display_name} — {p.done}/{p.tasks}"


def render_attendance_mode(report: AttendanceReport, mode: str, now: datetime) -> str:
    """Per division, only the people who have done their tasks (`sudah`) or not (`belum`)."""
    if not report.has_tasks:
        return no_content_text(report, now)
    if not report.people:
        return no_personnel_text(report.client.name)
    figure = MODES[mode]
    groups = _SECTIONS[mode]
    labels = [SUDAH.label if mode == "sudah" else BELUM.label, TANPA_USERNAME.label_for(report.platform)]
    t = report.tally
    lines = [f"📋 *{_title(report)} — {figure.label}*", f"*{report.client.name}*",
             f"{id_weekday_date(local_day(now))}, pukul {id_time(now)}", "",
             figure_text(PERSONNEL, t.personnel), figure_text(figure, t.value(figure))]
    if mode == "belum":
        lines.append(figure_text(TANPA_USERNAME, t.tanpa_username, report.platform))
    shown = 0
    for division in report.divisions:
        blocks = []
        for label, categories in zip(labels, groups):
            members = [p for p in division.people if p.category in categories]
            if members:
                blocks += [f"{label} ({len(members)} pers):"] + [_line(p) for p in members]
                shown += len(members)
        if blocks:
            lines += ["", f"*{division_label(division.name)}*"] + blocks
    if not shown:
        lines += ["", "Tidak ada personel dalam daftar ini."]
    return "\n".join(lines)
