"""Helpers for simulated-day notification tests: fire times and per-group outbox views."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from core.clock import JAKARTA


def fire_times(settings, day: date, *, start: time = time(0, 0), end: time = time(23, 59)) -> list[tuple[datetime, str]]:
    """(instant, phase) of every scheduled collection run of `day` within [start, end], in order."""
    out = []
    lo = datetime.combine(day, start, tzinfo=JAKARTA)
    hi = datetime.combine(day, end, tzinfo=JAKARTA)
    for phase, crons in (("post_fetch", settings.schedule.post_fetch),
                         ("engagement_only", settings.schedule.engagement_only)):
        for expr in crons:
            trigger = CronTrigger.from_crontab(expr, timezone=JAKARTA)
            t = trigger.get_next_fire_time(None, lo - timedelta(seconds=1))
            while t is not None and t <= hi:
                out.append((t.astimezone(JAKARTA), phase))
                t = trigger.get_next_fire_time(t, t + timedelta(seconds=1))
    return sorted(out)
