"""`cicero fetch [--client ID]... [--engagement-only]`: run one collection cycle now.

Like WhatsApp `fetch`, it fetches today's posts and their likes/comments unless
told `--engagement-only`, and says which phase ran. Shows a progress bar per
client and a summary table; exits 1 when a client failed, was not started
before the deadline, or the run could not take the lock. The admins get the
run's summary in WhatsApp (`[notify] admin_detail`).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from bot.adminlog import AdminLog
from bot.collection import open_collector
from bot.commands.common import CliContext, UserError, database, esc, table
from bot.task_queue import build_task_queue
from core.clock import SystemClock
from jobs.fetch_model import ClientResult, CycleResult


def register(subparsers) -> None:
    p = subparsers.add_parser("fetch", help="run one collection cycle now (posts, likes, comments)")
    p.add_argument("--client", action="append", default=[], metavar="ID",
                   help="only this client (repeatable; default: every active client)")
    p.add_argument("--engagement-only", action="store_true",
                   help="refresh likes/comments of today's stored posts without fetching posts")
    p.add_argument("--day", metavar="YYYY-MM-DD",
                   help="refresh the likes/comments of that (past) day's tasks instead of today's")
    p.set_defaults(handler=fetch_now)


class ProgressBars:
    """A CycleProgress drawing one bar per client."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.tasks: dict[str, int] = {}

    def planned(self, client_ids: list[str]) -> None:
        for cid in client_ids:
            self.tasks[cid] = self.progress.add_task(esc(cid), total=1, status="waiting")

    def client_started(self, client_id: str) -> None:
        self.progress.update(self.tasks[client_id], status="running")

    def client_finished(self, result: ClientResult) -> None:
        status = "[green]done[/]" if result.ok else "[red]failed[/]"
        self.progress.update(self.tasks[result.client_id], completed=1, status=status)


def summary_rows(result: CycleResult) -> list[list[object]]:
    rows = []
    for c in sorted(result.clients, key=lambda r: r.client_id):
        rows.append([
            c.client_id,
            f"{len(c.instagram.new)}/{len(c.instagram.updated)}/{len(c.instagram.removed)}",
            f"{len(c.tiktok.new)}/{len(c.tiktok.updated)}/{len(c.tiktok.removed)}",
            f"{c.before.likes}→{c.after.likes}",
            f"{c.before.comments}→{c.after.comments}",
            "-" if c.ok else (c.error or "failed"),
            f"{c.duration_seconds:.1f}s",
        ])
    for cid in result.skipped_clients:
        rows.append([cid, "", "", "", "", "not started: run deadline passed", ""])
    return rows


@asynccontextmanager
async def queue_runner(settings, pool, clock, reporter):
    """With `[queue] url` set: a started publisher and its QueueRunner; else None (run in this process)."""
    if not settings.queue.url:
        yield None
        return
    wiring = build_task_queue(settings, pool, clock, reporter)
    await wiring.queue.start()
    try:
        yield wiring.runner
    finally:
        await wiring.queue.stop()


PHASE_TEXT = {"post_fetch": "posts + likes/comments", "engagement_only": "likes/comments only",
              "late_sweep": "likes/comments of earlier days"}


async def fetch_now(ctx: CliContext) -> int:
    settings = ctx.settings
    phase = "engagement_only" if ctx.args.engagement_only or ctx.args.day else "post_fetch"
    clock = SystemClock(settings.tz)
    day = None
    if ctx.args.day:
        try:
            day = date.fromisoformat(ctx.args.day)
        except ValueError:
            raise UserError(f"--day {ctx.args.day!r} is not a date (expected YYYY-MM-DD)") from None
        if day > clock.now().date():
            raise UserError(f"--day {ctx.args.day} is in the future")
    hint = "" if ctx.args.engagement_only else " (--engagement-only refreshes likes/comments only)"
    ctx.console.print(f"phase: {PHASE_TEXT[phase]}{hint}", highlight=False)
    async with database(ctx) as db:
        admin_log = AdminLog(db.pool, settings, clock)  # failures and the run summary reach the admins
        async with queue_runner(settings, db.pool, clock, admin_log) as runner, \
                open_collector(settings, db.pool, clock, admin_log, runner=runner) as collector:
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                          console=ctx.console, transient=False) as progress:
                result = await collector.collect(ctx.args.client or None, phase=phase, trigger="manual",
                                                 progress=ProgressBars(progress), day=day)
    if result.lock_skipped:
        ctx.console.print(f"[yellow]not run:[/] {esc(result.note)}", highlight=False)
        return 1
    ctx.console.print(table(
        f"Collection run {result.job_run_id} ({PHASE_TEXT[phase]}{', ' + day.isoformat() if day else ''}): {result.status}",
        ["client", "IG new/upd/rm", "TikTok new/upd/rm", "likes", "comments", "errors", "duration"],
        summary_rows(result),
    ))
    for c in result.clients:
        for w in c.warnings[:5]:
            ctx.console.print(f"[yellow]{esc(c.client_id)}:[/] {esc(w)}", highlight=False)
    if result.unknown_clients:
        ctx.console.print(f"[red]unknown client(s):[/] {esc(', '.join(result.unknown_clients))} "
                          "(see `cicero clients list`)", highlight=False)
    if not result.clients and not result.skipped_clients and not result.unknown_clients:
        ctx.console.print("no active client with an Instagram or TikTok account"
                          + (f" among {', '.join(ctx.args.client)}" if ctx.args.client else ""), markup=False)
    failed = [c.client_id for c in result.failed_clients]
    if failed or result.skipped_clients or result.status == "failed":
        ctx.console.print(f"[red]{len(failed)} client(s) failed, {len(result.skipped_clients)} not started[/]",
                          highlight=False)
        return 1
    return 0
