"""The RapidAPI quota meter: requests per key and day, the API's own remaining figures, warnings, a projection.

* `QuotaMeter` — lives on `FetchDeps`; every RapidAPI answer passes its headers
  to `on_response` (counted in memory), and `flush` (once per client) adds the
  counts to `rapidapi_usage`, stores the latest `x-ratelimit-*` figures, and
  tells the admins once when a key's remaining share falls under
  `[fetch] quota_warn_percent` and once when it is exhausted.
* `quota_report(pool, settings, now)` — what `cicero quota`, `status` and
  `doctor` show: per key, today's requests, the projected total of the day from
  the schedule (requests so far + the day's remaining runs × the mean requests of
  a run of that phase over the last 7 days) and the API's remaining figures.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from core.boundary import report_safely
from core.clock import local_day
from core.reporting import Reporter
from core.settings import Settings
from db import quota as quota_db
from jobs.schedule import fire_times
from jobs.task_messages import angka

log = logging.getLogger(__name__)

PLATFORMS = ("instagram", "tiktok")
HISTORY_DAYS = 7


def key_id(key: str | None) -> str:
    """A stable, non-secret name for a key: the first 12 hex digits of its SHA-256 ('none' without a key)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12] if key else "none"


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except ValueError:
        return None


@dataclass
class _Seen:
    requests: int = 0
    limit: int | None = None
    remaining: int | None = None
    reset: int | None = None
    observed: bool = False


@dataclass
class QuotaMeter:
    """Counts RapidAPI requests per (platform, key) in memory until `flush`."""

    settings: Settings
    _pending: dict[str, _Seen] = field(default_factory=dict)

    def key_of(self, platform: str) -> str:
        section = getattr(self.settings, platform)
        return key_id(section.key.get_secret_value() if section.key is not None else None)

    def on_response(self, platform: str, headers: httpx.Headers) -> None:
        seen = self._pending.setdefault(platform, _Seen())
        seen.requests += 1
        remaining = _int(headers.get("x-ratelimit-requests-remaining"))
        if remaining is not None:  # the lowest of a batch: concurrent answers arrive in any order
            seen.remaining = remaining if seen.remaining is None else min(seen.remaining, remaining)
            seen.observed = True
            seen.limit = _int(headers.get("x-ratelimit-requests-limit"))
            seen.reset = _int(headers.get("x-ratelimit-requests-reset"))

    async def flush(self, pool, now: datetime, reporter: Reporter | None) -> None:
        """Store what was counted since the last flush and send the warnings it crossed."""
        pending, self._pending = self._pending, {}
        share = self.settings.fetch.quota_warn_percent / 100.0
        day = local_day(now, self.settings.tz)
        for platform, seen in pending.items():
            kid = self.key_of(platform)
            async with pool.acquire() as conn, conn.transaction():
                await quota_db.add_requests(conn, platform, kid, day, seen.requests)
                if not seen.observed:
                    continue
                await quota_db.record_limits(conn, platform, kid, limit=seen.limit, remaining=seen.remaining,
                                             reset_seconds=seen.reset, observed_at=now)
                low, exhausted = await quota_db.claim_warnings(conn, platform, kid, share=share, at=now)
            if exhausted:
                await report_safely(reporter, "error", f"❌ Kuota RapidAPI {platform} (kunci {kid}) sudah habis. "
                                    "Pengambilan data gagal sampai kuota diperbarui.", platform=platform)
            elif low:
                pct = 100.0 * seen.remaining / seen.limit if seen.limit else 0.0
                await report_safely(reporter, "warning",
                                    f"⚠️ Kuota RapidAPI {platform} (kunci {kid}) tinggal {pct:.0f}% "
                                    f"({angka(seen.remaining)} dari {angka(seen.limit)} permintaan).",
                                    platform=platform)


@dataclass(frozen=True)
class QuotaLine:
    platform: str
    key_id: str
    requests_today: int
    projected_today: int
    limit_requests: int | None
    remaining: int | None

    @property
    def remaining_percent(self) -> float | None:
        if self.remaining is None or not self.limit_requests:
            return None
        return 100.0 * self.remaining / self.limit_requests

    def text_id(self) -> str:
        """One Indonesian line for the WhatsApp `status` reply."""
        left = ""
        if self.remaining is not None:
            pct = self.remaining_percent
            left = f"; sisa kuota {angka(self.remaining)}" + (f" ({pct:.0f}%)" if pct is not None else "")
        return (f"RapidAPI {self.platform}: {angka(self.requests_today)} permintaan hari ini, perkiraan "
                f"{angka(self.projected_today)} sampai akhir hari{left}")


async def quota_report(pool, settings: Settings, now: datetime) -> list[QuotaLine]:
    """Per configured platform (and any key seen today): use, projection and the API's remaining figures."""
    day = local_day(now, settings.tz)
    usage = {(u.platform, u.key_id): u for u in await quota_db.usage_on(pool, day)}
    hhmm = now.astimezone(settings.tz).strftime("%H:%M")
    later = [ft.phase for ft in fire_times(settings, day) if ft.time > hhmm] if settings.schedule.enabled else []
    meter = QuotaMeter(settings)
    lines = []
    for platform in PLATFORMS:
        kid = meter.key_of(platform)
        u = usage.get((platform, kid))
        means = await quota_db.average_requests_per_run(pool, platform, now - timedelta(days=HISTORY_DAYS))
        used = u.requests_today if u else 0
        projected = used + round(sum(means.get(phase, 0.0) for phase in later))
        lines.append(QuotaLine(platform, kid, used, projected, u.limit_requests if u else None,
                               u.remaining if u else None))
    return lines
