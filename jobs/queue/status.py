"""Queue depths, consumers, dead letters and the last 24 h of task outcomes (`cicero queue status`,
the WhatsApp `status` reply); the Indonesian wording lives with the `status` handler."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote, unquote, urlsplit

import asyncpg
import httpx
from aiormq.exceptions import ChannelNotFoundEntity

from core.clock import SystemClock
from db import tasks as task_db
from jobs.queue.model import BACKEND_IN_PROCESS, BACKEND_RABBITMQ, QueueUnavailable
from jobs.queue.rabbit import Topology, broker_description, connect_broker

log = logging.getLogger(__name__)


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


def management_url_for(amqp_url: str) -> str:
    """The RabbitMQ management API on the broker's host, port 15672."""
    host = urlsplit(amqp_url).hostname or "127.0.0.1"
    return f"http://{host}:15672"


async def _depths_from_management(amqp_url: str, management_url: str, names: list[str],
                                  timeout: float) -> list[QueueDepth]:
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
