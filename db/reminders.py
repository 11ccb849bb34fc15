"""Queries for `personnel_reminder_settings`: who gets the personal task reminders (`notifwa on|off`)."""

from __future__ import annotations

from datetime import datetime

from db.personnel import Personnel, personnel_from_row
from db.pool import Executor


async def reminders_enabled(db: Executor, nrp: str) -> bool:
    """Whether the person opted in (no row: not opted in)."""
    return bool(await db.fetchval("SELECT enabled FROM personnel_reminder_settings WHERE nrp = $1", nrp))


async def set_reminders(db: Executor, nrp: str, enabled: bool, *, at: datetime) -> None:
    await db.execute(
        """INSERT INTO personnel_reminder_settings (nrp, enabled, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (nrp) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at""",
        nrp, enabled, at,
    )


async def opted_in_personnel(db: Executor) -> list[Personnel]:
    """Active personnel of active clients who opted in and have a WhatsApp number, by client then NRP."""
    rows = await db.fetch(
        """SELECT p.* FROM personnel p
           JOIN personnel_reminder_settings r ON r.nrp = p.nrp AND r.enabled
           JOIN clients c ON c.id = p.client_id AND c.active
           WHERE p.active AND NULLIF(p.whatsapp, '') IS NOT NULL
           ORDER BY p.client_id, p.nrp"""
    )
    return [personnel_from_row(r) for r in rows]
