"""When a subscription fires, and which period a fire reports on.

A time is `HH:MM` (every day) or a five-field cron, in the configured zone.
A fire belongs to its scheduled instant (the slot): the period is taken from
the slot, so a catch-up after midnight of a 23:00 slot still reports that day,
and the outbox keys name the slot, so a late or repeated fire adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Iterable

from apscheduler.triggers.cron import CronTrigger

from core.settings import Settings
from handlers.reports.attendance import Period
from jobs.schedule import cron_trigger

PERIOD_MAKERS: dict[str, Callable[[datetime], Period]] = {
    "today": Period.today,
    "yesterday": Period.yesterday,
    "this_week": Period.this_week,
    "last_week": Period.last_week,
    "this_month": Period.this_month,
    "last_month": Period.last_month,
}
PERIOD_LABELS = {"today": "hari ini", "yesterday": "kemarin", "this_week": "minggu ini",
                 "last_week": "minggu lalu", "this_month": "bulan ini", "last_month": "bulan lalu"}


def period_for(name: str, slot: datetime) -> Period:
    return PERIOD_MAKERS[name](slot)


def cron_of(time_spec: str) -> str:
    """`18:20` → `20 18 * * *`; a cron expression as it is."""
    if ":" in time_spec and len(time_spec.split()) == 1:
        hour, minute = time_spec.split(":")
        return f"{int(minute)} {int(hour)} * * *"
    return time_spec


class Triggers:
    """CronTriggers by time spec, built once per use (600 subscriptions share a handful of times)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._cache: dict[str, CronTrigger] = {}

    def of(self, time_spec: str) -> CronTrigger:
        trigger = self._cache.get(time_spec)
        if trigger is None:
            trigger = self._cache[time_spec] = cron_trigger(cron_of(time_spec), self.settings)
        return trigger

    def slots_between(self, times: Iterable[str], start: datetime, end: datetime) -> list[datetime]:
        """Every slot in (start, end], oldest first."""
        tz = self.settings.tz
        out: set[datetime] = set()
        for spec in times:
            trigger = self.of(spec)
            at = trigger.get_next_fire_time(None, start + timedelta(seconds=1))
            while at is not None and at <= end:
                out.add(at.astimezone(tz))
                at = trigger.get_next_fire_time(at, at + timedelta(seconds=1))
        return sorted(out)

    def next_slot(self, times: Iterable[str], after: datetime) -> datetime | None:
        """The first slot strictly after `after`."""
        candidates = [self.of(spec).get_next_fire_time(None, after + timedelta(seconds=1)) for spec in times]
        found = [c.astimezone(self.settings.tz) for c in candidates if c is not None]
        return min(found) if found else None


def time_label(time_spec: str) -> str:
    """`18:20` → `18.20`; a cron as `cron 0 8 * * mon`."""
    return time_spec.replace(":", ".") if len(time_spec.split()) == 1 else f"cron {time_spec}"
