"""Queries for `conversation_sessions`: menu state per (chat, sender)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.pool import Executor


@dataclass(frozen=True)
class StoredSession:
    chat_id: str
    sender: str
    state: dict[str, Any]
    updated_at: datetime
    expires_at: datetime


async def conversation_session(db: Executor, chat_id: str, sender: str) -> StoredSession | None:
    row = await db.fetchrow(
        "SELECT chat_id, sender, state, updated_at, expires_at FROM conversation_sessions "
        "WHERE chat_id = $1 AND sender = $2",
        chat_id,
        sender,
    )
    return StoredSession(**dict(row)) if row else None


async def save_conversation_session(
    db: Executor, chat_id: str, sender: str, state: dict[str, Any], *, now: datetime, expires_at: datetime
) -> None:
    await db.execute(
        """
        INSERT INTO conversation_sessions (chat_id, sender, state, updated_at, expires_at)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (chat_id, sender) DO UPDATE
            SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at
        """,
        chat_id,
        sender,
        state,
        now,
        expires_at,
    )


async def delete_conversation_session(db: Executor, chat_id: str, sender: str) -> None:
    await db.execute("DELETE FROM conversation_sessions WHERE chat_id = $1 AND sender = $2", chat_id, sender)


async def delete_expired_sessions(db: Executor, now: datetime) -> int:
    """Remove sessions that expired before `now`; returns how many."""
    result = await db.execute("DELETE FROM conversation_sessions WHERE expires_at <= $1", now)
    return int(result.split()[-1])
