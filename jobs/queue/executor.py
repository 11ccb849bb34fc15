"""Running one task exactly once: claim (counts the attempt), run, finish; and waiting for results.

PostgreSQL is the truth for every task (`db/tasks.py`); see the package docstring.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Awaitable, Callable

import asyncpg

from core.boundary import describe, report_safely
from core.clock import Clock
from core.reporting import LoggingReporter, Reporter
from db import tasks as task_db
from jobs.queue.model import BACKEND_RABBITMQ, PoisonTask, Task, TaskContext, TaskRegistry

log = logging.getLogger(__name__)

TASK_LOCK_CLASS = 0x5441534B  # "TASK": advisory-lock namespace for running tasks
LOCK_WAIT_SECONDS = 30.0  # how long a duplicate delivery waits for the running copy
MAX_ERROR_CHARS = 2000


@dataclass
class Executor:
    """Everything needed to run a task: shared by the in-process queue and the worker."""

    pool: asyncpg.Pool
    registry: TaskRegistry
    clock: Clock
    reporter: Reporter = field(default_factory=LoggingReporter)
    delivery_limit: int = 5
    services: dict[str, Any] = field(default_factory=dict)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


class Outcome(Enum):
    DONE = "done"            # ran and finished now
    DUPLICATE = "duplicate"  # already finished earlier: acknowledge, do nothing
    RETRY = "retry"          # failed, will be tried again
    DEAD = "dead"            # given up: dead-letter and (already) reported
    EXPIRED = "expired"      # deadline passed before it started: finished dead, not reported
    BUSY = "busy"            # another worker still holds it: hand the delivery back


def error_text(exc: BaseException) -> str:
    """How a task's failure is stored and reported."""
    return describe(exc, MAX_ERROR_CHARS)


def _task_label(task: Task) -> str:
    who = task.payload.get("client_id") or task.payload.get("report")
    return f"{task.kind} ({who})" if who else task.kind


async def execute_task(ex: Executor, task: Task, *, backend: str) -> Outcome:
    """Claim, run and finish one task; never raises for a task's own failure.

    Raises only when PostgreSQL itself is unusable (the caller hands the
    delivery back). Cancellation (a hard stop) propagates and leaves the row
    `running`; the next claim counts a new attempt.
    """
    async with ex.pool.acquire() as conn:
        try:
            await conn.execute("SELECT set_config('lock_timeout', $1, false)", f"{int(LOCK_WAIT_SECONDS * 1000)}ms")
            await conn.execute("SELECT pg_advisory_lock($1, hashtext($2))", TASK_LOCK_CLASS, str(task.id))
        except asyncpg.LockNotAvailableError:
            return Outcome.BUSY
        finally:
            await conn.execute("RESET lock_timeout")
        try:
            return await _run_claimed(ex, conn, task, backend)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1, hashtext($2))", TASK_LOCK_CLASS, str(task.id))


async def _run_claimed(ex: Executor, conn: asyncpg.Connection, task: Task, backend: str) -> Outcome:
    attempt = await task_db.claimed_attempt(
        conn, task_id=task.id, kind=task.kind, payload=task.payload, backend=backend,
        worker=ex.worker, not_after=task.not_after,
    )
    if attempt is None:
        log.info("task %s (%s) already finished; duplicate delivery ignored", task.id, task.kind)
        return Outcome.DUPLICATE
    if task.not_after and ex.clock.now() > task.not_after:
        await task_db.finish_task_dead(conn, task.id, "deadline passed before a worker started it")
        return Outcome.EXPIRED
    if attempt > ex.delivery_limit:
        return await _give_up(ex, conn, task, attempt, f"gave up after {attempt - 1} interrupted attempt(s)")
    handler = ex.registry.get(task.kind)
    if handler is None:
        return await _give_up(ex, conn, task, attempt, f"unknown task kind {task.kind!r}")
    ctx = TaskContext(task=task, attempt=attempt, pool=ex.pool, clock=ex.clock, reporter=ex.reporter,
                      services=ex.services, worker=ex.worker)
    try:
        result = await handler(ctx)
        result = json.loads(json.dumps(result, default=str))  # what is stored is what a reader gets
    except PoisonTask as exc:
        return await _give_up(ex, conn, task, attempt, str(exc))
    except Exception as exc:
        log.warning("task %s (%s) attempt %d failed: %s", task.id, task.kind, attempt, error_text(exc))
        if attempt >= ex.delivery_limit:
            return await _give_up(ex, conn, task, attempt, error_text(exc))
        await task_db.mark_task_failed(conn, task.id, error_text(exc))
        return Outcome.RETRY
    await task_db.finish_task_done(conn, task.id, result)
    return Outcome.DONE


