"""Every report by its stable action id, built for a client and a period without a chat.

The one path from "which report" to "what to send": the dirrequest options
(`handlers/dirrequest/actions.py`) and the scheduled report subscriptions both
call `REPORTS[action_id].build(BuildRequest(...))` and send the `ReportOutput`'s
parts in order — a text, an Excel file, a chart — so a recap reads the same
whether an admin asked for it or the schedule delivered it.

A report whose period has nothing to report (no tasks yet, no personnel) says
so in its text and sets `ReportOutput.empty`, so a subscription with
skip-if-empty can stay silent.

`ReportSpec.queued` names the worker builder (`handlers/reports/queued.py`) of a
heavy file report: with `[queue] url` set, a chat request for it is built on a
worker instead of in the bot.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable, Union

import asyncpg

from core.chat_port import Document
from core.settings import Settings
from db.clients import Client
from handlers.reports import text
from handlers.reports.attendance import AttendanceRules, Period, Platform, Scope, build_attendance
from handlers.reports.charts import chart_document, render_combined_recap_chart
from handlers.reports.combined_excel import chart_file_name, combined_recap_workbook
from handlers.reports.completeness import build_completeness
from handlers.reports.daily_report import build_daily_report, daily_report_parts
from handlers.reports.executive import build_executive_report, executive_chart, render_executive
from handlers.reports.kasat_binmas import build_kasat_binmas, render_kasat_binmas
from handlers.reports.queued import REPORT_BUILDERS, period_params
from handlers.reports.recaps import CombinedRecap, KasatkerBands, build_combined_recap, build_kasatker_report
from jobs.queue.kinds import ReportFile, ReportRequest

Part = Union[str, Document]


@dataclass(frozen=True)
class BuildRequest:
    """What a report builder receives: the client, the period and the moment it is built."""

    pool: asyncpg.Pool
    settings: Settings
    client: Client
    period: Period
    now: datetime

    @property
    def rules(self) -> AttendanceRules:
        return AttendanceRules.from_settings(self.settings.attendance)


@dataclass(frozen=True)
class ReportOutput:
    """The messages of one report, in the order they are sent."""

    parts: tuple[Part, ...]
    empty: bool = False             # nothing to report in the period (the text says so)

    @classmethod
    def of(cls, *parts: Part, empty: bool = False) -> "ReportOutput":
        return cls(tuple(parts), empty)

    @property
    def texts(self) -> list[str]:
        return [p for p in self.parts if isinstance(p, str)]

    @property
    def documents(self) -> list[Document]:
        return [p for p in self.parts if isinstance(p, Document)]


Build = Callable[[BuildRequest], Awaitable[ReportOutput]]


@dataclass(frozen=True)
class QueuedBuild:
    """The worker builder of a file report and its JSON params for a request."""

    report: str                                     # a key of REPORT_BUILDERS
    params: Callable[[BuildRequest], dict]


@dataclass(frozen=True)
class ReportSpec:
    id: str                          # the stable action id (dirrequest, subscriptions, tests)
    title: str                       # what `laporan` and the CLI call it
    build: Build
    directorate_only: bool = False   # meaningful only for a directorate client (per-satker reports)
    queued: QueuedBuild | None = None


# --------------------------------------------------------------------------- builders

async def _completeness_recap(req: BuildRequest) -> ReportOutput:
    report = await build_completeness(req.pool, req.client)
    return ReportOutput.of(text.render_completeness_recap(report, req.now))


async def _missing_data(req: BuildRequest) -> ReportOutput:
    report = await build_completeness(req.pool, req.client, scope=Scope.CLIENT)
    return ReportOutput.of(text.render_missing_data(report, req.now))


def _attendance_text(platform: Platform, scope: Scope, render) -> Build:
    async def build(req: BuildRequest) -> ReportOutput:
        report = await build_attendance(req.pool, req.client, req.period, platform, rules=req.rules, scope=scope)
        return ReportOutput.of(render(report, req.now), empty=not report.has_tasks)

    return build


def file_output(file: ReportFile) -> ReportOutput:
    """A worker builder's result as a report output (a text-only result is empty unless it is a refusal)."""
    document = file.document()
    if document is None:
        return ReportOutput.of(file.caption or "", empty=file.nothing_to_report)
    return ReportOutput.of(document)


