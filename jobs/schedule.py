"""The collection schedule: the seed's cron table, declared once from `settings.schedule`.

Public API:

* `schedule_entries(settings) -> list[ScheduleEntry]` — (job_id, cron expr, phase).
* `fire_times(settings, day) -> list[FireTime]` — every fire time of `day` (local), sorted.
* `phase_at(settings, when) -> Phase | None` — the phase firing in `when`'s minute.
* `SchedulerPart` (name/start()/stop()) — an APScheduler 3 `AsyncIOScheduler` with one
  `CronTrigger` per entry in `settings.general.timezone`, misfire grace from
  settings, coalescing, one instance per job; each fire runs
  `jobs.fetch.run_cycle(phase=…, trigger="schedule")`. `next_runs()` and
  `last_runs()` serve the WhatsApp `status` command.
* `build_scheduler_part(settings, pool, clock, deps_factory)` — what bot/app.py wires.

The defaults are the seed's table (Asia/Jakarta):
post_fetch `5,30 6-16 * * *` + `5 17 * * *`; engagement_only `30 17-21 * * *` + `0 18-22 * * *`.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from apscheduler.triggers.cron import CronTrigger

from bot.settings import Settings

log = logging.getLogger(__name__)

POST_FETCH = "post_fetch"
ENGAGEMENT_ONLY = "engagement_only"


@dataclass(frozen=True)
class ScheduleEntry:
    job_id: str  # e.g. "post_fetch-0"
    cron: str  # five-field crontab, local time
    phase: str  # "post_fetch" | "engagement_only"

    def trigger(self, settings: Settings) -> CronTrigger:
        return cron_trigger(self.cron, settings)


@dataclass(frozen=True)
class FireTime:
    time: str  # HH:MM local
    phase: str
    job_id: str
    cron: str

    def to_dict(self) -> dict[str, str]:
        return {"time": self.time, "phase": self.phase, "job_id": self.job_id, "cron": self.cron}


@dataclass(frozen=True)
class NextRun:
    job_id: str
    phase: str
    at: datetime


def cron_trigger(expr: str, settings: Settings) -> CronTrigger:
    """A CronTrigger for a 5-field expression in the configured zone.

    Built field by field (not `from_crontab`) so the meaning of each field is
    explicit; settings already refuse numeric weekdays, whose numbering differs
    between crontab (0 = Sunday) and APScheduler (0 = Monday).
    """
    minute, hour, day, month, dow = expr.split()
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=None if dow in ("*", "?") else dow, timezone=settings.tz)


def schedule_entries(settings: Settings) -> list[ScheduleEntry]:
    """The cron table, one entry per configured expression."""
    entries = [ScheduleEntry(f"{POST_FETCH}-{i}", expr, POST_FETCH) for i, expr in enumerate(settings.schedule.post_fetch)]
    entries += [
        ScheduleEntry(f"{ENGAGEMENT_ONLY}-{i}", expr, ENGAGEMENT_ONLY)
        for i, expr in enumerate(settings.schedule.engagement_only)
    ]
    return entries


def fire_times(settings: Settings, day: date) -> list[FireTime]:
    """Every fire time of `day` in the configured zone, sorted by time then job id.

    When a post_fetch and an engagement_only entry fire in the same minute, both
    are listed; `phase_at` resolves such a minute to post_fetch.
    """
    tz = settings.tz
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    out: list[FireTime] = []
    for entry in schedule_entries(settings):
        trigger = entry.trigger(settings)
        previous = None
        current = trigger.get_next_fire_time(None, start - timedelta(microseconds=1))
        while current is not None and current < end:
            if current >= start:
                out.append(FireTime(current.astimezone(tz).strftime("%H:%M"), entry.phase, entry.job_id, entry.cron))
            previous = current
            current = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1))
    out.sort(key=lambda f: (f.time, f.job_id))
    return out


def phase_at(settings: Settings, when: datetime):
    """The phase scheduled in `when`'s minute (local), or None if nothing fires then.

    post_fetch wins when both fire in the same minute (it includes engagement).
    """
    if when.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    local = when.astimezone(settings.tz)
    minute_start = local.replace(second=0, microsecond=0)
    found = set()
    for entry in schedule_entries(settings):
        trigger = entry.trigger(settings)
        nxt = trigger.get_next_fire_time(None, minute_start)
        if nxt is not None and nxt == minute_start:
            found.add(entry.phase)
    if POST_FETCH in found:
        return POST_FETCH
    if ENGAGEMENT_ONLY in found:
        return ENGAGEMENT_ONLY
    return None


def phase_for_manual_run(settings: Settings, when: datetime) -> str:
    """The phase of an unscheduled run at `when`: the phase of the latest fire time
    of the day at or before `when`; before the first one, post_fetch; after the
    last post_fetch of the day, engagement_only (as the schedule would)."""
    local = when.astimezone(settings.tz)
    hhmm = local.strftime("%H:%M")
    times = fire_times(settings, local.date())
    chosen = None
    for ft in times:
        if ft.time <= hhmm:
            if chosen is None or ft.time > chosen.time or ft.phase == POST_FETCH:
                chosen = ft
    if chosen is None:
        return POST_FETCH
    return chosen.phase


# --------------------------------------------------------------------------- the service part

DepsFactory = Callable[[], AbstractAsyncContextManager]  # yields jobs.fetch.FetchDeps


@dataclass
class SchedulerPart:
    """Runs the collection cycle on the schedule (a bot/app.py Part)."""

    settings: Settings
    pool: Any
    deps_factory: DepsFactory
    name: str = "scheduler"
    _scheduler: Any = None
    _deps_cm: Any = None
    _deps: Any = None
    run_cycle: Callable[..., Any] | None = None  # override for tests; default jobs.fetch.run_cycle
    _running: set = field(default_factory=set)

    async def start(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._deps_cm = self.deps_factory()
        self._deps = await self._deps_cm.__aenter__()
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
        self._scheduler.start()

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._deps_cm is not None:
            await self._deps_cm.__aexit__(None, None, None)
            self._deps_cm = self._deps = None

    async def _fire(self, phase: str, job_id: str) -> None:
        from jobs import fetch

        runner = self.run_cycle or fetch.run_cycle
        try:
            result = await runner(self._deps, phase=phase, trigger="schedule")
            log.info("scheduled %s (%s): %s", job_id, phase, getattr(result, "status", result))
        except Exception:  # a failed cycle must not kill the scheduler
            log.exception("scheduled collection %s failed", job_id)
            try:
                await self._deps.reporter.error(f"Jadwal pengambilan data {job_id} gagal dijalankan", job=job_id)
            except Exception:
                log.exception("could not report the failure of %s", job_id)

    def next_runs(self, limit: int = 5) -> list[NextRun]:
        """The next fire times of the running scheduler, soonest first."""
        if self._scheduler is None:
            return []
        runs = []
        for job in self._scheduler.get_jobs():
            if job.next_run_time is not None:
                phase = POST_FETCH if job.id.startswith(POST_FETCH) else ENGAGEMENT_ONLY
                runs.append(NextRun(job.id, phase, job.next_run_time))
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

    async def last_runs(self, limit: int = 5) -> list:
        """The latest fetch job_runs rows (see db.job_runs.recent_runs)."""
        from db.job_runs import recent_runs

        return await recent_runs(self.pool, limit=limit)


def next_runs_after(settings: Settings, when: datetime, limit: int = 5) -> list[NextRun]:
    """The next `limit` fire times after `when`, without a running scheduler."""
    out: list[NextRun] = []
    for entry in schedule_entries(settings):
        trigger = entry.trigger(settings)
        prev = None
        cur = trigger.get_next_fire_time(None, when + timedelta(seconds=1))
        for _ in range(limit):
            if cur is None:
                break
            out.append(NextRun(entry.job_id, entry.phase, cur))
            prev = cur
            cur = trigger.get_next_fire_time(prev, prev + timedelta(seconds=1))
    out.sort(key=lambda r: (r.at, r.job_id))
    return out[:limit]


def build_scheduler_part(settings: Settings, pool, clock, *, reporter=None, after_client=None) -> SchedulerPart:
    """The scheduler part for `cicero run`; owns its own FetchDeps (shared HTTP client)."""
    from jobs.fetch import fetch_deps

    return SchedulerPart(
        settings=settings, pool=pool,
        deps_factory=lambda: fetch_deps(settings, pool, clock, reporter=reporter, after_client=after_client),
    )
