"""Wiring: builds every long-running part from settings and runs them in one loop.

A part is anything with `name`, `async start()` and `async stop()`. Parts start
in the order `build_parts` lists them and stop in reverse order, so the outbox
sender stops before the WhatsApp connection it sends through, and a queued
message stays queued in PostgreSQL instead of being lost.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Callable, Protocol

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bot.adminlog import AdminLog
from bot.api.part import ApiPart
from bot.chat_service import build_chat_part
from bot.collection import CollectionPart
from bot.signals import stop_on_signals
from bot.task_queue import build_task_queue
from bot.whatsapp.console import ConsoleGateway
from core.boundary import guarded
from core.clock import Clock, SystemClock
from core.settings import Settings
from db.pool import Database, open_database
from handlers.personnel.reminders import reminder_jobs
from handlers.reports.subscriptions.ticker import report_jobs
from jobs.sources.rapidapi import missing_key_text, missing_keys
from jobs.outbox import OutboxSender
from jobs.scheduler import SchedulerPart

log = logging.getLogger(__name__)


class Part(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class AppContext:
    """What every part may use; built once in `run_service`."""

    settings: Settings
    db: Database
    clock: Clock
    console: Console
    options: dict = field(default_factory=dict)  # command-line options such as pair_phone


def build_parts(app: AppContext) -> list[Part]:
    """Every long-running part, in start order."""
    parts: list[Part] = []
    reporter = AdminLog(app.db.pool, app.settings, app.clock)  # the admin log, for every part
    parts.append(reporter)  # as a part it batches unbatched info lines into one digest; flushes on stop
    tasks = build_task_queue(app.settings, app.db.pool, app.clock, reporter)  # RabbitMQ or in-process
    parts.append(tasks.queue)  # starts before the cycles that publish to it, stops after them
    # one collector (HTTP client, notify hook, runner) for the scheduler, `fetch` and dirrequest 12–16
    collection = CollectionPart(app.settings, app.db.pool, app.clock, reporter, runner=tasks.runner)
    parts.append(collection)
    chat = build_chat_part(app, reporter, collection=collection.collect, task_queue=tasks.queue)
    parts.append(chat)
    outbox = OutboxSender(app.db.pool, chat.gateway, app.settings, app.clock, reporter)
    chat.gateway.add_connected_listener(outbox.wake)  # drain at once when WhatsApp (re)connects
    if isinstance(chat.gateway, ConsoleGateway):  # `cicero console`: show due outbox messages before exiting
        chat.gateway.before_eof = outbox.drain_once
    parts.append(outbox)  # stops before the gateway it sends through: queued rows stay queued
    # the collection cycle on the seed's schedule, the personal task reminders and the report subscriptions
    jobs = [*reminder_jobs(app.settings, app.db.pool, app.clock),
            *report_jobs(app.settings, app.db.pool, app.clock, reporter)]
    parts.append(SchedulerPart(app.settings, app.db.pool, collect=collection.collect, reporter=reporter, jobs=jobs,
                               clock=app.clock))
    if app.settings.api.enabled:
        # last to start, first to stop; /api/health reads the other parts' health()
        parts.append(ApiPart.from_context(app, peers=lambda: list(parts)))
    return parts


def banner_lines(app: AppContext, parts: list[Part]) -> list[str]:
    s = app.settings
    api = f"http://{s.api.host}:{s.api.port}" if s.api.enabled else "disabled"
    queue = s.queue.url.split("@")[-1] if s.queue.url else "in-process"
    return [
        f"database   : {app.db.description}",
        f"whatsapp   : {app.options.get('transport') or s.whatsapp.transport} ({len(s.whatsapp.admins)} admin number(s))",
        f"http api   : {api}",
        f"queue      : {queue}",
        f"timezone   : {s.general.timezone}",
        *[f"rapidapi   : {missing_key_text(p)}: {p} is not collected" for p in missing_keys(s)],
        f"parts      : {', '.join(p.name for p in parts) or '(none yet)'}",
    ]


async def run_service(settings: Settings, console: Console, *, options: dict | None = None,
                      stop_event: asyncio.Event | None = None, clock: Clock | None = None,
                      extra_parts: Callable[[AppContext], list[Part]] | None = None) -> int:
    """Run until SIGINT/SIGTERM (or `stop_event`); stop parts in reverse order.

    `clock` replaces the system clock (the demo's fast clock); `extra_parts`
    adds parts after the standard ones (the demo's day replay).
    """
    stop_event = stop_on_signals(stop_event or asyncio.Event())
    async with open_database(settings, migrate=True) as db:
        app = AppContext(settings=settings, db=db, clock=clock or SystemClock(settings.tz), console=console,
                         options=options or {})
        parts = build_parts(app) + (extra_parts(app) if extra_parts else [])
        console.print(Panel(Text("\n".join(banner_lines(app, parts))), title="Cicero", expand=False))  # literal: "[instagram]" is not markup
        started: list[Part] = []
        try:
            for part in parts:
                await part.start()
                started.append(part)
                log.info("started %s", part.name)
            console.print("running — press Ctrl-C to stop")
            await stop_event.wait()
        finally:
            console.print("stopping…")
            for part in reversed(started):
                async with guarded(f"stopping {part.name}", log):
                    await part.stop()
                    log.info("stopped %s", part.name)
    console.print("stopped cleanly")
    return 0
