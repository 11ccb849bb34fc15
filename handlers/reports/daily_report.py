"""Options 17 and 18: the daily report of one platform — a narrative, two TXT attachments and the Excel.

    report = await build_daily_report(pool, client, Period.today(now), Platform.INSTAGRAM, rules=rules)
    daily_report_parts(report, now)     # (narrative, all-engagement TXT, not-done TXT, Excel)

One attendance report (`build_attendance`) feeds all four parts, so the
narrative, the TXT lists and the Excel (option 19's / 20's workbook,
`excel.attendance_workbook`) show the same figures. The original always
reported DITBINMAS (`lapharDitbinmas`); here it is the chosen client: a
directorate per satker, another client per division.

TXT files: `Absensi_All_Engagement_<Platform>_<CLIENT>_<date>.txt` lists every
person per satker and division with tasks done and status;
`Absensi_Belum_<Platform>_<CLIENT>_<date>.txt` only those not lengkap
(kurang, belum, without a username).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.chat_port import Document
from core.clock import local_day
from db.clients import Client
from db.pool import Executor
from handlers.reports.attendance import (
    CAPAIAN, PERSONNEL, TASKS, AttendanceReport, AttendanceRules, Category, DivisionAttendance, PersonAttendance,
    Period, Platform, Tally, build_attendance, division_label,
)
from handlers.reports.excel import attendance_workbook
from handlers.reports.formatting import greeting, id_number, id_time, id_weekday_date, safe_name
from handlers.reports.recaps import top_and_bottom
from handlers.reports.sections import Section, render_sections
from handlers.reports.text import (
    capaian_text, figure_text, no_content_text, no_personnel_text, percent_text, period_phrase, tally_line, totals_lines,
)

TXT_MIMETYPE = "text/plain"
TOP_N = 5
NOT_DONE = (Category.KURANG, Category.BELUM, Category.TANPA_USERNAME)


@dataclass(frozen=True)
class UnitTally:
    name: str
    tally: Tally
    divisions: list[DivisionAttendance]


@dataclass(frozen=True)
class DailyReport:
    attendance: AttendanceReport
    unit_kind: str                      # "satker" or "divisi"
    units: list[UnitTally]              # in the one order (the directorate's own staff first)
    top: list[UnitTally]                # best first (the directorate's own staff not ranked)
    bottom: list[UnitTally]             # worst first, never overlapping `top`

    @property
    def client(self) -> Client:
        return self.attendance.client

    @property
    def platform(self) -> Platform:
        return self.attendance.platform

    @property
    def has_tasks(self) -> bool:
        return self.attendance.has_tasks


def daily_report(attendance: AttendanceReport) -> DailyReport:
    satkers = [s for s in attendance.satkers if s.tally.personnel]
    if len(satkers) > 1:
        units = [UnitTally(s.name, s.tally, s.divisions) for s in attendance.satkers]
        ranked = [UnitTally(s.name, s.tally, s.divisions) for s in attendance.satkers
                  if s.client_id != attendance.client.id and s.tally.capaian is not None]
        kind = "satker"
    else:
        units = [UnitTally(division_label(d.name), d.tally, [d]) for d in attendance.divisions]
        ranked = [u for u in units if u.tally.capaian is not None]
        kind = "divisi"
    top, bottom = top_and_bottom(ranked, TOP_N)
    return DailyReport(attendance, kind, units, top, bottom)


async def build_daily_report(db: Executor, client: Client, period: Period, platform: Platform, *,
                             rules: AttendanceRules) -> DailyReport:
    attendance = await build_attendance(db, client, period, platform, rules=rules,
                                        with_post_ids=platform is Platform.TIKTOK)  # option 20's 1/0 columns
    return daily_report(attendance)


# --------------------------------------------------------------------------- files

def _file_name(kind: str, report: DailyReport) -> str:
    a = report.attendance
    return f"{kind}_{report.platform.label}_{safe_name(a.client.id)}_{a.period.slug()}.txt"


def _person_line(p: PersonAttendance) -> str:
    who = f"{p.display_name} (@{p.username})" if p.username else f"{p.display_name} (username kosong)"
    if p.category is Category.TANPA_USERNAME:
        return f"- {who} — {p.category.label}"
    return f"- {who} — {p.done}/{p.tasks} konten — {p.category.label}"


def _txt(report: DailyReport, title: str, now: datetime, wanted: tuple[Category, ...] | None) -> str:
    a = report.attendance
    lines = [title.upper(), a.client.name, f"Periode: {a.period.label()}",
             f"Dibuat: {id_weekday_date(local_day(now))}, pukul {id_time(now)}",
             figure_text(TASKS, a.task_count), *(f"{i}. {p.url}" for i, p in enumerate(a.posts, 1)), ""]
    lines += totals_lines(a.tally, a.platform, bold=False)
    for i, unit in enumerate(report.units, 1):
        people = [p for d in unit.divisions for p in d.people if wanted is None or p.category in wanted]
        lines += ["", f"== {i}. {unit.name} =="]
        if not unit.tally.personnel:
            lines.append("Belum ada data personel.")
            continue
        lines.append(f"{figure_text(PERSONNEL, unit.tally.personnel)}; {capaian_text(unit.tally)}")
        if wanted is not None:
            lines.append(f"Belum lengkap: {id_number(len(people))} pers")
        if not people:
            lines.append("-")
            continue
        for d in unit.divisions:
            members = [p for p in d.people if wanted is None or p.category in wanted]
            if members:
                lines += [f"[{division_label(d.name)}]", *(_person_line(p) for p in members)]
    return "\n".join(lines) + "\n"


def txt_documents(report: DailyReport, now: datetime) -> tuple[Document, Document]:
    what = f"absensi {report.platform.action} {report.platform.label}"
    everyone = _txt(report, f"Absensi semua personel — {what}", now, None)
    not_done = _txt(report, f"Personel belum lengkap — {what}", now, NOT_DONE)
    return (Document(everyone.encode(), _file_name("Absensi_All_Engagement", report), TXT_MIMETYPE,
                     f"Daftar semua personel, {what}"),
            Document(not_done.encode(), _file_name("Absensi_Belum", report), TXT_MIMETYPE,
                     f"Daftar personel belum lengkap, {what}"))


# --------------------------------------------------------------------------- narrative

def render_daily_report(report: DailyReport, now: datetime, attachments: list[str]) -> str:
    a = report.attendance
    if not a.has_tasks:
        return no_content_text(a, now)
    if not a.people:
        return no_personnel_text(a.client.name)
    what = f"{a.platform.action} {a.platform.label}"
    lines = [
        f"{greeting(now)}, mohon izin Komandan.",
        "",
        f"📝 *Laporan Harian {a.platform.action.capitalize()} {a.platform.label}*",
        f"*{a.client.name}*",
        f"Periode: {a.period.label()}",
        f"Dibuat: {id_weekday_date(local_day(now))}, pukul {id_time(now)}",
        *([f"Data likes/komentar per: {id_time(a.data_fetched_at)}"] if a.data_fetched_at else []),
        "",
        f"Melaporkan pelaksanaan tugas {what} personel *{a.client.name}* {period_phrase(a.period, now)}: "
        f"{id_number(a.tally.tasks_done)} dari {id_number(a.tally.tasks_assigned)} tugas personel terlaksana "
        f"({CAPAIAN.label.lower()} {percent_text(a.tally.capaian)}).",
    ]
    unit = report.unit_kind
    lines += render_sections([
        Section("Konten", [figure_text(TASKS, a.task_count), *(f"{i}. {p.url}" for i, p in enumerate(a.posts, 1))]),
        Section("Rekapitulasi personel", totals_lines(a.tally, a.platform)),
        Section(f"🔥 {len(report.top)} {unit} tertinggi", [tally_line(i, u.name, u.tally)
                                                          for i, u in enumerate(report.top, 1)],
                suffix=f" ({CAPAIAN.label})"),
        Section(f"❄️ {len(report.bottom)} {unit} terendah", [tally_line(i, u.name, u.tally)
                                                            for i, u in enumerate(report.bottom, 1)],
                suffix=f" ({CAPAIAN.label})"),
        Section("Lampiran", [f"{i}. {name}" for i, name in enumerate(attachments, 1)]),
    ])
    lines += ["", "Mohon arahan Komandan agar personel yang belum melaksanakan segera menindaklanjuti. Terima kasih."]
    return "\n".join(lines)


def daily_report_parts(report: DailyReport, now: datetime) -> tuple[tuple, bool]:
    """(parts, empty): the narrative, the two TXT files and the Excel; only the text when nothing to report."""
    a = report.attendance
    if not a.has_tasks or not a.people:
        return (render_daily_report(report, now, []),), not a.has_tasks
    files = [*txt_documents(report, now), attendance_workbook(a, now)]
    return (render_daily_report(report, now, [f.filename for f in files]), *files), False
