"""Indonesian formatting for report texts: numbers, dates, times (WIB), greetings."""

from __future__ import annotations

import re
from datetime import date, datetime

from core.clock import JAKARTA

DAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTH_NAMES = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]


def id_number(value: int | float, decimals: int = 0) -> str:
    """1234567 → '1.234.567'; 92.5 with decimals=1 → '92,5' (Indonesian separators)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def id_percent(value: float, decimals: int = 1) -> str:
    return f"{id_number(value, decimals)}%"


def id_date(day: date) -> str:
    """'25 November 2026'."""
    return f"{day.day:02d} {MONTH_NAMES[day.month - 1]} {day.year}"


def id_weekday_date(day: date) -> str:
    """'Rabu, 25 November 2026'."""
    return f"{DAY_NAMES[day.weekday()]}, {id_date(day)}"


def id_time(moment: datetime) -> str:
    """'14.05 WIB' (Asia/Jakarta)."""
    local = moment.astimezone(JAKARTA)
    return f"{local:%H.%M} WIB"


def id_month(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1]} {year}"


def greeting(moment: datetime) -> str:
    """Salam by the hour in WIB: pagi 04–10, siang 10–15, sore 15–18, else malam."""
    hour = moment.astimezone(JAKARTA).hour
    if 4 <= hour < 10:
        return "Selamat pagi"
    if 10 <= hour < 15:
        return "Selamat siang"
    if 15 <= hour < 18:
        return "Selamat sore"
    return "Selamat malam"


def safe_name(text: str) -> str:
    """A client id as part of a file name: letters, digits, '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)
