"""Tasks: units of heavy work that run in-process or on RabbitMQ workers.

One abstraction, two backends chosen by `[queue] url`:

* `InProcessQueue` (empty URL, the default) runs tasks as asyncio tasks in the
  calling process, bounded by a concurrency limit.
* `RabbitQueue` publishes tasks to a durable quorum queue through aio-pika
  (robust connection, persistent messages, publisher confirms); `RabbitWorker`
  (`cicero worker`) consumes them with a prefetch from settings. A dead-letter
  exchange/queue receives what the broker gives up on (`x-delivery-limit`) and
  what a worker rejects for good.

PostgreSQL is the truth for every task (`db/tasks.py`): the row is written
before publishing, each start is a *claim* that counts the attempt, and the
row is finished exactly once (`done` or `dead`). A delivery whose row is
already finished is acknowledged without running, so a message redelivered
after a crash never runs the work a second time once it has completed; while a
task runs, its worker holds a PostgreSQL advisory lock on the task id, so a
duplicate delivery waits for the first instead of running beside it. A task
that fails is retried up to `[queue] delivery_limit` times, then marked dead,
dead-lettered and reported to the admins through the `Reporter`
(`bot.adminlog.AdminLog` in the service, which writes the outbox).

Waiting for results is the same for both backends: `wait_for_tasks` listens on
`NOTIFY cicero_tasks` (with a polling fallback) until the rows are finished or
the deadline passes. `QueueRunner` uses it to run a collection cycle as one
task per client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Awaitable, Callable, Protocol
from urllib.parse import quote, unquote, urlsplit

import asyncpg

from db import tasks as task_db
from core.clock import Clock, SystemClock
from core.reporting import LoggingReporter, Reporter

log = logging.getLogger(__name__)

BACKEND_IN_PROCESS = "in-process"
BACKEND_RABBITMQ = "rabbitmq"
TASK_LOCK_CLASS = 0x5441534B  # "TASK": advisory-lock namespace for running tasks
LOCK_WAIT_SECONDS = 30.0  # how long a duplicate delivery waits for the running copy
PUBLISH_TIMEOUT_SECONDS = 10.0
MAX_ERROR_CHARS = 2000


# --------------------------------------------------------------------------- tasks


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


def _error_text(exc: BaseException) -> str:
    text = f"{exc.__class__.__name__}: {exc}"
    return text[:MAX_ERROR_CHARS]


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
        log.warning("task %s (%s) attempt %d failed: %s", task.id, task.kind, attempt, _error_text(exc))
        if attempt >= ex.delivery_limit:
            return await _give_up(ex, conn, task, attempt, _error_text(exc))
        await task_db.mark_task_failed(conn, task.id, _error_text(exc))
        return Outcome.RETRY
    await task_db.finish_task_done(conn, task.id, result)
    return Outcome.DONE


async def _give_up(ex: Executor, conn, task: Task, attempt: int, reason: str) -> Outcome:
    if await task_db.finish_task_dead(conn, task.id, reason):
        try:
            await ex.reporter.error(
                f"Tugas antrean {_task_label(task)} gagal dan dihentikan (percobaan ke-{attempt}): {reason}",
                task_id=str(task.id), kind=task.kind, worker=ex.worker,
            )
        except Exception:  # reporting must never turn a dead task into a crash loop
            log.exception("could not report dead task %s", task.id)
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
    try:
        await ex.reporter.error(f"Pesan antrean tidak bisa dibaca dan dipindah ke dead-letter: {reason}",
                                message_id=message_id or "-", worker=ex.worker)
    except Exception:
        log.exception("could not report poison message")


# --------------------------------------------------------------------------- backends


class TaskQueue(Protocol):
    backend: str

    async def start(self) -> None: ...

    async def submit(self, task: Task) -> None:
        """Record the task in PostgreSQL, then hand it to the backend. Raises QueueUnavailable."""
        ...

    async def stop(self) -> None: ...


class QueueUnavailable(RuntimeError):
    """The broker cannot take the task; the message is for an operator."""


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
                try:
                    outcome = await execute_task(self.executor, task, backend=self.backend)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("task %s (%s): database error; left for the next start", task.id, task.kind)
                    return
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


# --------------------------------------------------------------------------- RabbitMQ


@dataclass(frozen=True)
class Topology:
    queue: str
    dead_exchange: str
    dead_queue: str
    delivery_limit: int

    @classmethod
    def from_settings(cls, queue_settings) -> "Topology":
        name = queue_settings.queue_name
        return cls(queue=name, dead_exchange=f"{name}.dlx", dead_queue=f"{name}.dead",
                   delivery_limit=queue_settings.delivery_limit)

    @property
    def queue_arguments(self) -> dict[str, Any]:
        # The broker-side limit is a backstop one above ours: normally the worker
        # itself dead-letters (and reports) at `delivery_limit` attempts.
        return {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": self.dead_exchange,
            "x-dead-letter-routing-key": self.dead_queue,
            "x-delivery-limit": self.delivery_limit + 1,
        }


def broker_description(url: str) -> str:
    """amqp URL without credentials, safe to print."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path or '/'}"


