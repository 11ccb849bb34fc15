"""Queries for the RapidAPI quota meter: `rapidapi_usage` (requests per key and day) and `rapidapi_quota`.

The collection counts requests in memory and adds them here once per client
(`jobs/quota.py`); the latest `x-ratelimit-*` figures replace the stored ones.
A warning is claimed with one conditional UPDATE, so across processes the
admins hear once when a key falls under the share and once when it runs out;
the claim is released when the figures recover (a new quota period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from db.pool import Executor


@dataclass(frozen=True)
class KeyUsage:
    platform: str
    key_id: str
    requests_today: int
    limit_requests: int | None
    remaining: int | None
    observed_at: datetime | None


async def add_requests(db: Executor, platform: str, key_id: str, day: date, n: int) -> None:
    await db.execute(
        """INSERT INTO rapidapi_usage (platform, key_id, day, requests) VALUES ($1, $2, $3, $4)
           ON CONFLICT (platform, key_id, day) DO UPDATE SET requests = rapidapi_usage.requests + EXCLUDED.requests""",
        platform, key_id, day, n,
    )


async def record_limits(db: Executor, platform: str, key_id: str, *, limit: int | None, remaining: int | None,
                        reset_seconds: int | None, observed_at: datetime) -> None:
    """Keep the latest figures the API sent (an older observation never replaces a newer one)."""
    await db.execute(
        """INSERT INTO rapidapi_quota (platform, key_id, limit_requests, remaining, reset_seconds, observed_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (platform, key_id) DO UPDATE SET
               limit_requests = EXCLUDED.limit_requests, remaining = EXCLUDED.remaining,
               reset_seconds = EXCLUDED.reset_seconds, observed_at = EXCLUDED.observed_at
           WHERE rapidapi_quota.observed_at <= EXCLUDED.observed_at""",
        platform, key_id, limit, remaining, reset_seconds, observed_at,
    )


async def claim_warnings(db: Executor, platform: str, key_id: str, *, share: float,
                         at: datetime) -> tuple[bool, bool]:
    """(low, exhausted): whether THIS call is the one that must tell the admins; recovered keys are re-armed."""
    await db.execute(
        """UPDATE rapidapi_quota SET
               low_warned_at = CASE WHEN remaining >= $3::float8 * limit_requests THEN NULL ELSE low_warned_at END,
               exhausted_warned_at = CASE WHEN remaining > 0 THEN NULL ELSE exhausted_warned_at END
           WHERE platform = $1 AND key_id = $2 AND limit_requests > 0""",
        platform, key_id, share,
    )
    exhausted = await db.fetchval(
        """UPDATE rapidapi_quota SET exhausted_warned_at = $3
           WHERE platform = $1 AND key_id = $2 AND remaining <= 0 AND exhausted_warned_at IS NULL
           RETURNING true""",
        platform, key_id, at,
    )
    low = await db.fetchval(
        """UPDATE rapidapi_quota SET low_warned_at = $4
           WHERE platform = $1 AND key_id = $2 AND limit_requests > 0 AND remaining < $3::float8 * limit_requests
             AND low_warned_at IS NULL
           RETURNING true""",
        platform, key_id, share, at,
    )
    return bool(low) and not exhausted, bool(exhausted)


async def usage_on(db: Executor, day: date) -> list[KeyUsage]:
    """Every key seen (today's requests, 0 when none yet) with its latest figures."""
    rows = await db.fetch(
        """SELECT k.platform, k.key_id, coalesce(u.requests, 0) AS requests_today, q.limit_requests, q.remaining,
                  q.observed_at
           FROM (SELECT platform, key_id FROM rapidapi_usage UNION SELECT platform, key_id FROM rapidapi_quota) k
           LEFT JOIN rapidapi_usage u ON u.platform = k.platform AND u.key_id = k.key_id AND u.day = $1
           LEFT JOIN rapidapi_quota q ON q.platform = k.platform AND q.key_id = k.key_id
           ORDER BY k.platform, k.key_id""",
        day,
    )
    return [KeyUsage(**dict(r)) for r in rows]


async def average_requests_per_run(db: Executor, platform: str, since: datetime) -> dict[str, float]:
    """Per phase, the mean RapidAPI requests of one finished collection run since `since`."""
    rows = await db.fetch(
        """SELECT phase, avg(n)::float8 AS mean FROM (
               SELECT r.id, r.phase, sum(coalesce((c.value -> 'api_calls' ->> $1)::int, 0)) AS n
               FROM job_runs r, jsonb_each(r.clients) c
               WHERE r.started_at >= $2 AND r.status IN ('ok', 'partial') AND r.phase IS NOT NULL
               GROUP BY r.id, r.phase) per_run
           GROUP BY phase""",
        platform, since,
    )
    return {r["phase"]: r["mean"] for r in rows}
