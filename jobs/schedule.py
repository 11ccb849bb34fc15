"""The collection schedule: the seed's cron table, declared once from `settings.schedule`.

Public API:

* `schedule_entries(settings) -> list[ScheduleEntry]` — (job_id, cron expr, phase).
* `fire_times(settings, day) -> list[FireTime]` — every fire time of `day` (local), sorted.
* `phase_at(settings, when) -> Phase | None` — the phase firing in `when`'s minute.
* `next_runs_after(settings, when)` — the next fire times without a running scheduler.

The part that fires these entries is `jobs/scheduler.py`.

The defaults are the seed's table (Asia/Jakarta):
post_fetch `5,30 6-16 * * *` + `5 17 * * *`; engagement_only `30 17-21 * * *` + `0 18-22 * * *`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from core.settings import Settings

log = logging.getLogger(__name__)

POST_FETCH = "post_fetch"
ENGAGEMENT_ONLY = "engagement_only"
LATE_SWEEP = "late_sweep"  # once a day: likes/comments of the previous `late_sweep_days` days


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
    if settings.schedule.late_sweep:
        entries.append(ScheduleEntry(f"{LATE_SWEEP}-0", settings.schedule.late_sweep, LATE_SWEEP))
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
    if LATE_SWEEP in found:
        return LATE_SWEEP
    return None


def phase_for_manual_run(settings: Settings, when: datetime) -> str:
    """The phase of an unscheduled run at `when`: the phase of the latest fire time
    of the day at or before `when`; before the first one, post_fetch; after the
    last post_fetch of the day, engagement_only (as the schedule would)."""
    local = when.astimezone(settings.tz)
    hhmm = local.strftime("%H:%M")
    times = [ft for ft in fire_times(settings, local.date()) if ft.phase != LATE_SWEEP]  # a sweep is about past days
    chosen = None
    for ft in times:
        if ft.time <= hhmm:
            if chosen is None or ft.time > chosen.time or ft.phase == POST_FETCH:
                chosen = ft
    if chosen is None:
        return POST_FETCH
    return chosen.phase


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
