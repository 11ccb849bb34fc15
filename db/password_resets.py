"""Queries for `dashboard_password_resets`: one-time codes for a forgotten dashboard password.

The caller (`jobs/password_reset.py`) makes the code, keeps only its HMAC here,
and counts recent requests per account and per address for its rate limits;
a code is good until `expires_at`, for a bounded number of wrong tries, once.
Times come from the caller's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor


@dataclass(frozen=True)
class PasswordReset:
    id: int
    account_id: int | None        # None: a request that matched no account
    code_hash: str | None
    requested_at: datetime
    expires_at: datetime
    attempts: int
    used_at: datetime | None


def _reset(r) -> PasswordReset:
    return PasswordReset(r["id"], r["account_id"], r["code_hash"], r["requested_at"], r["expires_at"],
                         r["attempts"], r["used_at"])


async def create_reset(db: Executor, account_id: int | None, *, code_hash: str | None, at: datetime,
                       expires_at: datetime, ip: str | None) -> int:
    """A request: with the account and the code's HMAC, or (both None) one that matched nothing."""
    return await db.fetchval(
        """INSERT INTO dashboard_password_resets (account_id, code_hash, requested_at, expires_at, ip)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        account_id, code_hash, at, expires_at, ip,
    )


async def get_reset(db: Executor, reset_id: int, *, for_update: bool = False) -> PasswordReset | None:
    row = await db.fetchrow("SELECT * FROM dashboard_password_resets WHERE id = $1"
                            + (" FOR UPDATE" if for_update else ""), reset_id)
    return _reset(row) if row else None


async def requests_of_account_since(db: Executor, account_id: int, since: datetime) -> list[datetime]:
    rows = await db.fetch(
        """SELECT requested_at FROM dashboard_password_resets WHERE account_id = $1 AND requested_at >= $2
           ORDER BY requested_at""",
        account_id, since,
    )
    return [r["requested_at"] for r in rows]


async def requests_of_ip_since(db: Executor, ip: str, since: datetime) -> list[datetime]:
    rows = await db.fetch(
        "SELECT requested_at FROM dashboard_password_resets WHERE ip = $1 AND requested_at >= $2 ORDER BY requested_at",
        ip, since,
    )
    return [r["requested_at"] for r in rows]


async def record_wrong_code(db: Executor, reset_id: int) -> int:
    """One more wrong try; returns the tries so far."""
    return await db.fetchval(
        "UPDATE dashboard_password_resets SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts", reset_id)


async def mark_used(db: Executor, reset_id: int, *, at: datetime) -> None:
    await db.execute("UPDATE dashboard_password_resets SET used_at = $2 WHERE id = $1", reset_id, at)


async def retire_open_resets(db: Executor, account_id: int, *, at: datetime) -> None:
    """Codes sent before a newer one (or before a successful reset) stop working."""
    await db.execute(
        """UPDATE dashboard_password_resets SET expires_at = least(expires_at, $2)
           WHERE account_id = $1 AND used_at IS NULL AND expires_at > $2""",
        account_id, at,
    )
