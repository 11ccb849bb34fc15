"""Conversation state per (chat, sender), stored in PostgreSQL with a sliding timeout.

`load()` returns the conversation and whether it just expired (so the router can
send a short notice on the first message after expiry). `save()` writes an open
menu with `expires_at = now + timeout` (each message slides the window) and
deletes the row when no menu is open. Rows survive restarts; expired rows are
removed lazily on load and in bulk by `purge_expired()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from db.sessions import (
    conversation_session,
    delete_conversation_session,
    delete_expired_sessions,
    save_conversation_session,
)
from handlers.context import Conversation
from core.clock import Clock


@dataclass(frozen=True)
class LoadedConversation:
    conversation: Conversation
    expired: bool                 # a menu was open but timed out before this message


@dataclass
class SessionStore:
    pool: asyncpg.Pool
    clock: Clock
    timeout: timedelta

    async def load(self, chat_id: str, sender: str) -> LoadedConversation:
        row = await conversation_session(self.pool, chat_id, sender)
        if row is None:
            return LoadedConversation(Conversation(), expired=False)
        if row.expires_at <= self.clock.now():
            await delete_conversation_session(self.pool, chat_id, sender)
            was_open = bool((row.state or {}).get("menu"))
            return LoadedConversation(Conversation(), expired=was_open)
        return LoadedConversation(Conversation.from_json(row.state), expired=False)

    async def open_menu_id(self, chat_id: str, sender: str) -> str | None:
        """The id of the menu open (not expired) for (chat, sender); nothing is changed."""
        row = await conversation_session(self.pool, chat_id, sender)
        if row is None or row.expires_at <= self.clock.now():
            return None
        return (row.state or {}).get("menu") or None

    async def save(self, chat_id: str, sender: str, conversation: Conversation) -> None:
        if not conversation.active:
            await delete_conversation_session(self.pool, chat_id, sender)
            return
        now = self.clock.now()
        await save_conversation_session(
            self.pool, chat_id, sender, conversation.to_json(), now=now, expires_at=now + self.timeout
        )

    async def purge_expired(self) -> int:
        return await delete_expired_sessions(self.pool, self.clock.now())
