"""Queries for `complaints`: a dashboard complaint ("sudah melaksanakan tetapi belum terdata") as checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor


@dataclass(frozen=True)
class ComplaintRecord:
    platform: str
    nrp: str
    client_id: str
    username: str | None
    issue: str
    reported_by: str
    reported_at: datetime
    tasks: int
    done: int
    last_fetch_at: datetime | None
    forwarded_to: str | None


async def insert_complaint(db: Executor, c: ComplaintRecord) -> int:
    return await db.fetchval(
        """INSERT INTO complaints (platform, nrp, client_id, username, issue, reported_by, reported_at, tasks, done,
                                   last_fetch_at, forwarded_to)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id""",
        c.platform, c.nrp, c.client_id, c.username, c.issue, c.reported_by, c.reported_at, c.tasks, c.done,
        c.last_fetch_at, c.forwarded_to,
    )


async def complaints_of_client(db: Executor, client_id: str, *, limit: int = 50) -> list[dict]:
    rows = await db.fetch(
        "SELECT * FROM complaints WHERE client_id = $1 ORDER BY reported_at DESC, id DESC LIMIT $2", client_id, limit)
    return [dict(r) for r in rows]