async def connect_broker(url: str, *, connection_name: str, robust: bool = True, timeout: float = 10.0):
    """A (robust) aio-pika connection; QueueUnavailable with one clear sentence when it fails."""
    import aio_pika

    connect = aio_pika.connect_robust if robust else aio_pika.connect
    try:
        return await asyncio.wait_for(
            connect(url, client_properties={"connection_name": connection_name}, heartbeat=60), timeout
        )
    except Exception as exc:  # aio-pika/aiormq raise many transport types
        raise QueueUnavailable(
            f"cannot reach RabbitMQ at {broker_description(url)}: {exc.__class__.__name__}: {exc}. "
            "Start RabbitMQ, fix [queue] url, or leave it empty to run tasks in-process."
        ) from None


async def declare_topology(channel, topology: Topology):
    """Declare exchange and queues idempotently; returns (work queue, dead-letter queue)."""
    import aio_pika
    from aiormq.exceptions import ChannelPreconditionFailed

    dlx = await channel.declare_exchange(topology.dead_exchange, aio_pika.ExchangeType.DIRECT, durable=True)
    dead = await channel.declare_queue(topology.dead_queue, durable=True, arguments={"x-queue-type": "quorum"})
    await dead.bind(dlx, routing_key=topology.dead_queue)
    try:
        work = await channel.declare_queue(topology.queue, durable=True, arguments=topology.queue_arguments)
    except ChannelPreconditionFailed as exc:
        raise QueueUnavailable(
            f"RabbitMQ queue {topology.queue!r} exists with other arguments ({exc}); delete it "
            "(rabbitmqctl delete_queue) or use another [queue] queue_name"
        ) from None
    return work, dead


