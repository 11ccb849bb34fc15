"""The durable outbox: queue automatic WhatsApp messages, and the sender that drains them.

`enqueue()` is the one way to send an automatic message (task notifications,
admin log, anything a worker produces). Call it with a connection inside your
own transaction so the message and the state change that caused it commit
together. It returns False when the idempotency key already exists (the message
was queued before), which is how re-runs stay silent.

`OutboxSender` is a service part (`name`, `start()`, `stop()`). While the
gateway is connected it claims one due message at a time (`FOR UPDATE SKIP
LOCKED`), sends it, records WhatsApp's message id, and waits
`[whatsapp] send_interval_seconds` before the next. A retryable `SendError`
puts the message back with exponential backoff (30 s, 60 s, 120 s … capped at
one hour); after `[whatsapp] send_max_attempts` attempts, or on a permanent
error, it is marked dead and the admins are told.

Crash safety (delivery is *at most once*):
1. claim: status `sending`, `claimed_at` (committed);
2. `send_started_at` is written (committed) immediately before the gateway call;
3. on success `wa_message_id` and status `sent` are written.
A sender that dies leaves a `sending` row. After `stale_claim_seconds` any
sender settles it: with a `wa_message_id` it is marked sent; without
`send_started_at` it was never handed to WhatsApp and goes back to pending
(so a crash between queueing and sending sends exactly once after restart);
with `send_started_at` but no id, WhatsApp may or may not have delivered it —
the row is marked dead (never resent automatically) and the admins are told,
so an operator can `cicero outbox retry ID` after checking the group. We prefer
a rare visible gap over a duplicate task list in a group of hundreds of
personnel; the window is the few milliseconds between WhatsApp accepting the
message and our UPDATE.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Awaitable, Callable

import asyncpg

from core.boundary import guarded, report_safely
from core.settings import Settings
from core.chat_port import ChatGateway, Document, SendError
from db import outbox as db_outbox
from db.outbox import OutboxMessage
from core.clock import Clock, day_range, local_day
from core.reporting import Reporter
from jobs.admin_text import kind_label, send_error_text

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
ADMIN_KINDS = ("admin_log",)


async def enqueue(
    conn: db_outbox.Executor,
    *,
    recipient: str,
    kind: str,
    body: str,
    idempotency_key: str,
    client_id: str | None = None,
    document: Document | None = None,
    now: datetime | None = None,
) -> bool:
    """Queue one message; False when `idempotency_key` was already queued (nothing is added).

    `recipient` is a `62…` number or a `…@g.us` group; `kind` says what it is
    (`task_scheduled`, `task_change`, `admin_log`, `report`, …). With a
    `document`, `body` is its caption. Safe inside the caller's transaction:
    the sender only sees the row after commit.
    """
    if not recipient:
        raise ValueError("recipient is empty")
    if not idempotency_key:
        raise ValueError("idempotency_key is empty")
    new_id = await db_outbox.insert_message(
        conn,
        idempotency_key=idempotency_key,
        recipient=recipient,
        kind=kind,
        body=body if document is None else (document.caption or body or ""),
        client_id=client_id,
        document=document.data if document else None,
        filename=document.filename if document else None,
        mimetype=document.mimetype if document else None,
        now=now,
    )
    return new_id is not None


def backoff_seconds(attempt: int) -> int:
    """Wait after the `attempt`-th failed try (1-based): 30, 60, 120, … capped at one hour."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_CAP_SECONDS)


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    unknown: int = 0  # timed out inside the gateway: settled later by reclaim_stale, never resent

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.dead + self.unknown


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class OutboxSender:
    """Service part that delivers the outbox through a `ChatGateway`."""

    pool: asyncpg.Pool
    gateway: ChatGateway
    settings: Settings
    clock: Clock
    reporter: Reporter
    name: str = "outbox"
    poll_seconds: float = 5.0
    stale_claim_seconds: float = 300.0
    send_timeout_seconds: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    worker_id: str = field(default_factory=_worker_id)
    _task: asyncio.Task | None = field(default=None, init=False, repr=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)
    _stopping: bool = field(default=False, init=False, repr=False)
    _listen_conn: asyncpg.Connection | None = field(default=None, init=False, repr=False)

    # -- service part -------------------------------------------------------------------------
    async def start(self) -> None:
        self._stopping = False
        # LISTEN is an optimisation; polling still works
        async with guarded(f"outbox LISTEN (polling every {self.poll_seconds:.0f} s instead)", log,
                           level="warning", traceback=False) as g:
            self._listen_conn = await self.pool.acquire()
            await self._listen_conn.add_listener(db_outbox.NOTIFY_CHANNEL, self._on_notify)
        if g.failed:
            await self._release_listener()
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=self.send_timeout_seconds + 5)
            except asyncio.TimeoutError:
                self._task.cancel()
            self._task = None
        await self._release_listener()

    async def health(self) -> dict:
        """For /api/health: running, connected, and the counts `status` shows (pending, sending, sent today, dead)."""
        counts = await db_outbox.outbox_overview(self.pool, since=day_range(local_day(self.clock.now(), self.clock.tz),
                                                                            self.clock.tz)[0])
        running = self._task is not None and not self._task.done()
        connected = self.gateway.is_connected()
        waiting = counts.pending + counts.sending
        status = "ok" if running and (connected or not waiting) else ("down" if not running else "degraded")
        return {"status": status, "running": running, "connected": connected, "pending": counts.pending,
                "sending": counts.sending, "sent_today": counts.sent_since, "dead": counts.dead}

    def wake(self) -> None:
        """Ask the loop to look for due messages now (e.g. after the gateway reconnects)."""
        self._wake.set()

    def _on_notify(self, *_args) -> None:
        self._wake.set()

    async def _release_listener(self) -> None:
        conn, self._listen_conn = self._listen_conn, None
        if conn is not None:
            async with guarded("outbox UNLISTEN", log, level="warning", traceback=False):
                await conn.remove_listener(db_outbox.NOTIFY_CHANNEL, self._on_notify)
            await self.pool.release(conn)

    async def _run(self) -> None:
        while not self._stopping:
            async with guarded(f"outbox drain (retrying in {self.poll_seconds:.0f} s)", log):
                await self.drain_once()
            if self._stopping:
                break
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except asyncio.TimeoutError:
                pass

    # -- one pass -----------------------------------------------------------------------------
    async def drain_once(self) -> DrainResult:
        """Settle stale claims, then send every due message while connected; returns counts."""
        result = DrainResult()
        await self.reclaim_stale()
        interval = self.settings.whatsapp.send_interval_seconds
        while not self._stopping and self.gateway.is_connected():
            message = await db_outbox.claim_next_due(self.pool, now=self.clock.now(), claimed_by=self.worker_id)
            if message is None:
                break
            outcome = await self._deliver(message)
            setattr(result, outcome, getattr(result, outcome) + 1)
            if outcome == "sent" and interval > 0:
                await self.sleep(interval)
        if result.claimed:
            log.info("outbox: sent=%d retried=%d dead=%d", result.sent, result.retried, result.dead)
        return result

    async def reclaim_stale(self):
        now = self.clock.now()
        settled = await db_outbox.reclaim_stale(
            self.pool, claimed_before=now - timedelta(seconds=self.stale_claim_seconds), now=now
        )
        if settled.marked_sent or settled.requeued:
            log.warning("outbox: reclaimed after a crash: %d already sent, %d requeued",
                        len(settled.marked_sent), len(settled.requeued))
        for message in settled.unknown:
            await self._alert_dead(message, "pengiriman terputus; status tidak diketahui, tidak dikirim ulang")
        return settled

    async def _deliver(self, message: OutboxMessage) -> str:
        await db_outbox.mark_send_started(self.pool, message.id, now=self.clock.now())
        try:
            sent = await asyncio.wait_for(self._send(message), timeout=self.send_timeout_seconds)
        except asyncio.TimeoutError:
            # WhatsApp may have accepted it: leave the row 'sending' with send_started_at set;
            # reclaim_stale() settles it as "delivery unknown" instead of sending it twice.
            log.error("outbox: message %d timed out after %.0f s; delivery unknown", message.id,
                      self.send_timeout_seconds)
            return "unknown"
        except SendError as exc:
            return await self._failed(message, str(exc) or exc.__class__.__name__, retryable=exc.retryable)
        except Exception as exc:  # an adapter bug must not stop the sender
            return await self._failed(message, f"{exc.__class__.__name__}: {exc}", retryable=True)
        await db_outbox.mark_sent(self.pool, message.id, wa_message_id=sent.message_id or "-",
                                  now=self.clock.now())
        return "sent"

    async def _send(self, message: OutboxMessage):
        if message.document is not None:
            doc = Document(data=message.document, filename=message.filename or "dokumen",
                           mimetype=message.mimetype or "application/octet-stream",
                           caption=message.body or None)
            return await self.gateway.send_document(message.recipient, doc)
        return await self.gateway.send_text(message.recipient, message.body)

    async def _failed(self, message: OutboxMessage, error: str, *, retryable: bool) -> str:
        max_attempts = self.settings.whatsapp.send_max_attempts
        if retryable and not self.gateway.is_connected():
            # the connection dropped: not the message's fault, so no attempt is used up;
            # the loop stops draining until the gateway is connected again
            await db_outbox.release_unsent(self.pool, message.id, error=error)
            log.warning("outbox: connection lost while sending message %d (%s); it stays queued", message.id, error)
            return "retried"
        if retryable and message.attempts < max_attempts:
            wait = backoff_seconds(message.attempts)
            await db_outbox.mark_retry(self.pool, message.id, error=error,
                                       next_attempt_at=self.clock.now() + timedelta(seconds=wait))
            log.warning("outbox: message %d to %s failed (%s); retry %d/%d in %d s", message.id,
                        message.recipient, error, message.attempts, max_attempts, wait)
            return "retried"
        await db_outbox.mark_dead(self.pool, message.id, error=error)
        reason = send_error_text(error) + (f" (setelah {message.attempts} percobaan)" if retryable else "")
        await self._alert_dead(message, reason)
        return "dead"

    async def _alert_dead(self, message: OutboxMessage, reason: str) -> None:
        log.error("outbox: message %d to %s is dead: %s", message.id, message.recipient, reason)
        if message.kind in ADMIN_KINDS:
            return  # an undeliverable admin message must not produce another admin message
        await report_safely(self.reporter, "error",
                            f"Pesan outbox #{message.id} ({kind_label(message.kind)}) ke {message.recipient} "
                            f"gagal dikirim: {reason}. Kirim ulang dengan `cicero outbox retry {message.id}`.",
                            outbox_id=message.id, client_id=message.client_id)
