"""Queries for `admin_log_groups`: WhatsApp groups registered from the chat to receive the admin log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor


@dataclass(frozen=True)
class AdminLogGroup:
    group_id: str
    name: str | None
    added_by: str
    added_at: datetime


def _group(r) -> AdminLogGroup:
    return AdminLogGroup(r["group_id"], r["name"], r["added_by"], r["added_at"])


async def admin_log_groups(db: Executor) -> list[AdminLogGroup]:
    rows = await db.fetch("SELECT * FROM admin_log_groups ORDER BY added_at, group_id")
    return [_group(r) for r in rows]


async def admin_log_group_ids(db: Executor) -> list[str]:
    return [r["group_id"] for r in await db.fetch("SELECT group_id FROM admin_log_groups ORDER BY group_id")]


async def add_admin_log_group(db: Executor, *, group_id: str, name: str | None, added_by: str,
                              at: datetime) -> AdminLogGroup | None:
    """Register a group; None when it was registered already."""
    row = await db.fetchrow(
        """INSERT INTO admin_log_groups (group_id, name, added_by, added_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (group_id) DO NOTHING RETURNING *""",
        group_id, name, added_by, at,
    )
    return _group(row) if row else None


async def remove_admin_log_group(db: Executor, group_id: str) -> AdminLogGroup | None:
    """Unregister a group; returns the removed row (None when it was not registered)."""
    row = await db.fetchrow("DELETE FROM admin_log_groups WHERE group_id = $1 RETURNING *", group_id)
    return _group(row) if row else None
