"""Turning due subscriptions into outbox rows: the minute tick and "send now".

Each fire builds its report through the one report path
(`REPORTS[id].build(BuildRequest(...))`), honours skip-if-empty, and queues
every part of the output to every recipient with the idempotency key
`report:<subscription>:<slot>:<recipient>:<part>`, in the same transaction
that records the slot in `report_fires`. So:

- a restart, a retry or a second process never queues a slot twice (the slot
  row and the keys both say it was done; a claim that lost the race queues nothing);
- a crash before the commit leaves no row, and the next tick catches the slot up;
- WhatsApp being down only delays: the rows wait in the outbox, in order.

Reports are built outside any transaction (a slow Excel holds no lock), at
most `[reports] build_concurrency` at a time, and queued one fire at a time in
slot order, so each recipient receives its reports in the order they were due.
A report that fails to build records the slot as failed and sends the admins
one error line; the other fires go on. At most `[reports] max_fires_per_tick`
slots are fired per tick; the rest are due at the next tick.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg

from core.chat_port import Document
from core.reporting import Reporter
from core.settings import Settings
from db.clients import Client, get_client, list_clients
from db.report_subscriptions import Subscription, claim_fire, finish_fire, fired_slots, get_subscription, \
    list_subscriptions
from handlers.reports.catalog import REPORTS, BuildRequest, Part, ReportOutput
from handlers.reports.subscriptions.recipients import resolve_recipients
from handlers.reports.subscriptions.status import inactive_reason, report_title, unsendable_reason
from handlers.reports.subscriptions.timing import Triggers, period_for, time_label
from jobs.outbox import enqueue

log = logging.getLogger(__name__)

KIND = "report"
CHUNK = 50  # fires built together before they are queued in order


@dataclass
class SendResult:
    queued: int = 0                       # new outbox rows (0 when the same minute was sent already)
    skipped_empty: bool = False           # nothing to report and the subscription skips empty reports
    messages: list[Part] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    error: str | None = None              # Indonesian, shown as is


@dataclass
class TickResult:
    due: int = 0
    fired: int = 0
    queued: int = 0
    empty: int = 0
    failed: int = 0
    deferred: int = 0                     # due but over max_fires_per_tick: next tick
    taken: int = 0                        # fired meanwhile by another process


def outbox_key(sub_id: int, slot: str, chat: str, part: int) -> str:
    return f"report:{sub_id}:{slot}:{chat}:{part}"


def slot_key(slot: datetime) -> str:
    return slot.strftime("%Y%m%dT%H%M")


async def build_output(pool: asyncpg.Pool, settings: Settings, sub: Subscription, client: Client,
                       period_at: datetime, now: datetime) -> ReportOutput:
    req = BuildRequest(pool=pool, settings=settings, client=client, period=period_for(sub.period, period_at), now=now)
    return await REPORTS[sub.report].build(req)


async def _queue(conn, sub: Subscription, output: ReportOutput, chats: tuple[str, ...], key: str,
                 now: datetime) -> int:
    queued = 0
    for chat in chats:
        for i, part in enumerate(output.parts):
            if not part:  # an empty text (a file report's missing caption) is not a message
                continue
            document = part if isinstance(part, Document) else None
            queued += await enqueue(conn, recipient=chat, kind=KIND, body=part if document is None else "",
                                    document=document, client_id=sub.client_id,
                                    idempotency_key=outbox_key(sub.id, key, chat, i), now=now)
    return queued


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


# --------------------------------------------------------------------------- send now

async def send_now(pool: asyncpg.Pool, settings: Settings, subscription_id: int, now: datetime, *,
                   dry_run: bool = False) -> SendResult:
    """Build one subscription's report for `now` and queue it to its recipients (or only show it).

    A switched-off subscription can still be sent by hand; one that cannot be
    built or has nobody to send to gives `error`. Sending the same
    subscription twice in one minute queues nothing the second time.
    """
    sub = await get_subscription(pool, subscription_id)
    if sub is None:
        return SendResult(error=f"laporan terjadwal #{subscription_id} tidak ada")
    client = await get_client(pool, sub.client_id)
    recipients = resolve_recipients(sub.recipients, client, settings)
    reason = unsendable_reason(sub, client, recipients)
    if reason:
        return SendResult(recipients=list(recipients.chats), error=f"tidak bisa dikirim: {reason}")
    try:
        output = await build_output(pool, settings, sub, client, now, now)
    except Exception as exc:  # one report's failure is an answer, not a crash
        log.exception("report subscription %s: build failed", sub.id)
        return SendResult(recipients=list(recipients.chats), error=f"laporan gagal dibuat: {_error_text(exc)}")
    result = SendResult(messages=[p for p in output.parts if p], recipients=list(recipients.chats))
    if output.empty and sub.skip_if_empty:
        result.skipped_empty = True
        return result
    if dry_run:
        return result
    async with pool.acquire() as conn, conn.transaction():
        result.queued = await _queue(conn, sub, output, recipients.chats, f"now{slot_key(now)}", now)
    return result


# --------------------------------------------------------------------------- the minute tick

@dataclass(frozen=True)
class _Due:
    sub: Subscription
    client: Client
    chats: tuple[str, ...]
    slot: datetime


def due_fires(subs: list[Subscription], clients: dict[str, Client], settings: Settings, now: datetime,
              fired: set[tuple[int, datetime]], triggers: Triggers) -> list[_Due]:
    """Every (subscription, slot) due at `now` and not fired yet, oldest slot first.

    A slot is due from its instant until `[reports] catch_up_minutes` after it,
    and never before the subscription's last change (a subscription added or
    switched on at 18:25 does not send its 18:20 report).
    """
    window_start = now - timedelta(minutes=settings.reports.catch_up_minutes, seconds=1)
    due = []
    for sub in subs:
        client = clients.get(sub.client_id)
        recipients = resolve_recipients(sub.recipients, client, settings)
        if inactive_reason(sub, client, recipients) is not None:
            continue
        start = max(window_start, sub.changed_at) if sub.changed_at else window_start
        for slot in triggers.slots_between(sub.times, start, now):
            if (sub.id, slot) not in fired:
                due.append(_Due(sub, client, recipients.chats, slot))
    due.sort(key=lambda d: (d.slot, d.sub.id))
    return due


async def run_due(pool: asyncpg.Pool, settings: Settings, now: datetime, reporter: Reporter) -> TickResult:
    """Fire every due subscription slot (the minute tick)."""
    subs = await list_subscriptions(pool, active_only=True)
    result = TickResult()
    if not subs:
        return result
    clients = {c.id: c for c in await list_clients(pool)}
    since = now - timedelta(minutes=settings.reports.catch_up_minutes + 1)
    due = due_fires(subs, clients, settings, now, await fired_slots(pool, since), Triggers(settings))
    limit = settings.reports.max_fires_per_tick
    result.due, result.deferred = len(due), max(len(due) - limit, 0)
    gate = asyncio.Semaphore(settings.reports.build_concurrency)

    async def build(d: _Due) -> ReportOutput | BaseException:
        async with gate:
            try:
                return await build_output(pool, settings, d.sub, d.client, d.slot, now)
            except Exception as exc:  # recorded and reported below, the others go on
                log.exception("report subscription %s (%s): build failed", d.sub.id, d.sub.report)
                return exc

    todo = due[:limit]
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        outputs = await asyncio.gather(*(build(d) for d in chunk))
        for d, output in zip(chunk, outputs):
            await _commit_fire(pool, d, output, now, result, reporter)
    if result.fired or result.deferred:
        log.info("report tick %s: %d due, %d fired, %d queued, %d empty, %d failed, %d deferred",
                 now.strftime("%H:%M"), result.due, result.fired, result.queued, result.empty, result.failed,
                 result.deferred)
    return result


async def _commit_fire(pool: asyncpg.Pool, d: _Due, output: ReportOutput | BaseException, now: datetime,
                       result: TickResult, reporter: Reporter) -> None:
    failed = isinstance(output, BaseException)
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_fire(conn, d.sub.id, d.slot, now=now):
            result.taken += 1
            return
        result.fired += 1
        if failed:
            result.failed += 1
            await finish_fire(conn, d.sub.id, d.slot, outcome="failed", queued=0, error=_error_text(output))
        elif output.empty and d.sub.skip_if_empty:
            result.empty += 1
            await finish_fire(conn, d.sub.id, d.slot, outcome="empty", queued=0)
        else:
            queued = await _queue(conn, d.sub, output, d.chats, slot_key(d.slot), now)
            result.queued += queued
            await finish_fire(conn, d.sub.id, d.slot, outcome="queued", queued=queued)
    if failed:
        await reporter.error(
            f"Laporan terjadwal #{d.sub.id} ({report_title(d.sub.report)}, {d.sub.client_id}, pukul "
            f"{time_label(d.slot.strftime('%H:%M'))}) gagal dibuat: {_error_text(output)}",
            subscription=d.sub.id)
