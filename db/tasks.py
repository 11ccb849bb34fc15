"""Queries for `tasks` and `report_results`: queued units of work and their outcomes.

A task row is the durable record of one unit of work (`jobs/queue.py`): it is
written before the task is published, claimed (attempts + 1) each time a
worker starts it, and finished exactly once as `done` or `dead`. A finished row
is never claimed again, which is what makes a redelivered message harmless.
Every finish sends `NOTIFY cicero_tasks, '<id>'` so waiters wake at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.pool import Executor

TASK_NOTIFY_CHANNEL = "cicero_tasks"
FINISHED_STATES = ("done", "dead")


@dataclass(frozen=True)
class TaskRecord:
    id: uuid.UUID
    kind: str
    payload: dict
    status: str
    attempts: int
    result: Any
    error: str | None
    backend: str
    job_run_id: int | None
    not_after: datetime | None
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATES


_COLUMNS = (
    "id, kind, payload, status, attempts, result, error, backend, job_run_id, not_after, worker, "
    "created_at, started_at, finished_at"
)


def _record(row) -> TaskRecord:
    return TaskRecord(**dict(row))


async def insert_task(db: Executor, *, task_id: uuid.UUID, kind: str, payload: dict, backend: str,
                      job_run_id: int | None = None, not_after: datetime | None = None) -> bool:
    """Record a new task as `queued`; False when the id already exists (nothing changes)."""
    row = await db.fetchrow(
        """
        INSERT INTO tasks (id, kind, payload, backend, job_run_id, not_after)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (id) DO NOTHING
        RETURNING id
        """,
        task_id, kind, payload, backend, job_run_id, not_after,
    )
    return row is not None


async def claimed_attempt(db: Executor, *, task_id: uuid.UUID, kind: str, payload: dict, backend: str,
                          worker: str, not_after: datetime | None = None) -> int | None:
    """Mark the task running and return its attempt number (1 for the first run).

    A task published without a row (another producer) gets one here. Returns
    None when the task is already `done` or `dead`: the delivery is a duplicate.
    """
    row = await db.fetchrow(
        """
        INSERT INTO tasks AS t (id, kind, payload, backend, not_after, status, attempts, worker, started_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, 'running', 1, $6, now(), now())
        ON CONFLICT (id) DO UPDATE
            SET status = 'running', attempts = t.attempts + 1, worker = EXCLUDED.worker,
                started_at = now(), updated_at = now()
            WHERE t.status NOT IN ('done', 'dead')
        RETURNING attempts
        """,
        task_id, kind, payload, backend, not_after, worker,
    )
    return None if row is None else row["attempts"]


async def finish_task_done(db: Executor, task_id: uuid.UUID, result: Any) -> bool:
    """Record success; False when the task was already finished (nothing changes)."""
    return await _finish(db, task_id, "done", result, None)


async def finish_task_dead(db: Executor, task_id: uuid.UUID, error: str) -> bool:
    """Record a task given up on; False when it was already finished."""
    return await _finish(db, task_id, "dead", None, error)


async def _finish(db: Executor, task_id: uuid.UUID, status: str, result: Any, error: str | None) -> bool:
    row = await db.fetchrow(
        """
        WITH done AS (
            UPDATE tasks SET status = $2, result = $3, error = $4, finished_at = now(), updated_at = now()
            WHERE id = $1 AND status NOT IN ('done', 'dead')
            RETURNING id
        )
        SELECT id, pg_notify($5, id::text) FROM done
        """,
        task_id, status, result, error, TASK_NOTIFY_CHANNEL,
    )
    return row is not None


async def expire_unstarted_tasks(db: Executor, task_ids: list[uuid.UUID], error: str) -> list[uuid.UUID]:
    """Finish as `dead` those of `task_ids` that no worker is running now; return their ids.

    A task being claimed at the same moment wins (row lock), so a running task
    is never expired under its worker.
    """
    rows = await db.fetch(
        """
        WITH expired AS (
            UPDATE tasks SET status = 'dead', error = $2, finished_at = now(), updated_at = now()
            WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'failed')
            RETURNING id
        )
        SELECT id, pg_notify($3, id::text) FROM expired
        """,
        task_ids, error, TASK_NOTIFY_CHANNEL,
    )
    return [r["id"] for r in rows]


async def mark_task_failed(db: Executor, task_id: uuid.UUID, error: str) -> None:
    """Record a failed attempt that will be retried (status `failed`, not finished)."""
    await db.execute(
        "UPDATE tasks SET status = 'failed', error = $2, updated_at = now() "
        "WHERE id = $1 AND status NOT IN ('done', 'dead')",
        task_id, error,
    )


async def task_record(db: Executor, task_id: uuid.UUID) -> TaskRecord | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM tasks WHERE id = $1", task_id)
    return None if row is None else _record(row)


async def task_records(db: Executor, task_ids: list[uuid.UUID]) -> list[TaskRecord]:
    rows = await db.fetch(f"SELECT {_COLUMNS} FROM tasks WHERE id = ANY($1::uuid[])", task_ids)
    return [_record(r) for r in rows]


async def finished_task_records(db: Executor, task_ids: list[uuid.UUID]) -> list[TaskRecord]:
    """The subset of `task_ids` that is `done` or `dead`."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM tasks WHERE id = ANY($1::uuid[]) AND status IN ('done', 'dead')", task_ids
    )
    return [_record(r) for r in rows]


