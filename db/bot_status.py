"""Read-only queries behind the WhatsApp `status` command and the service's health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor


@dataclass(frozen=True)
class JobRunSummary:
    job: str
    phase: str | None
    status: str
    started_at: datetime
    finished_at: datetime | None


async def latest_job_runs(db: Executor) -> list[JobRunSummary]:
    """The most recent run of each (job, phase), newest first."""
    rows = await db.fetch(
        """
        SELECT DISTINCT ON (job, phase) job, phase, status, started_at, finished_at
        FROM job_runs
        ORDER BY job, phase, started_at DESC
        """
    )
    return sorted((JobRunSummary(**dict(r)) for r in rows), key=lambda r: r.started_at, reverse=True)


async def whatsapp_device_count(db: Executor) -> int:
    """Linked WhatsApp devices in the session store (`whatsmeow_device`, created by neonize); 0 = not paired."""
    if not await db.fetchval("SELECT to_regclass('whatsmeow_device') IS NOT NULL"):
        return 0
    return await db.fetchval("SELECT count(*) FROM whatsmeow_device")
