"""The admin `status` command: WhatsApp, database, outbox, task queue, last and next collection runs.

Texts are Indonesian with human times ("pukul 08.05 WIB"); data comes from the
schedule (`jobs.schedule`), the `job_runs` and `outbox` tables, the task
queue's status and the transport's connection state. `status` always answers:
a part that cannot be read is shown as such.

The reply is a list of sections (`SECTIONS`), each an async function of the
context returning its lines; a new figure (a quota, report deliveries) is one
more function in that tuple.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from core.boundary import guarded, guarded_sync
from core.clock import day_range, local_day
from db.bot_status import latest_job_runs
from db.outbox import outbox_overview
from db.schedule_switches import disabled_phases
from handlers.context import Command, HandlerContext
from handlers.identity import ADMIN_ONLY
from handlers.laporan import report_lines
from jobs.admin_text import PHASE_LABEL, RUN_STATUS_LABEL, pukul_relative
from jobs.queue.model import BACKEND_IN_PROCESS
from jobs.queue.status import QueueStatus, queue_status
from jobs.quota import quota_report
from jobs.schedule import fire_times

log = logging.getLogger(__name__)

Section = Callable[[HandlerContext], Awaitable[list[str]]]

# the transport's connection detail (event names) in words
WHATSAPP_DETAIL = {
    "Disconnected": "terputus",
    "KeepAliveTimeout": "terputus (tidak ada jawaban)",
    "ConnectFailure": "gagal tersambung",
    "LoggedOut": "logout, perlu pairing ulang",
    "StreamReplaced": "sesi diambil alih klien lain",
    "TemporaryBan": "diblokir sementara oleh WhatsApp",
    "connecting": "sedang menyambung",
}


class DatabaseDown(Exception):
    """The database did not answer: the sections after the ping are left out."""


def next_fire_per_phase(ctx: HandlerContext) -> dict[str, datetime]:
    """The next scheduled fire of each phase after now (looking at today and the next 7 days)."""
    now = ctx.clock.now()
    out: dict[str, datetime] = {}
    for offset in range(8):
        day = local_day(now, ctx.clock.tz) + timedelta(days=offset)
        for ft in fire_times(ctx.settings, day):
            hh, mm = (int(x) for x in ft.time.split(":"))
            at = datetime(day.year, day.month, day.day, hh, mm, tzinfo=ctx.clock.tz)
            if at > now and ft.phase not in out:
                out[ft.phase] = at
        if len(out) >= len(PHASE_LABEL):
            break
    return out


def _when(ctx: HandlerContext, moment: datetime) -> str:
    return pukul_relative(moment, ctx.clock.now(), ctx.clock.tz)


async def whatsapp_lines(ctx: HandlerContext) -> list[str]:
    state = ctx.gateway_status() if ctx.gateway_status else None
    if state is None:
        return ["WhatsApp: (tidak diketahui)"]
    if state.connected:
        since = f" sejak {_when(ctx, state.since)}" if state.since else ""
        return [f"WhatsApp: ✅ terhubung{since}"]
    detail = f" ({WHATSAPP_DETAIL.get(state.detail, state.detail)})" if state.detail else ""
    return [f"WhatsApp: ❌ tidak terhubung{detail}"]


async def database_lines(ctx: HandlerContext) -> list[str]:
    started = time.perf_counter()
    async with guarded("status: database ping", log, level="warning", traceback=False) as g:
        await ctx.pool.fetchval("SELECT 1")
    if g.failed:
        raise DatabaseDown(f"Database: ❌ tidak terjangkau ({g.error.__class__.__name__})")
    return [f"Database: ✅ OK ({(time.perf_counter() - started) * 1000:.0f} ms)"]


async def outbox_lines(ctx: HandlerContext) -> list[str]:
    """Pending, being sent, sent today (WIB) and dead, in the words the outbox uses."""
    today = day_range(local_day(ctx.clock.now(), ctx.clock.tz), ctx.clock.tz)[0]
    o = await outbox_overview(ctx.pool, since=today)
    return [f"Outbox: {o.pending} menunggu dikirim, {o.sending} sedang dikirim, {o.sent_since} terkirim hari ini, "
            f"{o.dead} gagal permanen"]


async def quota_lines(ctx: HandlerContext) -> list[str]:
    """RapidAPI use today and the day's projection per key (the same figures as `cicero quota`)."""
    async with guarded("status: RapidAPI quota", log) as g:  # status must always answer
        return [line.text_id() for line in await quota_report(ctx.pool, ctx.settings, ctx.clock.now())]
    return [f"RapidAPI: kuota tidak dapat diperiksa ({g.error.__class__.__name__})"]


