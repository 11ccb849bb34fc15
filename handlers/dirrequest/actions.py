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
from handlers.reports.attendance import Period
from handlers.reports.catalog import REPORTS, BuildRequest, ReportOutput, ReportSpec
from handlers.dirrequest.fetching import FETCH_SPECS, run_manual_fetch
from jobs.queue.kinds import build_report_task
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
PERIODS_KASAT_BINMAS = (
    PeriodChoice("1", "Harian (hari ini)", Period.today),
    PeriodChoice("2", "Mingguan (Senin–Minggu ini)", Period.this_week),
    PeriodChoice("3", "Bulanan (bulan ini)", Period.this_month),
)
PERIODS_KASATKER = (
    PeriodChoice("1", "Hari ini", Period.today),
    PeriodChoice("2", "Minggu ini", Period.this_week),
    PeriodChoice("3", "Bulan ini", Period.this_month),
    PeriodChoice("4", "Semua data", Period.all_time),
)


def today(ctx: HandlerContext) -> Period:
    return Period.today(ctx.clock.now())


# --------------------------------------------------------------------------- implementations

async def send_output(ctx: HandlerContext, output: ReportOutput) -> None:
    """Send a report's parts to this chat in order; a file is confirmed with one line after it."""
    for part in output.parts:
        if isinstance(part, Document):
            await ctx.send_document(part)
        else:
            await ctx.reply(part)
    if output.documents and not output.texts:
        await ctx.reply(EXCEL_SENT)


async def _submitted_to_worker(ctx: HandlerContext, spec: ReportSpec, req: BuildRequest) -> bool:
    """With the RabbitMQ queue, hand a file report to a worker (True); False: build it here."""
    queue = ctx.task_queue
    if spec.queued is None or queue is None or queue.backend != BACKEND_RABBITMQ:
        return False
    task = build_report_task(spec.queued.report, spec.queued.params(req), deliver_to=ctx.chat_id,
                             requested_by=ctx.identity.label)
    async with guarded("queueing a report", log, level="warning", traceback=False, report=spec.id) as g:
        await queue.submit(task)
    if g.failed:
        return False  # broker unreachable: build it here, as without a queue
    await ctx.reply(TEXT_REPORT_QUEUED)
    return True


def _report(report_id: str) -> ActionRun:
    """An option that sends a catalog report of the chosen client (period: the chosen one, else today)."""
    spec = REPORTS[report_id]

    async def run(ctx: HandlerContext, client: Client, period: Period | None) -> None:
        req = BuildRequest(pool=ctx.pool, settings=ctx.settings, client=client,
                           period=period or today(ctx), now=ctx.clock.now())
        if not await _submitted_to_worker(ctx, spec, req):
            await send_output(ctx, await spec.build(req))

    return run


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

ACTIONS: tuple[Action, ...] = (
    Action("completeness_recap", 1, G_DATA, "Rekap kelengkapan data personel per satker", _report("completeness_recap")),
    Action("executive_summary", 2, G_DATA, "Ringkasan eksekutif capaian per satker", _report("executive_summary")),
    Action("missing_data", 3, G_DATA, "Daftar personel yang datanya belum lengkap", _report("missing_data")),
    Action("ig_likes_by_division", 5, G_ABSENSI, "Absensi likes Instagram per divisi", _report("ig_likes_by_division")),
    Action("ig_likes_simple", 6, G_ABSENSI, "Absensi likes Instagram (ringkas)", _report("ig_likes_simple")),
    Action("ig_likes_by_satker", 7, G_ABSENSI, "Absensi likes Instagram per satker", _report("ig_likes_by_satker")),
    Action("tt_comments_by_satker", 8, G_ABSENSI, "Absensi komentar TikTok per satker", _report("tt_comments_by_satker")),
    Action("tt_comments_simple", 9, G_ABSENSI, "Absensi komentar TikTok (ringkas)", _report("tt_comments_simple")),
    Action("tt_comments_by_division", 10, G_ABSENSI, "Absensi komentar TikTok per divisi", _report("tt_comments_by_division")),
    Action("fetch_ig_posts_likes", 12, G_FETCH, "Ambil konten & likes Instagram", _fetch("ig_posts_likes")),
    Action("fetch_ig_likes", 13, G_FETCH, "Ambil likes Instagram saja", _fetch("ig_likes")),
    Action("fetch_tt_posts_comments", 14, G_FETCH, "Ambil konten & komentar TikTok", _fetch("tt_posts_comments")),
    Action("fetch_tt_comments", 15, G_FETCH, "Ambil komentar TikTok saja", _fetch("tt_comments")),
    Action("fetch_all_with_tasks", 16, G_FETCH, "Ambil semua sosmed & buat daftar tugas", _fetch("all_with_tasks")),
    Action("daily_report_ig", 17, G_LAPORAN, "Laporan harian likes Instagram (teks, TXT, Excel)",
           _report("daily_report_ig")),
    Action("daily_report_tt", 18, G_LAPORAN, "Laporan harian komentar TikTok (teks, TXT, Excel)",
           _report("daily_report_tt")),
    Action("ig_likes_excel", 19, G_LAPORAN, "Rekap likes Instagram (Excel)", _report("ig_likes_excel")),
    Action("tt_comments_excel", 20, G_LAPORAN, "Rekap komentar TikTok (Excel)", _report("tt_comments_excel")),
    Action("combined_recap", 21, G_LAPORAN, "Rekap gabungan semua sosmed", _report("combined_recap")),
    Action("engagement_ranking_excel", 22, G_LAPORAN, "Ranking engagement jajaran (Excel)", _report("engagement_ranking_excel"),
           periods=PERIODS_RANKING, period_title="Pilih periode ranking engagement:"),
    Action("ig_likes_per_post_excel", 28, G_LAPORAN, "Rekap likes Instagram per konten (Excel)",
           _report("ig_likes_per_post_excel")),
    Action("tt_comments_per_post_excel", 29, G_LAPORAN, "Rekap komentar TikTok per konten (Excel)",
           _report("tt_comments_per_post_excel")),
    Action("kasatker_report", 30, G_KASATKER, "Laporan kepatuhan Kasatker", _report("kasatker_report"),
           periods=PERIODS_KASATKER, period_title="Pilih periode laporan Kasatker:"),
    Action("kasat_binmas_ig_likes", 34, G_KASATKER, "Absensi likes Instagram Kasat Binmas",
           _report("kasat_binmas_ig_likes"), periods=PERIODS_KASAT_BINMAS,
           period_title="Pilih periode absensi likes Kasat Binmas:"),
    Action("kasat_binmas_tt_comments", 35, G_KASATKER, "Absensi komentar TikTok Kasat Binmas",
           _report("kasat_binmas_tt_comments"), periods=PERIODS_KASAT_BINMAS,
           period_title="Pilih periode absensi komentar Kasat Binmas:"),
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
