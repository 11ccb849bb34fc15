"""Queries for `job_runs`: one row per collection run (scheduled, manual, admin, queued).

`clients` holds, per client id, the counts before/after, changes, duration and
error of that client (`jobs.fetch.ClientResult.to_dict()`); `errors` is a list of
`{"client_id", "error"}` objects (client id null for run-level problems).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.pool import Executor

FETCH_JOBS = ("fetch_posts", "fetch_engagement")


@dataclass
class JobRun:
    id: int
    job: str
    phase: str | None
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    clients: dict[str, Any] = field(default_factory=dict)
    errors: list[Any] = field(default_factory=list)
    note: str | None = None


def _row(r) -> JobRun:
    return JobRun(id=r["id"], job=r["job"], phase=r["phase"], trigger=r["trigger"], status=r["status"],
                  started_at=r["started_at"], finished_at=r["finished_at"], clients=r["clients"] or {},
                  errors=r["errors"] or [], note=r["note"])


async def start_run(db: Executor, *, job: str, phase: str | None, trigger: str, started_at: datetime,
                    note: str | None = None, owner: str | None = None) -> int:
    """A new `running` row; `owner` names the process (host:pid) that runs it."""
    return await db.fetchval(
        """INSERT INTO job_runs (job, phase, trigger, status, started_at, note, owner)
           VALUES ($1, $2, $3, 'running', $4, $5, $6) RETURNING id""",
        job, phase, trigger, started_at, note, owner,
    )


async def abandon_running_runs(db: Executor, *, at: datetime, note: str) -> list[int]:
    """Close every `running` row as `abandoned` (call only when no process can be running one)."""
    rows = await db.fetch(
        """UPDATE job_runs SET status = 'abandoned', finished_at = $1, note = COALESCE(note || '; ', '') || $2
           WHERE status = 'running' RETURNING id""",
        at, note,
    )
    return sorted(r["id"] for r in rows)


async def record_client(db: Executor, run_id: int, client_id: str, data: dict[str, Any]) -> None:
    """Store one client's outcome as soon as it is known (visible while the run goes on)."""
    await db.execute(
        "UPDATE job_runs SET clients = jsonb_set(clients, ARRAY[$2::text], $3::jsonb, true) WHERE id = $1",
        run_id, client_id, data,
    )


async def finish_run(db: Executor, run_id: int, *, status: str, finished_at: datetime,
                     clients: dict[str, Any] | None = None, errors: list[Any] | None = None,
                     note: str | None = None) -> None:
    await db.execute(
        """UPDATE job_runs SET status = $2, finished_at = $3,
               clients = COALESCE($4::jsonb, clients), errors = COALESCE($5::jsonb, errors),
               note = COALESCE($6, note)
           WHERE id = $1""",
        run_id, status, finished_at, clients, errors, note,
    )


async def record_skipped_run(db: Executor, *, job: str, phase: str | None, trigger: str, at: datetime,
                             note: str) -> int:
    return await db.fetchval(
        """INSERT INTO job_runs (job, phase, trigger, status, started_at, finished_at, note)
           VALUES ($1, $2, $3, 'skipped', $4, $4, $5) RETURNING id""",
        job, phase, trigger, at, note,
    )


async def get_run(db: Executor, run_id: int) -> JobRun | None:
    r = await db.fetchrow("SELECT * FROM job_runs WHERE id = $1", run_id)
    return _row(r) if r else None


async def last_run_of_client(db: Executor, client_id: str) -> JobRun | None:
    """The latest collection run that recorded this client (its outcome is `clients[client_id]`)."""
    r = await db.fetchrow(
        """SELECT * FROM job_runs WHERE job = ANY($1::text[]) AND clients ? $2
           ORDER BY started_at DESC, id DESC LIMIT 1""",
        list(FETCH_JOBS), client_id,
    )
    return _row(r) if r else None


async def recent_runs(db: Executor, *, limit: int = 5, jobs: tuple[str, ...] = FETCH_JOBS,
                      include_skipped: bool = True) -> list[JobRun]:
    """The latest collection runs, newest first."""
    rows = await db.fetch(
        """SELECT * FROM job_runs WHERE job = ANY($1::text[]) AND ($2 OR status <> 'skipped')
           ORDER BY started_at DESC, id DESC LIMIT $3""",
        list(jobs), include_skipped, limit,
    )
    return [_row(r) for r in rows]


async def scheduled_runs_between(db: Executor, start: datetime, end: datetime,
                                 jobs: tuple[str, ...] = FETCH_JOBS) -> list[JobRun]:
    """Collection runs the scheduler started in [start, end), oldest first (for `jadwal`)."""
    rows = await db.fetch(
        """SELECT * FROM job_runs WHERE job = ANY($1::text[]) AND trigger = 'schedule'
               AND started_at >= $2 AND started_at < $3
           ORDER BY started_at, id""",
        list(jobs), start, end,
    )
    return [_row(r) for r in rows]


async def client_last_collected_at(db: Executor, client_id: str, *, since: datetime) -> datetime | None:
    """When the latest collection run since `since` that collected `client_id` without a fatal error finished."""
    return await db.fetchval(
        """SELECT max(finished_at) FROM job_runs
           WHERE job = ANY($1::text[]) AND started_at >= $2 AND finished_at IS NOT NULL
             AND clients ? $3 AND COALESCE((clients -> $3 ->> 'ok')::boolean, false)""",
        list(FETCH_JOBS), since, client_id,
    )
