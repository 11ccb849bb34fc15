"""The two self-service writes shared by personnel and operators: a username and a WhatsApp number.

Each runs in one transaction: the value is locked (`lock_identifier`), checked
again (another active person may have taken it since the prompt), and written
through `save_personnel` with the chat's actor, so the row and its audit row
commit together. One person per number: an inactive person still holding the
number gives it up in the same transaction.
"""

from __future__ import annotations

import dataclasses

import asyncpg

from db.audit import Actor
from db.personnel import Personnel
from db.personnel_contacts import lock_identifier, personnel_for_update, phone_holders, username_holders
from handlers.reports.attendance import Platform
from jobs.personnel_changes import save_personnel


class Taken(Exception):
    """The value is held by another active person; the message names their satker."""

    def __init__(self, satker: str):
        super().__init__(satker)
        self.satker = satker


class Gone(Exception):
    """The person is no longer active (or no longer exists)."""


async def _fresh(conn, nrp: str) -> Personnel:
    person = await personnel_for_update(conn, nrp)
    if person is None or not person.active:
        raise Gone(nrp)
    return person


async def assign_username(pool: asyncpg.Pool, actor: Actor, nrp: str, platform: Platform, username: str | None,
                          *, action: str = "personnel.update_username") -> Personnel:
    """Give person `nrp` this username on `platform` (None clears it); Taken / Gone when not possible."""
    async with pool.acquire() as conn, conn.transaction():
        if username:
            await lock_identifier(conn, platform.value, username)
            holders = await username_holders(conn, platform.value, username, except_nrp=nrp)
            if holders:
                raise Taken(holders[0].client_name)
        person = dataclasses.replace(await _fresh(conn, nrp), **{platform.value: username})
        await save_personnel(conn, actor, [person], action=action)
    return person


async def assign_whatsapp(conn: asyncpg.Connection, actor: Actor, nrp: str, phone: str | None, *,
                          action: str) -> Personnel:
    """Give person `nrp` this number (None clears it) inside the caller's transaction; Taken / Gone."""
    person = await _fresh(conn, nrp)
    if phone:
        await lock_identifier(conn, "whatsapp", phone)
        holders = await phone_holders(conn, phone, except_nrp=nrp, active_only=False)
        active = [h for h in holders if h.person.active]
        if active:
            raise Taken(active[0].client_name)
        released = [dataclasses.replace(h.person, whatsapp=None) for h in holders]
        if released:
            await save_personnel(conn, actor, released, action="personnel.release_whatsapp",
                                 note=f"nomor dipakai NRP {nrp}")
    person = dataclasses.replace(person, whatsapp=phone)
    await save_personnel(conn, actor, [person], action=action)
    return person
