"""Queries for `audit_log`: one row per change, whoever made it and through whichever channel.

Every change to clients, personnel (usernames, exception, active, client),
dashboard accounts and report subscriptions calls `record_change` in the same
transaction as the change itself, so the log never claims a change that was
rolled back and never misses one that was kept. `before`/`after` hold only the
fields that changed (plain JSON values); secrets are never written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from db.pool import Executor

Channel = Literal["whatsapp", "cli", "api", "system"]
CHANNELS: tuple[str, ...] = ("whatsapp", "cli", "api", "system")


@dataclass(frozen=True)
class Actor:
    """Who made a change: a WhatsApp number, a dashboard username, a CLI user or the system."""

    name: str
    channel: Channel


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    channel: str
    action: str
    entity: str
    entity_id: str
    client_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
    """Only the keys whose values differ (a created row: before None; a deleted one: after None)."""
    if before is None or after is None:
        return before, after
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


async def record_change(db: Executor, actor: Actor, *, action: str, entity: str, entity_id: str,
                        client_id: str | None = None, before: dict[str, Any] | None = None,
                        after: dict[str, Any] | None = None, note: str | None = None,
                        at: datetime | None = None) -> int | None:
    """Write one audit row; nothing is written when an update changed no field."""
    if actor.channel not in CHANNELS:
        raise ValueError(f"unknown audit channel {actor.channel!r}")
    old, new = changed_fields(before, after)
    if old == {} and new == {}:
        return None
    return await db.fetchval(
        """INSERT INTO audit_log (at, actor, channel, action, entity, entity_id, client_id, before, after, note)
           VALUES (COALESCE($1, now()), $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10) RETURNING id""",
        at, actor.name, actor.channel, action, entity, str(entity_id), client_id, old, new, note,
    )


async def audit_rows(db: Executor, *, client_id: str | None = None, since: datetime | None = None,
                     entity: str | None = None, entity_id: str | None = None,
                     client_ids: list[str] | None = None, limit: int = 100) -> list[AuditRow]:
    """The newest audit rows first, optionally of one client (or of any of `client_ids`), one entity,
    or since a time."""
    rows = await db.fetch(
        """SELECT * FROM audit_log
           WHERE ($1::text IS NULL OR client_id = $1) AND ($2::timestamptz IS NULL OR at >= $2)
             AND ($3::text IS NULL OR entity = $3) AND ($4::text IS NULL OR entity_id = $4)
             AND ($6::text[] IS NULL OR client_id = ANY($6::text[]))
           ORDER BY at DESC, id DESC LIMIT $5""",
        client_id, since, entity, entity_id, limit, client_ids,
    )
    return [AuditRow(r["id"], r["at"], r["actor"], r["channel"], r["action"], r["entity"], r["entity_id"],
                     r["client_id"], r["before"], r["after"], r["note"]) for r in rows]
