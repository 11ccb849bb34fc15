"""Queries for `login_log` (every API login, good or bad) and revoked API tokens.

Throttling reads this table: the failures of one actor (an account or a client
operator) from one address, or of one address, since a given instant. Times are passed in by the
caller (from the injectable clock), never taken from the database's `now()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor

# Refusals that are themselves caused by throttling do not count as new failures.
THROTTLE_REASONS = ("throttled", "locked")


MAX_FAILURES_READ = 200


@dataclass(frozen=True)
class FailureWindow:
    """Instants of recent credential failures, newest first (at most MAX_FAILURES_READ)."""

    times: list[datetime]

    @property
    def last_at(self) -> datetime | None:
        return self.times[0] if self.times else None

    def count_within(self, span) -> int:
        """Failures in the `span` (timedelta) that ends at the last failure."""
        if not self.times:
            return 0
        return sum(1 for t in self.times if t >= self.times[0] - span)


async def record_login(
    db: Executor, *, login_type: str, actor: str, success: bool, reason: str | None,
    ip: str | None, user_agent: str | None, at: datetime,
) -> None:
    await db.execute(
        """INSERT INTO login_log (login_type, actor, success, reason, ip, user_agent, logged_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        login_type, actor, success, reason, ip, (user_agent or "")[:300] or None, at,
    )


async def failures_of_pair_since(db: Executor, actor: str, ip: str | None, since: datetime) -> FailureWindow:
    """Credential failures of `actor` from address `ip` after `since` and after that pair's last success."""
    rows = await db.fetch(
        """
        SELECT logged_at FROM login_log
        WHERE actor = $1 AND ip IS NOT DISTINCT FROM $2 AND NOT success AND logged_at >= $3
          AND coalesce(reason, '') <> ALL($4::text[])
          AND logged_at > coalesce((SELECT max(logged_at) FROM login_log
                                    WHERE actor = $1 AND ip IS NOT DISTINCT FROM $2 AND success),
                                   '-infinity'::timestamptz)
        ORDER BY logged_at DESC LIMIT $5
        """,
        actor, ip, since, list(THROTTLE_REASONS), MAX_FAILURES_READ,
    )
    return FailureWindow([r["logged_at"] for r in rows])


async def failures_of_ip_since(db: Executor, ip: str, since: datetime) -> FailureWindow:
    """Credential failures from address `ip` after `since`."""
    rows = await db.fetch(
        """
        SELECT logged_at FROM login_log
        WHERE ip = $1 AND NOT success AND logged_at >= $2 AND coalesce(reason, '') <> ALL($3::text[])
        ORDER BY logged_at DESC LIMIT $4
        """,
        ip, since, list(THROTTLE_REASONS), MAX_FAILURES_READ,
    )
    return FailureWindow([r["logged_at"] for r in rows])


async def recent_logins(db: Executor, *, limit: int = 50) -> list[dict]:
    rows = await db.fetch(
        "SELECT login_type, actor, success, reason, ip, logged_at FROM login_log ORDER BY logged_at DESC, id DESC LIMIT $1",
        limit,
    )
    return [dict(r) for r in rows]


async def revoke_token(db: Executor, *, jti: str, actor: str, expires_at: datetime, at: datetime) -> None:
    await db.execute(
        """INSERT INTO api_revoked_tokens (jti, actor, revoked_at, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (jti) DO NOTHING""",
        jti, actor, at, expires_at,
    )
    await db.execute("DELETE FROM api_revoked_tokens WHERE expires_at < $1", at)


async def is_token_revoked(db: Executor, jti: str) -> bool:
    return bool(await db.fetchval("SELECT 1 FROM api_revoked_tokens WHERE jti = $1", jti))
