"""Queries for `exception_requests`: an operator's request to (un)mark a person as exception, and its decision.

Applying an approved request (setting `personnel.exception`) goes through
`jobs.personnel_changes.save_personnel` in the same transaction as `decide`,
so the flag, the decision and the audit row commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from db.pool import Executor


class RequestAlreadyOpen(Exception):
    """The person already has an open exception request."""


@dataclass(frozen=True)
class ExceptionRequest:
    id: int
    nrp: str
    client_id: str
    exception: bool
    reason: str
    requested_by: str
    requested_at: datetime
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None


def _request(r) -> ExceptionRequest:
    return ExceptionRequest(r["id"], r["nrp"], r["client_id"], r["exception"], r["reason"], r["requested_by"],
                            r["requested_at"], r["decision"], r["decided_by"], r["decided_at"])


async def open_request(db: Executor, *, nrp: str, client_id: str, exception: bool, reason: str,
                       requested_by: str, at: datetime) -> ExceptionRequest:
    """A new open request; RequestAlreadyOpen when the person has one waiting."""
    try:
        row = await db.fetchrow(
            """INSERT INTO exception_requests (nrp, client_id, exception, reason, requested_by, requested_at)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
            nrp, client_id, exception, reason, requested_by, at,
        )
    except asyncpg.UniqueViolationError:
        raise RequestAlreadyOpen(nrp) from None
    return _request(row)


async def pending_requests(db: Executor, client_ids: list[str] | None = None) -> list[ExceptionRequest]:
    """Open requests, oldest first; of these clients only when `client_ids` is given."""
    rows = await db.fetch(
        """SELECT * FROM exception_requests
           WHERE decision IS NULL AND ($1::text[] IS NULL OR client_id = ANY($1::text[]))
           ORDER BY requested_at, id""",
        client_ids,
    )
    return [_request(r) for r in rows]


async def get_request(db: Executor, request_id: int) -> ExceptionRequest | None:
    row = await db.fetchrow("SELECT * FROM exception_requests WHERE id = $1", request_id)
    return _request(row) if row else None


async def decide(db: Executor, request_id: int, *, approved: bool, decided_by: str,
                 at: datetime) -> ExceptionRequest | None:
    """Record the decision of an open request; None when it is unknown or already decided."""
    row = await db.fetchrow(
        """UPDATE exception_requests SET decision = $2, decided_by = $3, decided_at = $4
           WHERE id = $1 AND decision IS NULL RETURNING *""",
        request_id, "approved" if approved else "refused", decided_by, at,
    )
    return _request(row) if row else None
