"""Dashboard period parameters → an attendance `Period` (whole Asia/Jakarta days).

Order (as the original backend): a start and end date (`start_date|tanggal_mulai`,
`end_date|tanggal_selesai`) override `periode`; then `bulanan` (`tanggal` as
YYYY-MM or YYYY-MM-DD), `mingguan` (the Monday–Sunday week of `tanggal`, which may
also be an ISO week key `YYYY-Www`), `semua`, and `harian` (default; `tanggal` or today).
Parameter values are case-insensitive. A bad value is a 422 with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from fastapi import Query

from bot.api.errors import ApiError
from handlers.reports.attendance import Period
from core.clock import JAKARTA, local_day

MIN_YEAR, MAX_YEAR = 2000, 2100
PERIODES = ("harian", "mingguan", "bulanan", "semua")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class PeriodParams:
    periode: str | None = None
    tanggal: str | None = None
    tanggal_mulai: str | None = None
    tanggal_selesai: str | None = None
    start_date: str | None = None
    end_date: str | None = None


def period_params(
    periode: str | None = Query(None, description="harian (default), mingguan, bulanan or semua"),
    tanggal: str | None = Query(None, description="YYYY-MM-DD; YYYY-MM for bulanan; YYYY-Www for mingguan"),
    tanggal_mulai: str | None = Query(None, description="range start YYYY-MM-DD (overrides periode)"),
    tanggal_selesai: str | None = Query(None, description="range end YYYY-MM-DD (inclusive)"),
    start_date: str | None = Query(None, description="alias of tanggal_mulai"),
    end_date: str | None = Query(None, description="alias of tanggal_selesai"),
) -> PeriodParams:
    return PeriodParams(periode, tanggal, tanggal_mulai, tanggal_selesai, start_date, end_date)


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def parse_day(value: str, name: str) -> date:
    """YYYY-MM-DD, or an ISO timestamp (its Asia/Jakarta day)."""
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment.astimezone(JAKARTA).date() if moment.tzinfo else moment.date()
    except ValueError:
        raise ApiError(422, f"{name} tidak valid: {value!r} (format YYYY-MM-DD)", "validation_error") from None


def _month(value: str) -> Period:
    m = _MONTH.match(value.strip())
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and 1 <= year <= 9999:
            return Period.month(year, month)
        raise ApiError(422, f"tanggal tidak valid: {value!r} (format YYYY-MM)", "validation_error")
    day = parse_day(value, "tanggal")
    return Period.month(day.year, day.month)


def _week(value: str) -> Period:
    m = _WEEK.match(value.strip())
    if m:
        try:
            return Period.week(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
        except ValueError:
            raise ApiError(422, f"tanggal tidak valid: {value!r} (minggu ISO YYYY-Www)", "validation_error") from None
    return Period.week(parse_day(value, "tanggal"))


def resolve_period(params: PeriodParams, now: datetime) -> Period:
    period = _resolve(params, now)
    if period.first.year < MIN_YEAR or period.last.year > MAX_YEAR:
        raise ApiError(422, f"tanggal di luar rentang {MIN_YEAR}–{MAX_YEAR}", "validation_error")
    return period


def _resolve(params: PeriodParams, now: datetime) -> Period:
    start = _blank(params.start_date) or _blank(params.tanggal_mulai)
    end = _blank(params.end_date) or _blank(params.tanggal_selesai)
    if start or end:
        if not (start and end):
            raise ApiError(422, "tanggal_mulai dan tanggal_selesai harus diisi bersama", "validation_error")
        first, last = parse_day(start, "tanggal_mulai"), parse_day(end, "tanggal_selesai")
        if last < first:
            raise ApiError(422, "tanggal_selesai sebelum tanggal_mulai", "validation_error")
        return Period.range(first, last)
    periode = (_blank(params.periode) or "harian").lower()
    tanggal = _blank(params.tanggal)
    if periode not in PERIODES:
        raise ApiError(422, f"periode tidak valid: {params.periode!r} (harian, mingguan, bulanan, semua)",
                       "validation_error")
    if periode == "bulanan":
        return _month(tanggal) if tanggal else Period.this_month(now)
    if periode == "mingguan":
        return _week(tanggal) if tanggal else Period.this_week(now)
    if periode == "semua":
        return Period.all_time(now)
    return Period.on(parse_day(tanggal, "tanggal")) if tanggal else Period.on(local_day(now))