def _queued_file(queued: QueuedBuild) -> Build:
    async def build(req: BuildRequest) -> ReportOutput:
        file = await REPORT_BUILDERS[queued.report](ReportRequest(
            report=queued.report, params=queued.params(req), pool=req.pool, settings=req.settings, now=req.now))
        return file_output(file)

    return build


def _attendance_excel_params(platform: Platform) -> Callable[[BuildRequest], dict]:
    def params(req: BuildRequest) -> dict:
        return {"client_id": req.client.id, "platform": platform.value, "scope": Scope.DIRECTORATE.value,
                **period_params(req.period)}

    return params


def _client_period_params(req: BuildRequest) -> dict:
    return {"client_id": req.client.id, **period_params(req.period)}


def _per_post_params(platform: Platform) -> Callable[[BuildRequest], dict]:
    def params(req: BuildRequest) -> dict:
        return {"client_id": req.client.id, "platform": platform.value, **period_params(req.period)}

    return params


def _combined_recap_files(recap: CombinedRecap, now: datetime, target: float) -> list[Document]:
    """Option 21's chart (PNG as a document: the chat port has no image message) and its workbook."""
    files = []
    png = render_combined_recap_chart(recap, now, target=target)
    if png is not None:
        files.append(chart_document(png, chart_file_name(recap),
                                    f"Grafik capaian tugas {recap.client.name}, {recap.period.label()}"))
    files.append(combined_recap_workbook(recap, now))
    return files


async def _combined_recap(req: BuildRequest) -> ReportOutput:
    """Option 21: the text, then (when there are tasks and personnel) the chart and the Excel file."""
    recap = await build_combined_recap(req.pool, req.client, req.period, rules=req.rules)
    message = text.render_combined_recap(recap, req.now)
    if not recap.has_tasks or not recap.attendance.instagram.people:
        return ReportOutput.of(message, empty=not recap.has_tasks)
    # drawing and writing the file take CPU for a while: off the event loop, so the bot keeps answering
    files = await asyncio.to_thread(_combined_recap_files, recap, req.now,
                                    req.settings.attendance.kasatker_active_percent)
    return ReportOutput.of(message, *files)


async def _kasatker_report(req: BuildRequest) -> ReportOutput:
    report = await build_kasatker_report(req.pool, req.client, req.period, rules=req.rules,
                                         bands=KasatkerBands.from_settings(req.settings.attendance))
    return ReportOutput.of(text.render_kasatker(report, req.now), empty=not report.has_tasks)


async def _executive_summary(req: BuildRequest) -> ReportOutput:
    report = await build_executive_report(req.pool, req.client, req.period, rules=req.rules)
    text_part = render_executive(report, req.now)
    if not report.has_tasks:
        return ReportOutput.of(text_part, empty=True)
    # drawing takes a few hundred milliseconds of CPU: off the event loop, so the bot keeps answering
    chart = await asyncio.to_thread(executive_chart, report, now=req.now,
                                    target=req.settings.attendance.kasatker_active_percent)
    return ReportOutput.of(text_part, *([chart] if chart else []))


def _kasat_binmas(platform: Platform) -> Build:
    async def build(req: BuildRequest) -> ReportOutput:
        recap = await build_kasat_binmas(req.pool, req.client, req.period, platform, rules=req.rules)
        return ReportOutput.of(render_kasat_binmas(recap, req.now), empty=not recap.has_tasks or not recap.people)

    return build


def _daily_report(platform: Platform) -> Build:
    async def build(req: BuildRequest) -> ReportOutput:
        report = await build_daily_report(req.pool, req.client, req.period, platform, rules=req.rules)
        parts, empty = daily_report_parts(report, req.now)
        return ReportOutput.of(*parts, empty=empty)

    return build


