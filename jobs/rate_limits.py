"""Sliding-window limits for the dashboard's unauthenticated flows (registration, password reset).

    limit = Limit(count=3, window=timedelta(hours=1))
    seconds = limit.wait(times_of_recent_requests, now)   # None: allowed now

The caller keeps the request times in its own table and raises `TooMany`
(an Indonesian message with the minutes to wait, and `retry_after_seconds`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    count: int
    window: timedelta

    def since(self, now: datetime) -> datetime:
        return now - self.window

    def wait(self, times: list[datetime], now: datetime) -> int | None:
        """Seconds until one more request is allowed (times oldest first, within the window), or None."""
        if len(times) < self.count:
            return None
        return max(1, math.ceil((times[-self.count] + self.window - now).total_seconds()))


class TooMany(ValueError):
    def __init__(self, what: str, retry_after_seconds: int, reason: str = "rate_limited"):
        super().__init__(f"Terlalu banyak {what}; coba lagi dalam {math.ceil(retry_after_seconds / 60)} menit")
        self.retry_after_seconds = retry_after_seconds
        self.reason = reason