class RabbitQueue:
    """Publishes tasks to RabbitMQ (the bot side). Workers consume with `RabbitWorker`."""

    backend = BACKEND_RABBITMQ
    name = "task-queue"

    def __init__(self, queue_settings, pool: asyncpg.Pool, *, connection_name: str = "cicero-bot",
                 required: bool = True):
        self.settings = queue_settings
        self.pool = pool
        self.topology = Topology.from_settings(queue_settings)
        self.connection_name = connection_name
        self.required = required  # False: start even when the broker is down, connect on first submit
        self.last_error: str | None = None
        self._connection = None
        self._channel = None
        self._connecting = asyncio.Lock()

    async def start(self) -> None:
        try:
            await self._connect()
        except QueueUnavailable as exc:
            if self.required:
                raise
            log.error("%s — the bot keeps running; tasks are retried on the next submit", exc)

    async def _connect(self) -> None:
        async with self._connecting:
            if self._channel is not None:
                return
            try:
                connection = await connect_broker(self.settings.url, connection_name=self.connection_name)
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                await declare_topology(channel, self.topology)
            except QueueUnavailable as exc:
                self.last_error = str(exc)
                raise
            except Exception as exc:
                self.last_error = f"RabbitMQ topology: {exc.__class__.__name__}: {exc}"
                raise QueueUnavailable(self.last_error) from None
            self._connection, self._channel, self.last_error = connection, channel, None

    async def submit(self, task: Task) -> None:
        if self._channel is None:
            await self._connect()  # QueueUnavailable before any row is written
        await task_db.insert_task(self.pool, task_id=task.id, kind=task.kind, payload=task.payload,
                                  backend=self.backend, job_run_id=task.job_run_id, not_after=task.not_after)
        await self.publish(task)

    async def publish(self, task: Task) -> None:
        """Publish with confirm; the broker has the message on disk when this returns."""
        import aio_pika

        if self._channel is None:
            raise QueueUnavailable("the RabbitMQ queue is not started")
        message = aio_pika.Message(
            task.to_body(),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            content_type="application/json",
            message_id=str(task.id),
            type=task.kind,
        )
        try:
            await self._channel.default_exchange.publish(
                message, routing_key=self.topology.queue, mandatory=True, timeout=PUBLISH_TIMEOUT_SECONDS
            )
        except Exception as exc:
            await task_db.finish_task_dead(self.pool, task.id, f"publish failed: {_error_text(exc)}")
            raise QueueUnavailable(
                f"RabbitMQ did not confirm task {task.id} ({task.kind}): {exc.__class__.__name__}: {exc}"
            ) from None

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = None

    def health(self) -> dict:
        up = self._connection is not None and not self._connection.is_closed
        out = {"status": "ok" if up else "down", "backend": self.backend,
               "broker": broker_description(self.settings.url), "queue": self.topology.queue}
        if self.last_error:
            out["error"] = self.last_error
        return out


class RabbitWorker:
    """Consumes tasks: `concurrency` consumers, each on its own channel with the configured prefetch.

    `stop()` is the graceful path (SIGTERM): cancel the consumers so nothing new
    arrives, hand back (once) any message that arrived but has not started,
    let running tasks finish and be acknowledged, then close.
    """

    def __init__(self, queue_settings, executor: Executor, *, concurrency: int = 1,
                 connection_name: str | None = None):
        self.settings = queue_settings
        self.executor = executor
        self.concurrency = concurrency
        self.topology = Topology.from_settings(queue_settings)
        self.connection_name = connection_name or f"cicero-worker-{executor.worker}"
        self._connection = None
        self._consumers: list[tuple[Any, str]] = []
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: set[asyncio.Task] = set()
        self._stopping = False
        self.processed: dict[str, int] = {}

    async def start(self) -> None:
        self._stopping = False
        self._connection = await connect_broker(self.settings.url, connection_name=self.connection_name)
        for _ in range(self.concurrency):
            channel = await self._connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=self.settings.prefetch)
            work, _dead = await declare_topology(channel, self.topology)
            tag = await work.consume(self._on_message, no_ack=False)
            self._consumers.append((work, tag))
        log.info("worker %s consuming %s with %d consumer(s)", self.executor.worker, self.topology.queue,
                 self.concurrency)

    async def _on_message(self, message) -> None:
        current = asyncio.current_task()
        if current is not None:
            self._in_flight.add(current)
        try:
            await self._handle(message)
        finally:
            if current is not None:
                self._in_flight.discard(current)

    async def _handle(self, message) -> None:
        if self._stopping:
            await message.nack(requeue=True)  # arrived during shutdown, never started: back once
            return
        async with self._slots:
            if self._stopping:
                await message.nack(requeue=True)
                return
            try:
                task = Task.from_body(message.body)
            except PoisonTask as exc:
                await record_poison_message(self.executor, message.body, str(exc), message.message_id)
                await message.reject(requeue=False)
                self._count("dead")
                return
            try:
                outcome = await execute_task(self.executor, task, backend=BACKEND_RABBITMQ)
            except Exception:
                log.exception("task %s: database error; handing the message back", task.id)
                await message.nack(requeue=True)
                self._count("error")
                return
            self._count(outcome.value)
            if outcome in (Outcome.RETRY, Outcome.BUSY):
                await message.nack(requeue=True)
            elif outcome is Outcome.DEAD:
                await message.reject(requeue=False)  # → dead-letter exchange
            else:
                await message.ack()

    def _count(self, key: str) -> None:
        self.processed[key] = self.processed.get(key, 0) + 1

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def stop(self) -> None:
        self._stopping = True
        for queue, tag in self._consumers:
            try:
                await queue.cancel(tag)
            except Exception:  # channel already gone: the broker requeues its messages itself
                log.debug("cancel of %s failed", tag, exc_info=True)
        self._consumers.clear()
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