def _file_spec(id: str, title: str, queued: QueuedBuild, **kw) -> ReportSpec:
    return ReportSpec(id, title, _queued_file(queued), queued=queued, **kw)


# --------------------------------------------------------------------------- the table

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK

_SPECS: tuple[ReportSpec, ...] = (
    ReportSpec("completeness_recap", "Rekap kelengkapan data personel", _completeness_recap),
    ReportSpec("missing_data", "Daftar personel yang datanya belum lengkap", _missing_data),
    ReportSpec("ig_likes_by_division", "Absensi likes Instagram per divisi",
               _attendance_text(IG, Scope.CLIENT, text.render_division_detail)),
    ReportSpec("ig_likes_simple", "Absensi likes Instagram (ringkas)",
               _attendance_text(IG, Scope.CLIENT, text.render_simple_lists)),
    ReportSpec("ig_likes_by_satker", "Absensi likes Instagram per satker",
               _attendance_text(IG, Scope.DIRECTORATE, text.render_satker_summary), directorate_only=True),
    ReportSpec("tt_comments_by_satker", "Absensi komentar TikTok per satker",
               _attendance_text(TT, Scope.DIRECTORATE, text.render_satker_summary), directorate_only=True),
    ReportSpec("tt_comments_simple", "Absensi komentar TikTok (ringkas)",
               _attendance_text(TT, Scope.CLIENT, text.render_simple_lists)),
    ReportSpec("tt_comments_by_division", "Absensi komentar TikTok per divisi",
               _attendance_text(TT, Scope.CLIENT, text.render_division_detail)),
    _file_spec("ig_likes_excel", "Rekap likes Instagram (Excel)",
               QueuedBuild("attendance_excel", _attendance_excel_params(IG))),
    _file_spec("tt_comments_excel", "Rekap komentar TikTok (Excel)",
               QueuedBuild("attendance_excel", _attendance_excel_params(TT))),
    ReportSpec("combined_recap", "Rekap gabungan semua sosmed", _combined_recap),
    _file_spec("engagement_ranking_excel", "Ranking engagement jajaran (Excel)",
               QueuedBuild("ranking_excel", _client_period_params), directorate_only=True),
    ReportSpec("kasatker_report", "Laporan kepatuhan Kasatker", _kasatker_report, directorate_only=True),
    ReportSpec("executive_summary", "Ringkasan eksekutif per satker", _executive_summary, directorate_only=True),
    ReportSpec("kasat_binmas_ig_likes", "Absensi likes Instagram Kasat Binmas", _kasat_binmas(IG),
               directorate_only=True),
    ReportSpec("kasat_binmas_tt_comments", "Absensi komentar TikTok Kasat Binmas", _kasat_binmas(TT),
               directorate_only=True),
    ReportSpec("daily_report_ig", "Laporan harian likes Instagram (teks, TXT, Excel)", _daily_report(IG)),
    ReportSpec("daily_report_tt", "Laporan harian komentar TikTok (teks, TXT, Excel)", _daily_report(TT)),
    _file_spec("ig_likes_per_post_excel", "Rekap likes Instagram per konten (Excel)",
               QueuedBuild("per_post_excel", _per_post_params(IG))),
    _file_spec("tt_comments_per_post_excel", "Rekap komentar TikTok per konten (Excel)",
               QueuedBuild("per_post_excel", _per_post_params(TT))),
)

REPORTS: dict[str, ReportSpec] = {s.id: s for s in _SPECS}
if len(REPORTS) != len(_SPECS):  # a duplicate id fails at import, not in a chat or at 18:20
    raise ValueError("report catalog: duplicate action id")


def report_spec(action_id: str) -> ReportSpec | None:
    return REPORTS.get(action_id)


async def build_report(action_id: str, req: BuildRequest) -> ReportOutput:
    """Build one report by its action id (KeyError for an unknown id: validate ids where they enter)."""
    return await REPORTS[action_id].build(req)
