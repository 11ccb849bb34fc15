"""One clock for the whole product: every "now", "today" and day range in Asia/Jakarta.

Code that needs the time takes a `Clock` (or a `now` value) as a parameter, so
tests control time by passing a `ManualClock` instead of sleeping or patching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


class Clock(Protocol):
    tz: ZoneInfo

    def now(self) -> datetime:
        """The current instant as an aware datetime in `tz`."""
        ...


@dataclass
class SystemClock:
    tz: ZoneInfo = JAKARTA

    def now(self) -> datetime:
        return datetime.now(timezone.utc).astimezone(self.tz)


@dataclass
class ManualClock:
    """A clock tests move by hand."""

    current: datetime
    tz: ZoneInfo = field(default=JAKARTA)

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            self.current = self.current.replace(tzinfo=self.tz)

    def now(self) -> datetime:
        return self.current.astimezone(self.tz)

    def set(self, when: datetime) -> None:
        self.current = when if when.tzinfo else when.replace(tzinfo=self.tz)

    def advance(self, **delta: float) -> None:
        self.current = self.current + timedelta(**delta)


def local_day(now: datetime, tz: ZoneInfo = JAKARTA) -> date:
    """The calendar day of `now` in `tz` (Asia/Jakarta unless told)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return now.astimezone(tz).date()


def day_range(day: date, tz: ZoneInfo = JAKARTA) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in `tz`, as aware datetimes."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def days_range(first: date, last: date, tz: ZoneInfo = JAKARTA) -> tuple[datetime, datetime]:
    """[start of `first`, end of `last`) in `tz`."""
    if last < first:
        raise ValueError("the end date is before the start date")
    return day_range(first, tz)[0], day_range(last, tz)[1]
