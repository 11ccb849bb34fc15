"""The in-process backend (`[queue] url` empty): tasks as asyncio tasks in this process."""

from __future__ import annotations

import asyncio
import logging

from core.boundary import guarded
from db import tasks as task_db
from jobs.queue.executor import Executor, Outcome, execute_task
from jobs.queue.model import BACKEND_IN_PROCESS, QueueUnavailable, Task

log = logging.getLogger(__name__)


class InProcessQueue:
    """Runs tasks as asyncio tasks in this process, at most `concurrency` at once.

    `start()` resumes this backend's unfinished tasks left by a previous process
    (queued, or interrupted while running). `stop()` waits for running tasks;
    `abort()` cancels them, as a crash would.
    """

    backend = BACKEND_IN_PROCESS
    name = "task-queue"

    def __init__(self, executor: Executor, *, concurrency: int = 4):
        self.executor = executor
        self._slots = asyncio.Semaphore(concurrency)
        self._running: set[asyncio.Task] = set()
        self._closed = False

    async def start(self) -> None:
        self._closed = False
        for record in await task_db.unfinished_task_records(self.executor.pool, self.backend):
            self.deliver(Task(kind=record.kind, payload=record.payload, id=record.id,
                             job_run_id=record.job_run_id, not_after=record.not_after))

    async def submit(self, task: Task) -> None:
        if self._closed:
            raise QueueUnavailable("the in-process queue is stopping")
        await task_db.insert_task(self.executor.pool, task_id=task.id, kind=task.kind, payload=task.payload,
                                  backend=self.backend, job_run_id=task.job_run_id, not_after=task.not_after)
        self.deliver(task)

    def deliver(self, task: Task) -> None:
        """Run an already-recorded task (resumed at start, or delivered again)."""
        t = asyncio.create_task(self._run(task), name=f"task-{task.kind}-{task.id}")
        self._running.add(t)
        t.add_done_callback(self._running.discard)

    async def _run(self, task: Task) -> None:
        async with self._slots:
            for _ in range(self.executor.delivery_limit + 1):
                outcome = None
                async with guarded("running a task (database error: left for the next start)", log,
                                   task_id=str(task.id), kind=task.kind):
                    outcome = await execute_task(self.executor, task, backend=self.backend)
                if outcome is not Outcome.RETRY and outcome is not Outcome.BUSY:
                    return

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def health(self) -> dict:
        return {"status": "down" if self._closed else "ok", "backend": self.backend, "in_flight": self.in_flight}

    async def stop(self) -> None:
        """Stop taking tasks and let the running ones finish."""
        self._closed = True
        if self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def abort(self) -> None:
        """Cancel running tasks (a crash, for tests); their rows stay unfinished."""
        self._closed = True
        for t in list(self._running):
            t.cancel()
        if self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)
