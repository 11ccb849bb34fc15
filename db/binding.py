"""Queries for binding a WhatsApp number to an NRP: the attempts and the lockout of a number.

The policy (how many failures in which window lock a number for how long) is
`handlers/personnel/binding.py`'s, from `[personnel]` settings; this module only
stores and counts. Everything lives in PostgreSQL, so a restart forgets nothing.
"""

from __future__ import annotations

from datetime import datetime

from db.pool import Executor

FAILURES = ("unknown_nrp", "inactive", "already_bound", "declined")
OUTCOMES = ("bound", *FAILURES)


async def record_attempt(db: Executor, *, phone: str, nrp: str | None, outcome: str, at: datetime) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown binding outcome {outcome!r}")
    await db.execute(
        "INSERT INTO personnel_binding_attempts (phone, nrp, outcome, at) VALUES ($1, $2, $3, $4)",
        phone, nrp, outcome, at,
    )


async def failures_since(db: Executor, phone: str, since: datetime) -> int:
    """Failed attempts of `phone` after `since` and after its last lock began (a lock starts a new count)."""
    return await db.fetchval(
        """SELECT count(*) FROM personnel_binding_attempts a
           WHERE a.phone = $1 AND a.outcome = ANY($3::text[]) AND a.at > $2
             AND a.at > COALESCE((SELECT locked_at FROM personnel_binding_locks WHERE phone = $1), '-infinity')""",
        phone, since, list(FAILURES),
    )


async def locked_until(db: Executor, phone: str, now: datetime) -> datetime | None:
    """When the lock of `phone` ends, or None when it is not locked at `now`."""
    return await db.fetchval(
        "SELECT locked_until FROM personnel_binding_locks WHERE phone = $1 AND locked_until > $2", phone, now
    )


async def lock_number(db: Executor, phone: str, *, at: datetime, until: datetime) -> None:
    await db.execute(
        """INSERT INTO personnel_binding_locks (phone, locked_at, locked_until) VALUES ($1, $2, $3)
           ON CONFLICT (phone) DO UPDATE SET locked_at = EXCLUDED.locked_at, locked_until = EXCLUDED.locked_until""",
        phone, at, until,
    )