# --------------------------------------------------------------------------- waiting


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


# --------------------------------------------------------------------------- collection cycle


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
    fallback: Any = None  # a ClientRunner for the clients the broker would not take (None: they fail)

    async def __call__(self, deps, plan) -> None:
        from jobs.fetch import ClientResult
        from jobs.queue_tasks import collect_client_task

        def failed(client_id: str, error: str) -> "ClientResult":
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
        import dataclasses

        if self.fallback is None:
            for client in clients:
                await plan.finished(failed(client.id, f"not queued: {error}"))
            return
        log.error("RabbitMQ unavailable (%s): %d client(s) run in this process instead", error, len(clients))
        try:
            await deps.reporter.warning(
                f"RabbitMQ tidak terjangkau; {len(clients)} client diproses langsung oleh bot: {error}")
        except Exception:
            log.exception("could not report the broker fallback")
        await self.fallback(deps, dataclasses.replace(plan, clients=clients))


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class QueueDepth:
    name: str
    messages: int | None          # ready (+ unacked when the management API tells)
    consumers: int | None
    unacked: int | None = None


@dataclass(frozen=True)
class QueueStatus:
    """What `cicero queue status` and the WhatsApp `status` command show."""

    backend: str                  # in-process | rabbitmq
    broker: str                   # safe description
    reachable: bool
    source: str                   # management-api | amqp-passive | in-process | unreachable
    queues: list[QueueDepth] = field(default_factory=list)
    dead_letters: int | None = None
    task_counts: dict[str, int] = field(default_factory=dict)  # last 24 h, from PostgreSQL
    error: str | None = None

    @property
    def work(self) -> QueueDepth | None:
        return self.queues[0] if self.queues else None

    def lines_id(self) -> list[str]:
        """Bahasa Indonesia lines for the WhatsApp `status` reply."""
        if self.backend == BACKEND_IN_PROCESS:
            head = "Antrean: dalam proses bot (tanpa RabbitMQ)"
        elif not self.reachable:
            head = f"Antrean: RabbitMQ TIDAK TERJANGKAU ({self.error or self.broker})"
        else:
            w = self.work
            depth = "?" if w is None or w.messages is None else str(w.messages)
            workers = "?" if w is None or w.consumers is None else str(w.consumers)
            dead = "?" if self.dead_letters is None else str(self.dead_letters)
            head = f"Antrean RabbitMQ: {depth} tugas menunggu, {workers} worker aktif, {dead} dead-letter"
        counts = self.task_counts
        tail = (
            f"Tugas 24 jam: {counts.get('done', 0)} selesai, "
            f"{counts.get('queued', 0) + counts.get('running', 0) + counts.get('failed', 0)} berjalan/menunggu, "
            f"{counts.get('dead', 0)} gagal"
        )
        return [head, tail]


def management_url_for(amqp_url: str) -> str:
    """The RabbitMQ management API on the broker's host, port 15672."""
    host = urlsplit(amqp_url).hostname or "127.0.0.1"
    return f"http://{host}:15672"


