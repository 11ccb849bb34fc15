"""The period parameters of the executive summary and Anev pages → an attendance `Period`.

Executive summary (`month`, `period`, `period_scope`, `periode`, `tanggal`,
`start_date`/`end_date`): dates win (a range that is exactly one calendar month
is that month); else `month`/`period` as `YYYY-MM`; else `periode` (`monthly`,
`weekly`, `daily` read as `bulanan`, `mingguan`, `harian`, and the usual
values) with `tanggal`; default this month.

Anev (`time_range`, `start_date`/`end_date`): both dates win (the page sends
them with every preset); else `today`, `7d` (the last 7 days), `30d`, `90d`,
`all`; `custom` needs both dates.
"""

from __future__ import annotations

import calendar
import re
from datetime import timedelta

from bot.api.errors import ApiError
from bot.api.periods import PERIODES, PeriodParams, resolve_period
from core.clock import local_day
from handlers.reports.attendance import Period

_MONTH_KEY = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_PERIODE_ALIASES = {"monthly": "bulanan", "month": "bulanan", "weekly": "mingguan", "week": "mingguan",
                    "daily": "harian", "day": "harian", "all": "semua"}
TIME_RANGES = ("today", "7d", "30d", "90d", "custom", "all")
_RANGE_DAYS = {"today": 1, "7d": 7, "30d": 30, "90d": 90}


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def as_month(period: Period) -> Period:
    """A range covering exactly one calendar month, as that month (its label and 'previous month')."""
    first, last = period.first, period.last
    if first.day == 1 and first.year == last.year and first.month == last.month \
            and last.day == calendar.monthrange(first.year, first.month)[1]:
        return Period.month(first.year, first.month)
    return period


def _dates(start: str | None, end: str | None, now) -> Period | None:
    start, end = _blank(start), _blank(end)
    if not (start or end):
        return None
    return resolve_period(PeriodParams(start_date=start, end_date=end), now)


def summary_period(*, month: str | None, period: str | None, period_scope: str | None, periode: str | None,
                   tanggal: str | None, start_date: str | None, end_date: str | None, now) -> Period:
    ranged = _dates(start_date, end_date, now)
    if ranged is not None:
        return as_month(ranged)
    key = _blank(month) or _blank(period)
    if key:
        m = _MONTH_KEY.match(key)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ApiError(422, f"month tidak valid: {key!r} (format YYYY-MM)", "validation_error")
        return resolve_period(PeriodParams(periode="bulanan", tanggal=key), now)
    kind = (_blank(periode) or _blank(period_scope) or "bulanan").lower()
    kind = _PERIODE_ALIASES.get(kind, kind)
    if kind not in PERIODES:
        raise ApiError(422, f"periode tidak valid: {kind!r} (bulanan, mingguan, harian, semua)", "validation_error")
    return resolve_period(PeriodParams(periode=kind, tanggal=tanggal), now)


def anev_period(time_range: str | None, start_date: str | None, end_date: str | None, now) -> tuple[str, Period]:
    """(the time range as understood, its period)."""
    kind = (_blank(time_range) or "7d").lower()
    if kind not in TIME_RANGES:
        raise ApiError(422, f"time_range tidak valid: {kind!r} ({', '.join(TIME_RANGES)})", "validation_error")
    ranged = _dates(start_date, end_date, now)
    if ranged is not None:
        return kind, ranged
    if kind == "custom":
        raise ApiError(422, "time_range custom memerlukan start_date dan end_date", "validation_error")
    today = local_day(now)
    if kind == "all":
        return kind, Period.all_time(now)
    first = today - timedelta(days=_RANGE_DAYS[kind] - 1)
    return kind, Period.range(first, today)