async def queue_lines(ctx: HandlerContext) -> list[str]:
    """The task-queue part of `status`; a broker problem is reported, never raised."""
    async with guarded("status: task queue", log) as g:  # status must always answer
        return queue_status_lines(await queue_status(ctx.settings, ctx.pool, now=ctx.clock.now()))
    return [f"Antrean: tidak dapat diperiksa ({g.error.__class__.__name__})"]


def queue_status_lines(status: QueueStatus) -> list[str]:
    """The task queue in Bahasa Indonesia: backend and depth, then the last 24 h of outcomes."""
    if status.backend == BACKEND_IN_PROCESS:
        head = "Antrean: dalam proses bot (tanpa RabbitMQ)"
    elif not status.reachable:
        head = f"Antrean: RabbitMQ TIDAK TERJANGKAU ({status.error or status.broker})"
    else:
        w = status.work
        depth = "?" if w is None or w.messages is None else str(w.messages)
        workers = "?" if w is None or w.consumers is None else str(w.consumers)
        dead = "?" if status.dead_letters is None else str(status.dead_letters)
        head = f"Antrean RabbitMQ: {depth} tugas menunggu, {workers} worker aktif, {dead} dead-letter"
    counts = status.task_counts
    tail = (
        f"Tugas 24 jam: {counts.get('done', 0)} selesai, "
        f"{counts.get('queued', 0) + counts.get('running', 0) + counts.get('failed', 0)} berjalan/menunggu, "
        f"{counts.get('dead', 0)} gagal"
    )
    return [head, tail]


async def collection_lines(ctx: HandlerContext) -> list[str]:
    """Per phase: the last run (time and outcome) and the next scheduled one ("nonaktif" when switched off)."""
    runs = {(r.job, r.phase): r for r in await latest_job_runs(ctx.pool)}
    off = await disabled_phases(ctx.pool)
    upcoming = {}
    with guarded_sync("status: next runs", log):  # status must answer even if the schedule cannot be read
        upcoming = next_fire_per_phase(ctx) if ctx.settings.schedule.enabled else {}
    phases = list(PHASE_LABEL)
    for (job, phase) in runs:
        if (phase or job) not in phases:
            phases.append(phase or job)
    lines = ["", "*Pengambilan data*"]
    for phase in phases:
        label = PHASE_LABEL.get(phase, phase)
        last = next((r for (j, p), r in runs.items() if (p or j) == phase), None)
        last_text = (f"{_when(ctx, last.started_at)} {RUN_STATUS_LABEL.get(last.status, last.status)}"
                     if last else "belum pernah")
        nxt = upcoming.get(phase)
        if not ctx.settings.schedule.enabled:
            next_text = "jadwal nonaktif"
        elif phase in off:
            next_text = f"nonaktif (ketik *jadwal on {phase}*)"
        else:
            next_text = _when(ctx, nxt) if nxt else "-"
        lines.append(f"• {label}: terakhir {last_text}; berikutnya {next_text}")
    return lines


async def report_lines_section(ctx: HandlerContext) -> list[str]:
    """The next scheduled report deliveries (a few; `laporan` lists them all)."""
    async with guarded("status: next report runs", log) as g:  # status must always answer
        return ["", "*Laporan terjadwal*", *await report_lines(ctx, ctx.clock.now(), limit=3)]
    return ["", f"Laporan terjadwal: tidak dapat dibaca ({g.error.__class__.__name__})"]


# the reply, top to bottom; the sections after `database_lines` need the database
SECTIONS: tuple[Section, ...] = (whatsapp_lines, database_lines, outbox_lines, queue_lines, quota_lines,
                                 collection_lines, report_lines_section)


async def status_command(ctx: HandlerContext, args: str) -> None:
    now = ctx.clock.now().astimezone(ctx.clock.tz)
    lines = [f"📊 *Status Cicero* — {now:%d/%m/%Y} pukul {now:%H.%M} WIB", ""]
    for section in SECTIONS:
        try:
            lines += await section(ctx)
        except DatabaseDown as down:
            lines.append(str(down))
            break
    await ctx.reply("\n".join(lines))


COMMANDS: list[Command] = [
    Command(id="status", triggers=("status",), help="koneksi WhatsApp, database, outbox, jadwal terakhir/berikutnya",
            allowed=ADMIN_ONLY, handler=status_command),
]
