"""Periods of whole Asia/Jakarta days: today, yesterday, a week, a month, a range, all time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.clock import JAKARTA, days_range, local_day
from handlers.reports.formatting import id_date, id_month, id_weekday_date

ALL_TIME_START = date(2000, 1, 1)


@dataclass(frozen=True)
class Period:
    """A span of whole Asia/Jakarta days, [first, last] inclusive."""

    kind: str   # day | week | month | range | all
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("tanggal akhir sebelum tanggal awal")

    # constructors ---------------------------------------------------------
    @classmethod
    def on(cls, day: date) -> "Period":
        return cls("day", day, day)

    @classmethod
    def today(cls, now: datetime) -> "Period":
        return cls.on(local_day(now))

    @classmethod
    def yesterday(cls, now: datetime) -> "Period":
        return cls.on(local_day(now) - timedelta(days=1))

    @classmethod
    def week(cls, day: date) -> "Period":
        """The Monday–Sunday week containing `day`."""
        monday = day - timedelta(days=day.weekday())
        return cls("week", monday, monday + timedelta(days=6))

    @classmethod
    def this_week(cls, now: datetime) -> "Period":
        return cls.week(local_day(now))

    @classmethod
    def last_week(cls, now: datetime) -> "Period":
        return cls.week(local_day(now) - timedelta(days=7))

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = calendar.monthrange(year, month)[1]
        return cls("month", date(year, month, 1), date(year, month, last))

    @classmethod
    def this_month(cls, now: datetime) -> "Period":
        day = local_day(now)
        return cls.month(day.year, day.month)

    @classmethod
    def last_month(cls, now: datetime) -> "Period":
        first = local_day(now).replace(day=1) - timedelta(days=1)
        return cls.month(first.year, first.month)

    @classmethod
    def range(cls, first: date, last: date) -> "Period":
        return cls("day", first, first) if first == last else cls("range", first, last)

    @classmethod
    def all_time(cls, now: datetime) -> "Period":
        return cls("all", ALL_TIME_START, local_day(now))

    @classmethod
    def date(cls, day: date) -> "Period":
        return cls.on(day)

    # use ------------------------------------------------------------------
    def bounds(self, tz=JAKARTA) -> tuple[datetime, datetime]:
        """[start, end) instants of the period in `tz`."""
        return days_range(self.first, self.last, tz)

    @property
    def is_single_day(self) -> bool:
        return self.first == self.last

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        """Indonesian description: 'Rabu, 25 November 2026', 'November 2026', '17–23 November 2026'."""
        if self.kind == "all":
            return f"semua data s.d. {id_date(self.last)}"
        if self.is_single_day:
            return id_weekday_date(self.first)
        if self.kind == "month":
            return id_month(self.first.year, self.first.month)
        return f"{id_date(self.first)} s.d. {id_date(self.last)}"

    def slug(self) -> str:
        """For file names: 2026-11-25 or 2026-11-17_2026-11-23."""
        return self.first.isoformat() if self.is_single_day else f"{self.first.isoformat()}_{self.last.isoformat()}"
