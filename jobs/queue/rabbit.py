"""The RabbitMQ backend: a durable quorum queue with dead-lettering, published with confirms (`RabbitQueue`)
and consumed by `cicero worker` (`RabbitWorker`)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import asyncpg
from aiormq.exceptions import ChannelPreconditionFailed

from core.boundary import guarded
from db import tasks as task_db
from jobs.queue.executor import Executor, Outcome, error_text, execute_task, record_poison_message
from jobs.queue.model import BACKEND_RABBITMQ, PoisonTask, QueueUnavailable, Task

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 10.0


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
            await task_db.finish_task_dead(self.pool, task.id, f"publish failed: {error_text(exc)}")
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
            outcome = None
            async with guarded("running a task (database error: handing the message back)", log,
                               task_id=str(task.id)) as g:
                outcome = await execute_task(self.executor, task, backend=BACKEND_RABBITMQ)
            if g.failed:
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
            # channel already gone: the broker requeues its messages itself
            async with guarded(f"cancelling consumer {tag}", log, level="warning", traceback=False):
                await queue.cancel(tag)
        self._consumers.clear()
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight), return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
