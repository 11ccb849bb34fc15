"""The scheduled part of report subscriptions: one `ScheduledJob` that runs every minute.

Subscriptions are data that change at runtime, so instead of one cron job per
subscription the scheduler fires one tick a minute; the tick reads the
subscriptions and fires the slots that are due (`delivery.run_due`), catching
up a slot missed while the service was down for up to `[reports]
catch_up_minutes`. "Now" comes from the service clock, not from the
scheduler's fire time, so the demo's fast clock delivers at its own times.
The defaults are seeded at the first tick and then once an hour (a client
added meanwhile gets its recaps).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from core.clock import Clock
from core.reporting import Reporter
from core.settings import Settings
from handlers.reports.subscriptions.defaults import seed_defaults
from handlers.reports.subscriptions.delivery import TickResult, run_due
from jobs.scheduler import ScheduledJob

log = logging.getLogger(__name__)

JOB_ID = "report-subscriptions"


@dataclass
class ReportTicker:
    settings: Settings
    pool: asyncpg.Pool
    clock: Clock
    reporter: Reporter
    _seeded_hour: tuple | None = field(default=None, init=False)

    async def tick(self, fire_time: datetime | None = None) -> TickResult:
        now = self.clock.now()
        hour = (now.date(), now.hour)
        if self._seeded_hour != hour:
            result = await seed_defaults(self.pool, self.settings, now)
            self._seeded_hour = hour
            if result.added or result.retimed:
                log.info("report defaults: %d added, %d re-timed from [reports]", result.added, result.retimed)
        return await run_due(self.pool, self.settings, now, self.reporter)


def report_jobs(settings: Settings, pool: asyncpg.Pool, clock: Clock, reporter: Reporter) -> list[ScheduledJob]:
    """The minute tick for `SchedulerPart(jobs=…)` (none when `[reports] enabled = false`)."""
    if not settings.reports.enabled:
        return []
    ticker = ReportTicker(settings, pool, clock, reporter)
    return [ScheduledJob(id=JOB_ID, cron="* * * * *", run=ticker.tick, label="laporan terjadwal")]
