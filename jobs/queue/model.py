"""The task model: a Task, what its handler receives, the registry of kinds, the queue protocol."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Protocol

import asyncpg

from core.clock import Clock
from core.reporting import Reporter

BACKEND_IN_PROCESS = "in-process"
BACKEND_RABBITMQ = "rabbitmq"


class PoisonTask(Exception):
    """A task that can never succeed (bad payload, unknown kind): dead-lettered without retries."""


@dataclass(frozen=True)
class Task:
    """One unit of work. `id` is the idempotency key: one row, one completion."""

    kind: str
    payload: dict = field(default_factory=dict)
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    job_run_id: int | None = None
    not_after: datetime | None = None  # a worker that starts later skips it

    def to_body(self) -> bytes:
        return json.dumps(
            {
                "id": str(self.id),
                "kind": self.kind,
                "payload": self.payload,
                "job_run_id": self.job_run_id,
                "not_after": self.not_after.isoformat() if self.not_after else None,
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_body(cls, body: bytes) -> "Task":
        """Parse a message body; PoisonTask names what is wrong with it."""
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PoisonTask(f"message body is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise PoisonTask("message body is not a JSON object")
        try:
            task_id = uuid.UUID(str(data.get("id")))
        except ValueError:
            raise PoisonTask(f"task id {data.get('id')!r} is not a UUID") from None
        kind, payload = data.get("kind"), data.get("payload", {})
        if not isinstance(kind, str) or not kind:
            raise PoisonTask(f"task {task_id}: missing kind")
        if not isinstance(payload, dict):
            raise PoisonTask(f"task {task_id}: payload is not an object")
        not_after = None
        if data.get("not_after"):
            try:
                not_after = datetime.fromisoformat(data["not_after"])
            except (TypeError, ValueError):
                raise PoisonTask(f"task {task_id}: not_after {data['not_after']!r} is not an ISO time") from None
        job_run_id = data.get("job_run_id")
        if job_run_id is not None and not isinstance(job_run_id, int):
            raise PoisonTask(f"task {task_id}: job_run_id is not an integer")
        return cls(kind=kind, payload=payload, id=task_id, job_run_id=job_run_id, not_after=not_after)


@dataclass
class TaskContext:
    """What a task handler receives."""

    task: Task
    attempt: int
    pool: asyncpg.Pool
    clock: Clock
    reporter: Reporter
    services: dict[str, Any]  # wiring-provided dependencies (fetch deps, report builders, settings…)
    worker: str


TaskHandler = Callable[[TaskContext], Awaitable[Any]]  # returns a JSON-serialisable result


@dataclass
class TaskRegistry:
    """Task kind → handler. The wiring (`bot/worker.py`) fills it."""

    handlers: dict[str, TaskHandler] = field(default_factory=dict)

    def register(self, kind: str, handler: TaskHandler) -> None:
        self.handlers[kind] = handler

    def get(self, kind: str) -> TaskHandler | None:
        return self.handlers.get(kind)

    def with_handlers(self, extra: dict[str, TaskHandler]) -> "TaskRegistry":
        return TaskRegistry({**self.handlers, **extra})


class TaskQueue(Protocol):
    backend: str

    async def start(self) -> None: ...

    async def submit(self, task: Task) -> None:
        """Record the task in PostgreSQL, then hand it to the backend. Raises QueueUnavailable."""
        ...

    async def stop(self) -> None: ...


class QueueUnavailable(RuntimeError):
    """The broker cannot take the task; the message is for an operator."""
