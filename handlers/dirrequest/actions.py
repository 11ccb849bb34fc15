"""The dirrequest options: stable action ids, their menu numbers, groups and implementations.

Menu numbers are display only (the original's numbering); code, crons and tests
refer to actions by `Action.id`. Every action receives the handler context, the
chosen directorate client and (for actions with a period submenu) a `Period`,
and replies itself; the menu is re-sent by the router afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable, Sequence

from core.boundary import guarded
from core.chat_port import Document
from db.clients import Client
from handlers.context import HandlerContext
from handlers.menus import menu_number
from handlers.reports import text
from handlers.reports.queued import REPORT_BUILDERS, period_params
from handlers.reports.attendance import AttendanceRules, Period, Platform, Scope, build_attendance
from handlers.reports.completeness import build_completeness
from handlers.reports.recaps import KasatkerBands, build_combined_recap, build_kasatker_report
from handlers.dirrequest.fetching import FETCH_SPECS, run_manual_fetch
from jobs.queue.kinds import ReportRequest, build_report_task
from jobs.queue.model import BACKEND_RABBITMQ

log = logging.getLogger(__name__)

ActionRun = Callable[[HandlerContext, Client, "Period | None"], Awaitable[None]]

EXCEL_SENT = "✅ File Excel dikirim."
TEXT_REPORT_QUEUED = "⏳ File Excel sedang dibuat oleh worker dan akan dikirim ke chat ini."


@dataclass(frozen=True)
class PeriodChoice:
    key: str
    label: str
    make: Callable[[datetime], Period]


@dataclass(frozen=True)
class Action:
    id: str                          # stable, used by code and tests
    number: int                      # display number in the menu (the original's)
    group: str
    label: str
    run: ActionRun
    periods: tuple[PeriodChoice, ...] = ()
    period_title: str = ""


PERIODS_RANKING = (
    PeriodChoice("1", "Hari ini", Period.today),
    PeriodChoice("2", "Kemarin", Period.yesterday),
    PeriodChoice("3", "Minggu ini", Period.this_week),
    PeriodChoice("4", "Minggu lalu", Period.last_week),
    PeriodChoice("5", "Bulan ini", Period.this_month),
    PeriodChoice("6", "Bulan lalu", Period.last_month),
)
PERIODS_KASATKER = (
    PeriodChoice("1", "Hari ini", Period.today),
    PeriodChoice("2", "Minggu ini", Period.this_week),
    PeriodChoice("3", "Bulan ini", Period.this_month),
    PeriodChoice("4", "Semua data", Period.all_time),
)


def rules_of(ctx: HandlerContext) -> AttendanceRules:
    return AttendanceRules.from_settings(ctx.settings.attendance)


def today(ctx: HandlerContext) -> Period:
    return Period.today(ctx.clock.now())


# --------------------------------------------------------------------------- implementations

async def completeness_recap(ctx: HandlerContext, client: Client, _period) -> None:
    report = await build_completeness(ctx.pool, client)
    await ctx.reply(text.render_completeness_recap(report, ctx.clock.now()))


async def missing_data(ctx: HandlerContext, client: Client, _period) -> None:
    report = await build_completeness(ctx.pool, client, scope=Scope.CLIENT)
    await ctx.reply(text.render_missing_data(report, ctx.clock.now()))


def _attendance_text(platform: Platform, scope: Scope, render) -> ActionRun:
    async def run(ctx: HandlerContext, client: Client, _period) -> None:
        report = await build_attendance(ctx.pool, client, today(ctx), platform, rules=rules_of(ctx), scope=scope)
        await ctx.reply(render(report, ctx.clock.now()))

    return run


async def deliver_report(ctx: HandlerContext, report: str, params: dict) -> None:
    """Build a file report and send it to this chat — on a worker when the task queue is RabbitMQ."""
    queue = ctx.task_queue
    if queue is not None and queue.backend == BACKEND_RABBITMQ:
        task = build_report_task(report, params, deliver_to=ctx.chat_id, requested_by=ctx.identity.label)
        async with guarded("queueing a report", log, level="warning", traceback=False, report=report) as g:
            await queue.submit(task)
        if not g.failed:
            await ctx.reply(TEXT_REPORT_QUEUED)
            return  # otherwise (broker unreachable) build it here, as without a queue
    file = await REPORT_BUILDERS[report](ReportRequest(report=report, params=params, pool=ctx.pool,
                                                       settings=ctx.settings, now=ctx.clock.now()))
    if file.is_text:
        await ctx.reply(file.caption or "")
        return
    await ctx.send_document(Document(data=file.data, filename=file.filename, mimetype=file.mimetype,
                                      caption=file.caption))
    await ctx.reply(EXCEL_SENT)


def _attendance_excel(platform: Platform) -> ActionRun:
    async def run(ctx: HandlerContext, client: Client, _period) -> None:
        await deliver_report(ctx, "attendance_excel", {"client_id": client.id, "platform": platform.value,
                                                       "scope": Scope.DIRECTORATE.value,
                                                       **period_params(today(ctx))})

    return run


async def combined_recap(ctx: HandlerContext, client: Client, _period) -> None:
    recap = await build_combined_recap(ctx.pool, client, today(ctx), rules=rules_of(ctx))
    await ctx.reply(text.render_combined_recap(recap, ctx.clock.now()))


async def engagement_ranking(ctx: HandlerContext, client: Client, period: Period | None) -> None:
    period = period or Period.today(ctx.clock.now())
    await deliver_report(ctx, "ranking_excel", {"client_id": client.id, **period_params(period)})


async def kasatker_report(ctx: HandlerContext, client: Client, period: Period | None) -> None:
    now = ctx.clock.now()
    period = period or Period.today(now)
    report = await build_kasatker_report(ctx.pool, client, period, rules=rules_of(ctx),
                                         bands=KasatkerBands.from_settings(ctx.settings.attendance))
    await ctx.reply(text.render_kasatker(report, now))


def _fetch(spec_id: str) -> ActionRun:
    async def run(ctx: HandlerContext, client: Client, _period) -> None:
        await run_manual_fetch(ctx, client, FETCH_SPECS[spec_id])

    return run


# --------------------------------------------------------------------------- the table

G_DATA = "📊 Rekap Data"
G_ABSENSI = "📅 Absensi"
G_FETCH = "📥 Pengambilan Data"
G_LAPORAN = "📝 Laporan"
G_KASATKER = "🛡️ Monitoring Kasatker"
GROUPS = (G_DATA, G_ABSENSI, G_FETCH, G_LAPORAN, G_KASATKER)

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK

ACTIONS: tuple[Action, ...] = (
    Action("completeness_recap", 1, G_DATA, "Rekap kelengkapan data personel per satker", completeness_recap),
    Action("missing_data", 3, G_DATA, "Daftar personel yang datanya belum lengkap", missing_data),
    Action("ig_likes_by_division", 5, G_ABSENSI, "Absensi likes Instagram per divisi",
           _attendance_text(IG, Scope.CLIENT, text.render_division_detail)),
    Action("ig_likes_simple", 6, G_ABSENSI, "Absensi likes Instagram (ringkas)",
           _attendance_text(IG, Scope.CLIENT, text.render_simple_lists)),
    Action("ig_likes_by_satker", 7, G_ABSENSI, "Absensi likes Instagram per satker",
           _attendance_text(IG, Scope.DIRECTORATE, text.render_satker_summary)),
    Action("tt_comments_by_satker", 8, G_ABSENSI, "Absensi komentar TikTok per satker",
           _attendance_text(TT, Scope.DIRECTORATE, text.render_satker_summary)),
    Action("tt_comments_simple", 9, G_ABSENSI, "Absensi komentar TikTok (ringkas)",
           _attendance_text(TT, Scope.CLIENT, text.render_simple_lists)),
    Action("tt_comments_by_division", 10, G_ABSENSI, "Absensi komentar TikTok per divisi",
           _attendance_text(TT, Scope.CLIENT, text.render_division_detail)),
    Action("fetch_ig_posts_likes", 12, G_FETCH, "Ambil konten & likes Instagram", _fetch("ig_posts_likes")),
    Action("fetch_ig_likes", 13, G_FETCH, "Ambil likes Instagram saja", _fetch("ig_likes")),
    Action("fetch_tt_posts_comments", 14, G_FETCH, "Ambil konten & komentar TikTok", _fetch("tt_posts_comments")),
    Action("fetch_tt_comments", 15, G_FETCH, "Ambil komentar TikTok saja", _fetch("tt_comments")),
    Action("fetch_all_with_tasks", 16, G_FETCH, "Ambil semua sosmed & buat daftar tugas", _fetch("all_with_tasks")),
    Action("ig_likes_excel", 19, G_LAPORAN, "Rekap likes Instagram (Excel)", _attendance_excel(IG)),
    Action("tt_comments_excel", 20, G_LAPORAN, "Rekap komentar TikTok (Excel)", _attendance_excel(TT)),
    Action("combined_recap", 21, G_LAPORAN, "Rekap gabungan semua sosmed", combined_recap),
    Action("engagement_ranking_excel", 22, G_LAPORAN, "Ranking engagement jajaran (Excel)", engagement_ranking,
           periods=PERIODS_RANKING, period_title="Pilih periode ranking engagement:"),
    Action("kasatker_report", 30, G_KASATKER, "Laporan kepatuhan Kasatker", kasatker_report,
           periods=PERIODS_KASATKER, period_title="Pilih periode laporan Kasatker:"),
)


def action_by_id(action_id: str) -> Action | None:
    return next((a for a in ACTIONS if a.id == action_id), None)


def action_by_number(text_in: str) -> Action | None:
    number = menu_number(text_in)
    if number is None:
        return None
    return next((a for a in ACTIONS if a.number == number), None)


def check_actions(actions: Sequence[Action] = ACTIONS) -> None:
    ids = [a.id for a in actions]
    numbers = [a.number for a in actions]
    if len(set(ids)) != len(ids) or len(set(numbers)) != len(numbers):
        raise ValueError("dirrequest: duplicate action id or number")
    if any(a.group not in GROUPS for a in actions):
        raise ValueError("dirrequest: unknown group")


check_actions()  # a duplicate id or number, or an unknown group, fails at import, not in a chat
