"""The admin `status` command: WhatsApp, database, outbox, task queue, last and next collection runs.

Texts are Indonesian; data comes from the schedule (`jobs.schedule`), the
`job_runs` and `outbox` tables, the task queue's status and the transport's
connection state. `status` always answers: a part that cannot be read is
shown as such.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from core.boundary import guarded, guarded_sync
from core.clock import local_day
from db.bot_status import latest_job_runs
from db.outbox import status_counts
from handlers.admin import PHASE_LABEL, STATUS_LABEL, _hm
from handlers.context import Command, HandlerContext
from handlers.identity import ADMIN_ONLY
from jobs.queue.model import BACKEND_IN_PROCESS
from jobs.queue.status import QueueStatus, queue_status
from jobs.quota import quota_report
from jobs.schedule import fire_times

log = logging.getLogger(__name__)


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


async def status_command(ctx: HandlerContext, args: str) -> None:
    now = ctx.clock.now()
    lines = [f"📊 *Status Cicero* — {now.strftime('%d/%m/%Y %H.%M')} WIB", ""]

    state = ctx.gateway_status() if ctx.gateway_status else None
    if state is None:
        lines.append("WhatsApp: (tidak diketahui)")
    elif state.connected:
        since = f" sejak {_hm(state.since, ctx)}" if state.since else ""
        lines.append(f"WhatsApp: ✅ terhubung{since}")
    else:
        detail = f" ({state.detail})" if state.detail else ""
        lines.append(f"WhatsApp: ❌ tidak terhubung{detail}")

    started = time.perf_counter()
    async with guarded("status: database ping", log, level="warning", traceback=False) as g:
        await ctx.pool.fetchval("SELECT 1")
        lines.append(f"Database: ✅ OK ({(time.perf_counter() - started) * 1000:.0f} ms)")
    if g.failed:
        lines.append(f"Database: ❌ {g.error.__class__.__name__}")
        await ctx.reply("\n".join(lines))
        return

    counts = await status_counts(ctx.pool)
    lines.append(
        f"Outbox: {counts.get('pending', 0)} menunggu, {counts.get('sending', 0)} dikirim, "
        f"{counts.get('dead', 0)} gagal permanen"
    )
    lines += await queue_lines(ctx)
    lines += await quota_lines(ctx)

    lines += ["", "*Pengambilan data*"]
    runs = {(r.job, r.phase): r for r in await latest_job_runs(ctx.pool)}
    upcoming = {}
    with guarded_sync("status: next runs", log):  # status must answer even if the schedule cannot be read
        upcoming = next_fire_per_phase(ctx) if ctx.settings.schedule.enabled else {}
    phases = list(PHASE_LABEL)
    for (job, phase) in runs:
        if phase not in phases:
            phases.append(phase or job)
    for phase in phases:
        label = PHASE_LABEL.get(phase, phase)
        last = next((r for (j, p), r in runs.items() if (p or j) == phase), None)
        last_text = (
            f"{_hm(last.started_at, ctx)} {STATUS_LABEL.get(last.status, last.status)}" if last else "belum pernah"
        )
        nxt = upcoming.get(phase)
        next_text = _hm(nxt, ctx) if nxt else ("jadwal nonaktif" if not ctx.settings.schedule.enabled else "-")
        lines.append(f"• {label}: terakhir {last_text}; berikutnya {next_text}")
    await ctx.reply("\n".join(lines))



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


COMMANDS: list[Command] = [
    Command(id="status", triggers=("status",), help="koneksi WhatsApp, database, outbox, jadwal terakhir/berikutnya",
            allowed=ADMIN_ONLY, handler=status_command),
]
