"""The scheduler part: the collection cycle fired on the cron table of `jobs/schedule.py`.

`SchedulerPart` (name/start()/stop()) runs an APScheduler 3 `AsyncIOScheduler`
with one `CronTrigger` per schedule entry in `settings.general.timezone`,
misfire grace from settings, coalescing, one instance per job; each fire runs
the collector (`jobs/collect_now.py`) with `trigger="schedule"` unless an admin
has switched the phase off (`jobs/schedule_switch.py`, read at every fire time:
the skip is logged and recorded as a `skipped` job run; the entry stays
registered). `next_runs()` and `health()` serve `/api/health`.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, AsyncIterator, Awaitable, Callable, Sequence

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.boundary import guarded
from core.clock import Clock, SystemClock
from core.reporting import Reporter
from core.settings import Settings
from jobs.admin_text import phase_label
from jobs.schedule import NextRun, cron_trigger, schedule_entries
from jobs.schedule_switch import fire_phase

log = logging.getLogger(__name__)

Collect = Callable[..., Awaitable[Any]]  # jobs.collect_now.Collector.collect (or a part delegating to it)


@dataclass(frozen=True)
class ScheduledJob:
    """Work besides collection that fires on a cron in the configured zone (report deliveries, reminders).

    `run(fire_time)` receives the scheduled instant (aware, local zone), so a
    late or repeated fire can key its outbox rows on the slot it belongs to.
    """

    id: str                                     # unique, e.g. "report:12@18:20" or "reminder-0"
    cron: str                                   # five-field crontab, local time
    run: Callable[[datetime], Awaitable[Any]]
    label: str = ""                             # what `jadwal` may call it


@asynccontextmanager
async def _until_shutdown(job_id: str) -> AsyncIterator[None]:
    """A job the service's stop cancels mid-run ends with one log line, not APScheduler's traceback
    ('Job … raised an exception'): whatever it wrote in a transaction is rolled back, and a report slot
    or collection run that did not finish is caught up or recorded as cancelled by its own code."""
    try:
        yield
    except asyncio.CancelledError:
        log.warning("scheduled %s was stopped by the shutdown before it finished", job_id)


@dataclass
class SchedulerPart:
    """Runs the collection cycle on the schedule (a bot/app.py Part), through the service's collector."""

    settings: Settings
    pool: asyncpg.Pool
    collect: Collect
    reporter: Reporter | None = None
    jobs: Sequence[ScheduledJob] = ()
    clock: Clock | None = None              # the service's clock (default: the system clock in the zone)
    name: str = "scheduler"
    _scheduler: AsyncIOScheduler | None = None

    def __post_init__(self) -> None:
        if self.clock is None:
            self.clock = SystemClock(self.settings.tz)

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=self.settings.tz)
        grace = self.settings.schedule.misfire_grace_minutes * 60 or None
        if self.settings.schedule.enabled:
            for entry in schedule_entries(self.settings):
                self._scheduler.add_job(
                    self._fire, trigger=entry.trigger(self.settings), args=[entry.phase, entry.job_id],
                    id=entry.job_id, name=f"fetch {entry.phase} ({entry.cron})",
                    misfire_grace_time=grace, coalesce=True, max_instances=1, replace_existing=True,
                )
        else:
            log.warning("[schedule] enabled = false: collection runs only when asked (cicero fetch / WhatsApp)")
        for job in self.jobs:
            self._scheduler.add_job(
                self._fire_job, trigger=cron_trigger(job.cron, self.settings), args=[job],
                id=job.id, name=job.label or job.id,
                misfire_grace_time=grace, coalesce=True, max_instances=1, replace_existing=True,
            )
        self._scheduler.start()

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)  # cancels the jobs still running: see `_until_shutdown`
            self._scheduler = None

    async def _fire(self, phase: str, job_id: str) -> None:
        # a failed cycle must not kill the scheduler
        async with _until_shutdown(job_id), guarded(
                "scheduled collection", log, reporter=self.reporter,
                report=f"Jadwal pengambilan data ({phase_label(phase)}) gagal dijalankan", job=job_id):
            result = await fire_phase(self.pool, phase, job_id, self.collect, now=self.clock.now())
            if result is not None:
                log.info("scheduled %s (%s): %s", job_id, phase, getattr(result, "status", result))

    async def _fire_job(self, job: ScheduledJob) -> None:
        async with _until_shutdown(job.id), guarded(f"scheduled job {job.id}", log, reporter=self.reporter,
                                                    report=f"Jadwal {job.label or job.id} gagal dijalankan",
                                                    job=job.id):
            await job.run(self._scheduled_time(job.id))

    def _scheduled_time(self, job_id: str) -> datetime:
        """The instant this fire was scheduled for (APScheduler moves next_run_time on before calling us)."""
        found = self._scheduler.get_job(job_id) if self._scheduler else None
        trigger = found.trigger if found is not None else None
        now = datetime.now(self.settings.tz)  # APScheduler fires on the wall clock, whatever the service clock
        if trigger is None:
            return now.replace(second=0, microsecond=0)
        previous = None
        candidate = trigger.get_next_fire_time(None, now - timedelta(days=1))
        while candidate is not None and candidate <= now:
            previous = candidate
            candidate = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1))
        return previous or now.replace(second=0, microsecond=0)

    def next_runs(self, limit: int = 5) -> list[NextRun]:
        """The next collection fire times of the running scheduler, soonest first."""
        if self._scheduler is None:
            return []
        runs = []
        phases = {e.job_id: e.phase for e in schedule_entries(self.settings)}
        for job in self._scheduler.get_jobs():
            if job.id in phases and job.next_run_time is not None:
                runs.append(NextRun(job.id, phases[job.id], job.next_run_time))
        runs.sort(key=lambda r: r.at)
        return runs[:limit]

    def health(self) -> dict:
        if self._scheduler is None:
            return {"status": "not_running"}
        nxt = self.next_runs(1)
        return {"status": "ok" if self.settings.schedule.enabled else "disabled",
                "jobs": len(self._scheduler.get_jobs()),
                "next_run": nxt[0].at.isoformat() if nxt else None,
                "next_phase": nxt[0].phase if nxt else None}
