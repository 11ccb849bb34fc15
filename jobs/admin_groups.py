"""Registering WhatsApp groups as admin-log groups from the chat (`grup log`), audited in the same transaction."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from core.formats import normalize_group_id
from db.admin_log_groups import add_admin_log_group, remove_admin_log_group
from db.audit import Actor, record_change
from db.pool import Executor


async def register_admin_log_group(pool: asyncpg.Pool, actor: Actor, *, group_id: str, name: str | None,
                                   at: datetime) -> bool:
    """Make the group receive the admin log; False when it did already."""
    gid = normalize_group_id(group_id)
    async with pool.acquire() as conn, conn.transaction():
        added = await add_admin_log_group(conn, group_id=gid, name=name, added_by=actor.name, at=at)
        if added is not None:
            await _audit(conn, actor, "admin_log_group.add", gid, None, {"group_id": gid, "name": name})
    return added is not None


async def unregister_admin_log_group(pool: asyncpg.Pool, actor: Actor, group_id: str) -> bool:
    """Stop sending the admin log to the group; False when it was not registered."""
    gid = normalize_group_id(group_id)
    async with pool.acquire() as conn, conn.transaction():
        removed = await remove_admin_log_group(conn, gid)
        if removed is not None:
            await _audit(conn, actor, "admin_log_group.remove", gid, {"group_id": gid, "name": removed.name}, None)
    return removed is not None


async def _audit(conn: Executor, actor: Actor, action: str, gid: str, before: dict | None, after: dict | None) -> None:
    await record_change(conn, actor, action=action, entity="admin_log_group", entity_id=gid, before=before,
                        after=after)
