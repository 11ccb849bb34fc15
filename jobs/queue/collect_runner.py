"""A collection cycle as one `collect_client` task per client, on the task queue."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from dataclasses import dataclass

import asyncpg

from core.boundary import report_safely
from db import tasks as task_db
from jobs.fetch_model import ClientResult, ClientRunner, CyclePlan, FetchDeps
from jobs.queue.executor import watch_tasks
from jobs.queue.kinds import collect_client_task
from jobs.queue.model import QueueUnavailable, TaskQueue

log = logging.getLogger(__name__)


@dataclass
class QueueRunner:
    """A `jobs.fetch.ClientRunner` that runs each client of a cycle as a `collect_client` task.

    It publishes one task per client (each carrying the cycle's deadline), then
    waits for their completion records in PostgreSQL and hands every result to
    `plan.finished` as it arrives, so notifications go out from the bot
    process as before. At the deadline, tasks no worker has started are
    finished as dead (a worker that sees them later skips them) and reported as
    failed clients; tasks already running get `grace_seconds` more.
    """

    queue: TaskQueue
    pool: asyncpg.Pool
    grace_seconds: float = 300.0
    poll_seconds: float = 2.0
    fallback: ClientRunner | None = None  # a runner for the clients the broker would not take (None: they fail)

    async def __call__(self, deps: FetchDeps, plan: CyclePlan) -> None:
        def failed(client_id: str, error: str) -> ClientResult:
            return ClientResult(client_id=client_id, phase=plan.phase, ok=False, error=error)

        client_of: dict[uuid.UUID, str] = {}
        refused: list = []  # clients the broker did not take
        broker_error: str | None = None
        for client in plan.clients:
            if broker_error is not None:
                refused.append(client)  # one failed publish is enough: do not wait on every client
                continue
            if not await plan.may_start(client):
                continue
            task = collect_client_task(client.id, plan.phase, plan.now, job_run_id=plan.job_run_id,
                                       not_after=plan.deadline, platforms=plan.platforms)
            try:
                await self.queue.submit(task)
            except QueueUnavailable as exc:
                broker_error = str(exc)
                refused.append(client)
                continue
            client_of[task.id] = client.id
        if refused:
            await self._not_published(deps, plan, refused, broker_error, failed)

        async def on_finished(record: task_db.TaskRecord) -> None:
            client_id = client_of[record.id]
            if record.status == "done" and isinstance(record.result, dict):
                try:
                    result = ClientResult.from_dict(record.result)
                except (TypeError, ValueError) as exc:
                    result = failed(client_id, f"unreadable task result: {exc}")
            else:
                result = failed(client_id, f"queue task {record.id} {record.status}: {record.error or 'no result'}")
            await plan.finished(result)

        until_deadline = (plan.deadline - deps.clock.now()).total_seconds()
        done = await watch_tasks(self.pool, list(client_of), timeout=until_deadline, on_finished=on_finished,
                                 poll_seconds=self.poll_seconds)
        left = [i for i in client_of if i not in done]
        if not left:
            return
        for task_id in await task_db.expire_unstarted_tasks(self.pool, left, "no worker started it before the deadline"):
            left.remove(task_id)
            await plan.finished(failed(client_of[task_id], "no worker started this client before the run deadline "
                                       "(is `cicero worker` running?)"))
        done = await watch_tasks(self.pool, left, timeout=self.grace_seconds, on_finished=on_finished,
                                 poll_seconds=self.poll_seconds)
        for task_id in left:
            if task_id not in done:
                await plan.finished(failed(client_of[task_id], f"queue task {task_id} still running "
                                           f"{self.grace_seconds:.0f} s after the run deadline"))

    async def _not_published(self, deps, plan, clients: list, error: str | None, failed) -> None:
        """The broker refused: run those clients with the fallback runner, or record them as failed."""
        if self.fallback is None:
            for client in clients:
                await plan.finished(failed(client.id, f"not queued: {error}"))
            return
        log.error("RabbitMQ unavailable (%s): %d client(s) run in this process instead", error, len(clients))
        await report_safely(deps.reporter, "warning",
                            f"RabbitMQ tidak terjangkau; {len(clients)} client diproses langsung oleh bot: {error}")
        await self.fallback(deps, dataclasses.replace(plan, clients=clients))
