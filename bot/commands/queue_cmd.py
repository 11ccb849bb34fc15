"""`cicero queue status [--json]`: queue depths, consumers, dead letters and recent task outcomes."""

from __future__ import annotations

import json
from datetime import timedelta

from rich.markup import escape

from bot.commands.common import CliContext, database, table
from db.tasks import recent_dead_task_records
from core.clock import SystemClock
from jobs.queue.status import queue_status


def register(subparsers) -> None:
    p = subparsers.add_parser("queue", help="task queue (RabbitMQ workers or in-process)")
    sub = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    st = sub.add_parser("status", help="queue depths, consumers, dead letters and task counts of the last 24 h")
    st.add_argument("--json", action="store_true", help="print JSON instead of tables")
    st.set_defaults(handler=status)


async def status(ctx: CliContext) -> int:
    async with database(ctx, migrate=True) as db:
        now = SystemClock(ctx.settings.tz).now()
        qs = await queue_status(ctx.settings, db.pool, now=now)
        since = now - timedelta(hours=24)
        dead = await recent_dead_task_records(db.pool, since)
    if ctx.args.json:
        ctx.console.print_json(json.dumps({
            "backend": qs.backend, "broker": qs.broker, "reachable": qs.reachable, "source": qs.source,
            "queues": [q.__dict__ for q in qs.queues], "dead_letters": qs.dead_letters,
            "task_counts_24h": qs.task_counts, "error": qs.error,
            "dead_tasks_24h": [{"id": str(t.id), "kind": t.kind, "attempts": t.attempts, "error": t.error,
                                "finished_at": t.finished_at.isoformat()} for t in dead],
        }))
        return 0 if qs.reachable else 1
    ctx.console.print(f"backend: {escape(qs.backend)}  broker: {escape(str(qs.broker))}  source: {escape(str(qs.source))}", highlight=False)
    if not qs.reachable:
        ctx.console.print(f"[bold red]broker unreachable:[/] {escape(qs.error or '')}", highlight=False)
    if qs.queues:
        ctx.console.print(table("Queues", ["queue", "messages", "unacked", "consumers"],
                                [[q.name, q.messages, "-" if q.unacked is None else q.unacked, q.consumers]
                                 for q in qs.queues]))
        ctx.console.print(f"dead letters: {qs.dead_letters}", highlight=False)
    states = ["queued", "running", "failed", "done", "dead"]
    ctx.console.print(table("Tasks (last 24 h)", states, [[qs.task_counts.get(s, 0) for s in states]]))
    if dead:
        tz = ctx.settings.tz
        ctx.console.print(table("Tasks given up (last 24 h, newest first)", ["finished", "kind", "id", "tries", "error"],
                                [[t.finished_at.astimezone(tz).strftime("%d/%m %H:%M"), t.kind, str(t.id)[:8],
                                  t.attempts, (t.error or "")[:100]] for t in dead]))
    return 0 if qs.reachable else 1
