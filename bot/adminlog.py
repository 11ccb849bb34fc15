"""The admin log: operational messages and errors to the admins' WhatsApp, through the outbox.

`AdminLog` implements the `core.reporting.Reporter` port (`info`, `warning`,
`error`), so jobs receive it without importing `bot`. Every call is mirrored to
the console log and queued to every number in `[whatsapp] admins`, every
group in `[whatsapp] admin_groups` and every group registered from WhatsApp
with `grup log` (`admin_log_groups`, read at each delivery).

- **Never blocks, never raises.** Each call does one short database write with
  a timeout; any failure is logged to the console and swallowed.
- **Deduplicated.** The same warning or error (same level and text) is
  delivered at most once per `[notify] error_repeat_minutes`; the next delivery
  after the window says how many times it recurred meanwhile (`admin_alerts`).
- **Summaries.** `summary(text)` queues a finished message (a collection
  run's account, `jobs/run_summary.py`) to every admin at once, as it is.
- **Batches.** Inside `async with admin_log.batch("…"):` info and
  warning lines are collected (across every task started inside the block) and
  queued as ONE message when the block ends; errors are still delivered at once
  and are listed in the summary too. `cycle_summary(title, lines)` queues a
  ready-made summary in one call.
- **Digest outside a batch.** Started as a service part, `AdminLog` buffers
  info and warning lines reported outside any batch and queues them as one
  digest every `flush_seconds` (and on stop), so a cycle whose steps each call
  `reporter.info(...)` still produces one message. Not started (CLI, tests),
  every call is queued at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, AsyncIterator

import asyncpg

from core.boundary import guarded
from core.settings import Settings
from db.admin_alerts import AlertDecision, record_alert
from db.admin_log_groups import admin_log_group_ids
from core.clock import Clock
from jobs.outbox import enqueue

log = logging.getLogger("cicero.admin")

KIND = "admin_log"
LEVEL_LABEL = {"info": ("ℹ️", "INFO"), "warning": ("⚠️", "PERINGATAN"), "error": ("❌", "GALAT")}
LOG_LEVEL = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
MAX_SUMMARY_LINES = 60


@dataclass
class _Batch:
    title: str
    lines: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0


def _format_time(now: datetime) -> str:
    return now.strftime("%d/%m %H.%M WIB")


def _context_lines(context: dict[str, Any]) -> list[str]:
    return [f"• {k}: {v}" for k, v in context.items() if v is not None and v != ""]


def fingerprint(level: str, text: str) -> str:
    return hashlib.sha256(f"{level}\x00{text.strip()}".encode()).hexdigest()[:32]


@dataclass
class AdminLog:
    """Reporter that delivers to the admins' WhatsApp through the outbox."""

    pool: asyncpg.Pool
    settings: Settings
    clock: Clock
    timeout_seconds: float = 5.0
    flush_seconds: float = 60.0
    name: str = "adminlog"
    _batch: ContextVar = field(init=False, repr=False)
    _digest: _Batch | None = field(default=None, init=False, repr=False)
    _task: asyncio.Task | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._batch = ContextVar(f"adminlog_batch_{id(self)}", default=None)
        if not self.recipients:
            log.warning("admin log: [whatsapp] admins and admin_groups are empty; admin messages go to the console "
                        "and to groups registered with `grup log` only")

    @property
    def recipients(self) -> list[str]:
        """The configured recipients (settings); `_recipients` adds the registered groups."""
        return list(dict.fromkeys([*self.settings.whatsapp.admins, *self.settings.whatsapp.admin_groups]))

    async def _recipients(self, conn) -> list[str]:
        return list(dict.fromkeys([*self.recipients, *await admin_log_group_ids(conn)]))

    # -- service part: periodic digest of unbatched info/warnings ------------------------------
    async def start(self) -> None:
        self._digest = _Batch(title="Log operasional")
        self._task = asyncio.create_task(self._flush_loop(), name="adminlog-digest")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        await self.flush()
        self._digest = None

    def health(self) -> dict:
        buffered = len(self._digest.lines) if self._digest else 0
        return {"status": "ok", "recipients": len(self.recipients), "buffered_lines": buffered}

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.flush_seconds)
            await self.flush()

    async def flush(self) -> None:
        """Queue the buffered digest lines (if any) as one message."""
        digest = self._digest
        if digest is None or not digest.lines:
            return
        self._digest = _Batch(title=digest.title)
        await self.cycle_summary(digest.title, digest.lines, errors=digest.errors, warnings=digest.warnings)

    # -- Reporter -----------------------------------------------------------------------------
    async def info(self, text: str, **context: Any) -> None:
        await self._report("info", text, context)

    async def warning(self, text: str, **context: Any) -> None:
        await self._report("warning", text, context)

    async def error(self, text: str, **context: Any) -> None:
        await self._report("error", text, context)

    async def summary(self, text: str, **context: Any) -> None:
        """Queue `text` as one message of its own, now (never buffered, never held back as a repeat)."""
        log.info("summary: %s", text.splitlines()[0] if text else "")
        await self._safely(self._deliver(text, self.clock.now()))

    # -- batching -----------------------------------------------------------------------------
    @asynccontextmanager
    async def batch(self, title: str) -> AsyncIterator[_Batch]:
        """Collect info/warning lines reported inside the block into one summary message."""
        current = _Batch(title=title)
        token = self._batch.set(current)
        try:
            yield current
        finally:
            self._batch.reset(token)
            if current.lines:
                await self.cycle_summary(title, current.lines, errors=current.errors, warnings=current.warnings)

    async def cycle_summary(self, title: str, lines: list[str], *, errors: int = 0, warnings: int = 0) -> None:
        """Queue one summary message (e.g. of a collection cycle) to every admin."""
        now = self.clock.now()
        shown = lines[:MAX_SUMMARY_LINES]
        if len(lines) > MAX_SUMMARY_LINES:
            shown.append(f"… dan {len(lines) - MAX_SUMMARY_LINES} baris lainnya (lihat log konsol)")
        status = "✅" if not errors and not warnings else ("❌" if errors else "⚠️")
        tally = []
        if errors:
            tally.append(f"{errors} galat")
        if warnings:
            tally.append(f"{warnings} peringatan")
        head = f"{status} *Ringkasan: {title}* · {_format_time(now)}"
        if tally:
            head += "\n" + ", ".join(tally)
        body = "\n".join([head, "", *shown])
        log.info("summary %s: %d line(s)", title, len(lines))
        await self._safely(self._deliver(body, now))

    # -- internals ----------------------------------------------------------------------------
    async def _report(self, level: str, text: str, context: dict[str, Any]) -> None:
        async with guarded("the admin log", log, text=text[:80]):  # never raise into the job
            log.log(LOG_LEVEL[level], "%s%s", text, f" {context}" if context else "")
            batch: _Batch | None = self._batch.get()
            if batch is None and level != "error":
                batch = self._digest  # None unless started as a part
            if batch is not None:
                emoji, _ = LEVEL_LABEL[level]
                batch.lines.append(f"{emoji} {text}" if level != "info" else f"• {text}")
                if level == "warning":
                    batch.warnings += 1
                    return
                if level == "info":
                    return
                batch.errors += 1
            await self._safely(self._send_now(level, text, context))

    async def _safely(self, work) -> None:
        async with guarded("admin log: queueing a message", log, traceback=False):
            await asyncio.wait_for(work, timeout=self.timeout_seconds)

    async def _send_now(self, level: str, text: str, context: dict[str, Any]) -> None:
        now = self.clock.now()
        async with self.pool.acquire() as conn:
            recipients = await self._recipients(conn)
            if not recipients:
                return
            async with conn.transaction():
                decision = AlertDecision(send=True, repeats=0, last_sent_at=None)
                if level in ("warning", "error"):
                    decision = await record_alert(
                        conn, fingerprint=fingerprint(level, text), level=level, text=text, now=now,
                        window=timedelta(minutes=self.settings.notify.error_repeat_minutes),
                    )
                if not decision.send:
                    log.debug("admin log: suppressed repeat of %r (%d so far)", text, decision.repeats)
                    return
                body = self._render(level, text, context, now, decision)
                await self._enqueue_all(conn, body, now, recipients)

    def _render(self, level: str, text: str, context: dict[str, Any], now: datetime,
                decision: AlertDecision) -> str:
        emoji, label = LEVEL_LABEL[level]
        lines = [f"{emoji} *{label}* · {_format_time(now)}", text]
        if decision.repeats and decision.last_sent_at is not None:
            since = decision.last_sent_at.astimezone(self.clock.tz)
            lines.append(f"_(terjadi lagi {decision.repeats}× sejak {since.strftime('%H.%M')} WIB)_")
        lines.extend(_context_lines(context))
        return "\n".join(lines)

    async def _deliver(self, body: str, now: datetime) -> None:
        async with self.pool.acquire() as conn:
            recipients = await self._recipients(conn)
            async with conn.transaction():
                await self._enqueue_all(conn, body, now, recipients)

    async def _enqueue_all(self, conn, body: str, now: datetime, recipients: list[str]) -> None:
        token = uuid.uuid4().hex
        for recipient in recipients:
            await enqueue(conn, recipient=recipient, kind=KIND, body=body,
                          idempotency_key=f"admin:{token}:{recipient}", now=now)