async def _give_up(ex: Executor, conn, task: Task, attempt: int, reason: str) -> Outcome:
    if await task_db.finish_task_dead(conn, task.id, reason):
        # reporting must never turn a dead task into a crash loop
        await report_safely(ex.reporter, "error",
                            f"Tugas antrean {_task_label(task)} gagal dan dihentikan (percobaan ke-{attempt}): {reason}",
                            task_id=str(task.id), kind=task.kind, worker=ex.worker)
    return Outcome.DEAD


async def record_poison_message(ex: Executor, body: bytes, reason: str, message_id: str | None) -> None:
    """A message that is not a task at all: keep a dead row when it has a usable id, and report it."""
    try:
        task_id = uuid.UUID(str(message_id)) if message_id else None
    except ValueError:
        task_id = None
    if task_id is not None:
        await task_db.claimed_attempt(ex.pool, task_id=task_id, kind="(unreadable)",
                                      payload={"raw": body[:500].decode("utf-8", "replace")},
                                      backend=BACKEND_RABBITMQ, worker=ex.worker)
        await task_db.finish_task_dead(ex.pool, task_id, reason)
    await report_safely(ex.reporter, "error", f"Pesan antrean tidak bisa dibaca dan dipindah ke dead-letter: {reason}",
                        message_id=message_id or "-", worker=ex.worker)


async def watch_tasks(pool: asyncpg.Pool, task_ids: list[uuid.UUID], *, timeout: float,
                      on_finished: Callable[[task_db.TaskRecord], Awaitable[None]] | None = None,
                      poll_seconds: float = 2.0) -> dict[uuid.UUID, task_db.TaskRecord]:
    """Wait until every task is finished or `timeout` seconds pass; return the finished records by id.

    `on_finished` is awaited once per task as soon as its row is finished.
    Wakes on `NOTIFY cicero_tasks` and re-checks every `poll_seconds` in case a
    notification was missed (connection blip).
    """
    pending = set(task_ids)
    finished: dict[uuid.UUID, task_db.TaskRecord] = {}
    if not pending:
        return finished
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(timeout, 0)
    woke = asyncio.Event()

    def on_notify(_conn, _pid, _channel, payload: str) -> None:
        try:
            if uuid.UUID(payload) in pending:
                woke.set()
        except ValueError:
            pass

    async with pool.acquire() as listener:
        await listener.add_listener(task_db.TASK_NOTIFY_CHANNEL, on_notify)
        try:
            while True:
                woke.clear()
                for rec in await task_db.finished_task_records(pool, list(pending)):
                    finished[rec.id] = rec
                    pending.discard(rec.id)
                    if on_finished is not None:
                        await on_finished(rec)
                remaining = deadline - loop.time()
                if not pending or remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(woke.wait(), min(poll_seconds, remaining))
                except asyncio.TimeoutError:
                    pass
        finally:
            await listener.remove_listener(task_db.TASK_NOTIFY_CHANNEL, on_notify)
    return finished


async def wait_for_tasks(pool: asyncpg.Pool, task_ids: list[uuid.UUID], *, timeout: float,
                         poll_seconds: float = 2.0) -> list[task_db.TaskRecord]:
    """The finished records of `task_ids` (in that order) once all finish or `timeout` passes."""
    finished = await watch_tasks(pool, task_ids, timeout=timeout, poll_seconds=poll_seconds)
    return [finished[i] for i in task_ids if i in finished]