async def _depths_from_management(amqp_url: str, management_url: str, names: list[str],
                                  timeout: float) -> list[QueueDepth]:
    import httpx

    parts = urlsplit(amqp_url)
    vhost = unquote(parts.path[1:]) if parts.path and parts.path != "/" else "/"
    auth = (unquote(parts.username or "guest"), unquote(parts.password or "guest"))
    out = []
    async with httpx.AsyncClient(base_url=management_url.rstrip("/"), auth=auth, timeout=timeout) as http:
        for name in names:
            resp = await http.get(f"/api/queues/{quote(vhost, safe='')}/{quote(name, safe='')}")
            if resp.status_code == 404:
                out.append(QueueDepth(name=name, messages=0, consumers=0, unacked=0))
                continue
            resp.raise_for_status()
            data = resp.json()
            out.append(QueueDepth(name=name, messages=int(data.get("messages", 0)),
                                  consumers=int(data.get("consumers", 0)),
                                  unacked=int(data.get("messages_unacknowledged", 0))))
    return out


async def _depths_from_amqp(amqp_url: str, names: list[str], timeout: float) -> list[QueueDepth]:
    """Passive declare: ready messages and consumers; a missing queue counts as empty."""
    from aiormq.exceptions import ChannelNotFoundEntity

    conn = await connect_broker(amqp_url, connection_name="cicero-status", robust=False, timeout=timeout)
    out = []
    try:
        for name in names:
            channel = await conn.channel(publisher_confirms=False)
            try:
                q = await channel.declare_queue(name, passive=True)
                result = q.declaration_result
                out.append(QueueDepth(name=name, messages=result.message_count, consumers=result.consumer_count))
            except ChannelNotFoundEntity:
                out.append(QueueDepth(name=name, messages=0, consumers=0))
            finally:
                if not channel.is_closed:
                    await channel.close()
    finally:
        await conn.close()
    return out


async def queue_status(settings, pool: asyncpg.Pool | None = None, *, management_url: str | None = None,
                       timeout: float = 3.0, now: datetime | None = None) -> QueueStatus:
    """Queue depths, consumers and dead letters, plus the last 24 h of task outcomes.

    `settings` is the whole Settings object. Uses the RabbitMQ management API
    when it answers (`management_url`, default http://<broker host>:15672),
    else a passive queue declare. Never raises for an unreachable broker: the
    status says so.
    """
    counts: dict[str, int] = {}
    if pool is not None:
        since = (now or SystemClock(settings.tz).now()) - timedelta(hours=24)
        counts = await task_db.task_counts_since(pool, since)
    qs = settings.queue
    if not qs.url:
        return QueueStatus(backend=BACKEND_IN_PROCESS, broker="in-process", reachable=True, source="in-process",
                           task_counts=counts)
    topology = Topology.from_settings(qs)
    names = [topology.queue, topology.dead_queue]
    broker = broker_description(qs.url)
    try:
        depths = await _depths_from_management(qs.url, management_url or management_url_for(qs.url), names,
                                               timeout)
        source = "management-api"
    except Exception as exc:
        log.debug("management API unavailable (%s); using passive declare", exc)
        try:
            depths = await _depths_from_amqp(qs.url, names, timeout)
            source = "amqp-passive"
        except QueueUnavailable as exc2:
            return QueueStatus(backend=BACKEND_RABBITMQ, broker=broker, reachable=False, source="unreachable",
                               task_counts=counts, error=str(exc2))
    return QueueStatus(backend=BACKEND_RABBITMQ, broker=broker, reachable=True, source=source,
                       queues=depths, dead_letters=depths[1].messages, task_counts=counts)


# --------------------------------------------------------------------------- building


def build_task_queue(settings, executor: Executor, *, concurrency: int | None = None) -> TaskQueue:
    """The backend `[queue] url` asks for: RabbitQueue when set, else InProcessQueue."""
    if settings.queue.url:
        return RabbitQueue(settings.queue, executor.pool)
    return InProcessQueue(executor, concurrency=concurrency or settings.fetch.client_concurrency)
