"""Queries for `outbox`: every automatic WhatsApp message, written before it is sent.

Life of a row: `pending` → (claimed) `sending` → `sent`, or back to `pending`
with a later `next_attempt_at` after a retryable failure, or `dead` after the
last attempt / a permanent failure. Times are passed in by the caller (from a
`Clock`), so tests run on a `ManualClock`. A row that was never attempted
(`attempts = 0`) is due at once whatever its `next_attempt_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor

STATUSES = ("pending", "sending", "sent", "dead")
NOTIFY_CHANNEL = "cicero_outbox"


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    idempotency_key: str
    recipient: str
    kind: str
    client_id: str | None
    body: str
    document: bytes | None
    filename: str | None
    mimetype: str | None
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    claimed_at: datetime | None
    claimed_by: str | None
    send_started_at: datetime | None
    wa_message_id: str | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _message(row) -> OutboxMessage:
    return OutboxMessage(**{f: row[f] for f in OutboxMessage.__dataclass_fields__})


async def insert_message(
    db: Executor,
    *,
    idempotency_key: str,
    recipient: str,
    kind: str,
    body: str,
    client_id: str | None = None,
    document: bytes | None = None,
    filename: str | None = None,
    mimetype: str | None = None,
    max_attempts: int = 5,
    now: datetime | None = None,
) -> int | None:
    """Insert a pending message; its id, or None when the idempotency key already exists.

    Also signals the sender (`NOTIFY cicero_outbox`), delivered when the
    caller's transaction commits.
    """
    new_id = await db.fetchval(
        """
        INSERT INTO outbox (idempotency_key, recipient, kind, client_id, body, document, filename, mimetype,
                            max_attempts, next_attempt_at, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, now()), COALESCE($10, now()))
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING id
        """,
        idempotency_key, recipient, kind, client_id, body, document, filename, mimetype, max_attempts, now,
    )
    if new_id is not None:
        await db.execute("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, str(new_id))
    return new_id


async def claim_next_due(db: Executor, *, now: datetime, claimed_by: str) -> OutboxMessage | None:
    """Claim the oldest due message (FOR UPDATE SKIP LOCKED) and mark it `sending`.

    Per-recipient order is kept: a message is skipped while an older message to
    the same recipient is still pending or being sent.
    """
    row = await db.fetchrow(
        """
        WITH next AS (
            SELECT o.id FROM outbox o
            WHERE o.status = 'pending'
              AND (o.attempts = 0 OR o.next_attempt_at <= $1)
              AND NOT EXISTS (
                  SELECT 1 FROM outbox older
                  WHERE older.recipient = o.recipient AND older.id < o.id
                    AND older.status IN ('pending', 'sending'))
            ORDER BY o.id
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        )
        UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, claimed_at = $1,
                            claimed_by = $2, send_started_at = NULL
        FROM next WHERE o.id = next.id
        RETURNING o.*
        """,
        now, claimed_by,
    )
    return _message(row) if row else None


async def mark_send_started(db: Executor, message_id: int, *, now: datetime) -> None:
    await db.execute("UPDATE outbox SET send_started_at = $2 WHERE id = $1", message_id, now)


async def mark_sent(db: Executor, message_id: int, *, wa_message_id: str, now: datetime) -> None:
    await db.execute(
        """
        UPDATE outbox SET status = 'sent', wa_message_id = $2, sent_at = $3, last_error = NULL
        WHERE id = $1
        """,
        message_id, wa_message_id, now,
    )


async def mark_retry(db: Executor, message_id: int, *, error: str, next_attempt_at: datetime) -> None:
    await db.execute(
        """
        UPDATE outbox SET status = 'pending', last_error = $2, next_attempt_at = $3,
                          claimed_at = NULL, claimed_by = NULL, send_started_at = NULL
        WHERE id = $1
        """,
        message_id, error[:800], next_attempt_at,
    )


async def release_unsent(db: Executor, message_id: int, *, error: str) -> None:
    """Back to pending without using up an attempt (the connection dropped; WhatsApp never took it)."""
    await db.execute(
        """
        UPDATE outbox SET status = 'pending', attempts = GREATEST(attempts - 1, 0), last_error = $2,
                          claimed_at = NULL, claimed_by = NULL, send_started_at = NULL
        WHERE id = $1
        """,
        message_id, error[:800],
    )


async def mark_dead(db: Executor, message_id: int, *, error: str) -> None:
    await db.execute(
        "UPDATE outbox SET status = 'dead', last_error = $2, claimed_at = NULL WHERE id = $1",
        message_id, error[:800],
    )


@dataclass(frozen=True)
class ReclaimResult:
    marked_sent: list[int]      # had a WhatsApp id: it was delivered, only the status was lost
    requeued: list[int]         # never handed to WhatsApp: safe to send
    unknown: list[OutboxMessage]  # handed to WhatsApp, no answer recorded: marked dead, not resent


async def reclaim_stale(db: Executor, *, claimed_before: datetime, now: datetime) -> ReclaimResult:
    """Settle `sending` rows whose claim is older than `claimed_before` (their sender died).

    Runs in one statement per outcome; rows locked by a live sender are skipped.
    """
    sent = await db.fetch(
        """
        UPDATE outbox SET status = 'sent', sent_at = COALESCE(sent_at, $2)
        WHERE id IN (SELECT id FROM outbox WHERE status = 'sending' AND claimed_at < $1
                     AND wa_message_id IS NOT NULL FOR UPDATE SKIP LOCKED)
        RETURNING id
        """,
        claimed_before, now,
    )
    requeued = await db.fetch(
        """
        UPDATE outbox SET status = 'pending', attempts = GREATEST(attempts - 1, 0),
                          claimed_at = NULL, claimed_by = NULL
        WHERE id IN (SELECT id FROM outbox WHERE status = 'sending' AND claimed_at < $1
                     AND wa_message_id IS NULL AND send_started_at IS NULL FOR UPDATE SKIP LOCKED)
        RETURNING id
        """,
        claimed_before,
    )
    unknown = await db.fetch(
        """
        UPDATE outbox SET status = 'dead',
               last_error = 'pengirim berhenti saat mengirim; tidak diketahui apakah pesan terkirim'
        WHERE id IN (SELECT id FROM outbox WHERE status = 'sending' AND claimed_at < $1
                     AND wa_message_id IS NULL AND send_started_at IS NOT NULL FOR UPDATE SKIP LOCKED)
        RETURNING *
        """,
        claimed_before,
    )
    return ReclaimResult(
        marked_sent=[r["id"] for r in sent],
        requeued=[r["id"] for r in requeued],
        unknown=[_message(r) for r in unknown],
    )


async def list_messages(db: Executor, *, status: str | None = None, limit: int = 50,
                        client_id: str | None = None) -> list[OutboxMessage]:
    """Newest first, optionally only one status and/or one client."""
    rows = await db.fetch(
        """
        SELECT * FROM outbox
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR client_id = $2)
        ORDER BY id DESC LIMIT $3
        """,
        status, client_id, limit,
    )
    return [_message(r) for r in rows]


async def messages_in_order(db: Executor, *, recipient: str | None = None,
                            status: str | None = None) -> list[OutboxMessage]:
    """Oldest first (the order they were queued), optionally one recipient/status."""
    rows = await db.fetch(
        """
        SELECT * FROM outbox
        WHERE ($1::text IS NULL OR recipient = $1) AND ($2::text IS NULL OR status = $2)
        ORDER BY id
        """,
        recipient, status,
    )
    return [_message(r) for r in rows]


async def get_message(db: Executor, message_id: int) -> OutboxMessage | None:
    row = await db.fetchrow("SELECT * FROM outbox WHERE id = $1", message_id)
    return _message(row) if row else None


async def requeue_dead(db: Executor, message_id: int, *, now: datetime) -> bool:
    """Put a dead message back to pending with a fresh attempt budget; False if it is not dead."""
    result = await db.execute(
        """
        UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, claimed_at = NULL,
                          claimed_by = NULL, send_started_at = NULL
        WHERE id = $1 AND status = 'dead'
        """,
        message_id, now,
    )
    if result.endswith(" 1"):
        await db.execute("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, str(message_id))
        return True
    return False


async def status_counts(db: Executor) -> dict[str, int]:
    rows = await db.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")
    return {r["status"]: r["n"] for r in rows}


@dataclass(frozen=True)
class OutboxOverview:
    """The outbox as `status` and /api/health show it: waiting, in flight, sent since a time, dead."""

    pending: int
    sending: int
    sent_since: int
    dead: int


async def outbox_overview(db: Executor, *, since: datetime) -> OutboxOverview:
    """Counts of pending, sending and dead messages, and of messages sent at or after `since`."""
    row = await db.fetchrow(
        """
        SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
               count(*) FILTER (WHERE status = 'sending') AS sending,
               count(*) FILTER (WHERE status = 'sent' AND sent_at >= $1) AS sent_since,
               count(*) FILTER (WHERE status = 'dead') AS dead
        FROM outbox
        """,
        since,
    )
    return OutboxOverview(**dict(row))
