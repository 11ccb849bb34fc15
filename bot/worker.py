"""Wiring for `cicero worker`: a process that consumes RabbitMQ tasks and never talks to WhatsApp.

It opens the database, builds what the task kinds need (RapidAPI clients for
`collect_client`, report builders for `build_report`), and runs a
`jobs.queue.RabbitWorker` until SIGINT/SIGTERM, then stops gracefully: no new
deliveries, running tasks finish and are acknowledged, unstarted ones go back
to the queue once. Failures reach the admins through the outbox (the admin
log writes outbox rows; the bot process sends them). Nothing here imports
neonize, directly or through `bot.app`.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

from rich.console import Console

from bot.adminlog import AdminLog
from bot.signals import stop_on_signals
from core.settings import Settings
from handlers.reports.queued import REPORT_BUILDERS
from jobs.fetch_model import fetch_deps
from db.pool import Database, open_database
from core.clock import Clock, SystemClock
from jobs.queue.executor import Executor
from jobs.queue.model import TaskHandler, TaskRegistry
from jobs.queue.rabbit import RabbitWorker
from jobs.queue.kinds import default_registry
from core.reporting import Reporter

log = logging.getLogger(__name__)


def worker_reporter(settings: Settings, db: Database, clock: Clock) -> Reporter:
    """The admin log: failures become outbox rows that the bot process sends to the admins."""
    return AdminLog(pool=db.pool, settings=settings, clock=clock)


@asynccontextmanager
async def task_services(settings: Settings, db: Database, clock: Clock,
                        reporter: Reporter) -> AsyncIterator[dict[str, Any]]:
    """What the task kinds need (RapidAPI clients, report builders); closed when the worker stops.

    `fetch_deps` has no `after_client` hook: notifications are decided by the
    process that runs the cycle (the bot), from the stored task results.
    """
    services: dict[str, Any] = {"settings": settings, "report_builders": dict(REPORT_BUILDERS)}
    async with fetch_deps(settings, db.pool, clock, reporter=reporter) as deps:
        services["fetch_deps"] = deps
        yield services


def with_pool_for(settings: Settings, concurrency: int) -> Settings:
    """Each running task holds one connection (its advisory lock) and uses about one more."""
    need = 2 * concurrency + 2
    if settings.database.pool_max >= need:
        return settings
    return settings.model_copy(update={"database": settings.database.model_copy(update={"pool_max": need})})


async def run_worker(settings: Settings, console: Console, *, concurrency: int = 1,
                     stop_event: asyncio.Event | None = None,
                     extra_handlers: dict[str, TaskHandler] | None = None,
                     reporter_factory: Callable[[Settings, Database, Clock], Reporter] | None = None) -> int:
    """Consume tasks until SIGINT/SIGTERM (or `stop_event`); return the exit code."""
    stop_event = stop_on_signals(stop_event or asyncio.Event())
    registry: TaskRegistry = default_registry().with_handlers(extra_handlers or {})
    settings = with_pool_for(settings, concurrency)
    async with open_database(settings, migrate=True) as db:
        clock = SystemClock(settings.tz)
        reporter = (reporter_factory or worker_reporter)(settings, db, clock)
        async with task_services(settings, db, clock, reporter) as services:
            executor = Executor(pool=db.pool, registry=registry, clock=clock, reporter=reporter,
                                delivery_limit=settings.queue.delivery_limit, services=services)
            worker = RabbitWorker(settings.queue, executor, concurrency=concurrency)
            await worker.start()
            console.print(
                f"worker {executor.worker} consuming {settings.queue.queue_name} with {concurrency} consumer(s); "
                f"task kinds: {', '.join(sorted(registry.handlers))}. Ctrl-C/SIGTERM stops after running tasks.",
                highlight=False,
            )
            try:
                await stop_event.wait()
            finally:
                console.print(f"stopping: waiting for {worker.in_flight} running task(s)…", highlight=False)
                await worker.stop()
            done = ", ".join(f"{k}={v}" for k, v in sorted(worker.processed.items())) or "none"
            console.print(f"worker stopped cleanly (tasks: {done})", highlight=False)
    return 0