async def unfinished_task_records(db: Executor, backend: str, *, limit: int = 1000) -> list[TaskRecord]:
    """Tasks of `backend` that were queued or interrupted and never finished, oldest first."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM tasks WHERE backend = $1 AND status IN ('queued', 'running', 'failed') "
        "ORDER BY created_at LIMIT $2",
        backend, limit,
    )
    return [_record(r) for r in rows]


async def recent_dead_task_records(db: Executor, since: datetime, *, limit: int = 10) -> list[TaskRecord]:
    """Tasks given up on at or after `since`, newest first (what `cicero queue status` lists)."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM tasks WHERE status = 'dead' AND finished_at >= $1 "
        "ORDER BY finished_at DESC LIMIT $2",
        since, limit,
    )
    return [_record(r) for r in rows]


async def task_counts_since(db: Executor, since: datetime) -> dict[str, int]:
    """Number of tasks per status created at or after `since`."""
    rows = await db.fetch(
        "SELECT status, count(*) AS n FROM tasks WHERE created_at >= $1 GROUP BY status", since
    )
    return {r["status"]: r["n"] for r in rows}


@dataclass(frozen=True)
class ReportResult:
    task_id: uuid.UUID
    report: str
    filename: str
    mimetype: str
    data: bytes
    requested_by: str | None
    created_at: datetime


async def store_report_result(db: Executor, *, task_id: uuid.UUID, report: str, filename: str, mimetype: str,
                              data: bytes, requested_by: str | None) -> None:
    """Keep a built report; a second store for the same task replaces the first."""
    await db.execute(
        """
        INSERT INTO report_results (task_id, report, filename, mimetype, data, requested_by)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (task_id) DO UPDATE
            SET report = EXCLUDED.report, filename = EXCLUDED.filename, mimetype = EXCLUDED.mimetype,
                data = EXCLUDED.data, requested_by = EXCLUDED.requested_by, created_at = now()
        """,
        task_id, report, filename, mimetype, data, requested_by,
    )


async def report_result(db: Executor, task_id: uuid.UUID) -> ReportResult | None:
    row = await db.fetchrow(
        "SELECT task_id, report, filename, mimetype, data, requested_by, created_at "
        "FROM report_results WHERE task_id = $1",
        task_id,
    )
    return None if row is None else ReportResult(**dict(row))
