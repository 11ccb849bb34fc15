"""The one write path for client rows: create, replace, edit, (de)activate, task groups.

Every channel — the CLI (`cicero clients add|set`), the HTTP API
(`POST /api/clients`) and the WhatsApp admin console (`klien`, `grup`) — calls
these functions. Each validates the row (`db.clients.validated_client`: the
same formats everywhere), writes it and one audit row with the changed fields
(`db/audit.py`) in one transaction, so a change is never half-recorded.

    await create_client(pool, actor, Client(...))                       # refuses an existing id
    await change_client(pool, actor, "POLRES_A", lambda c: replace(c, active=False), action="client.deactivate")

`FormatError`/`ValueError` name a bad field (Indonesian, shown as is);
`ClientExists` and `ClientNotFound` say what they say.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Callable

import asyncpg

from core.formats import normalize_group_id
from db.audit import Actor, record_change
from db.clients import Client, get_client, get_client_for_update, insert_client, upsert_client, validated_client
from db.pool import Executor


class ClientExists(Exception):
    """A client with this id exists already (`clients add` without `--replace`)."""

    def __init__(self, client_id: str):
        super().__init__(f"client {client_id} sudah ada")
        self.client_id = client_id


class ClientNotFound(Exception):
    def __init__(self, client_id: str):
        super().__init__(f"client {client_id} tidak ditemukan")
        self.client_id = client_id


@dataclass(frozen=True)
class ClientChange:
    before: Client | None         # None: created
    after: Client

    @property
    def created(self) -> bool:
        return self.before is None

    @property
    def changed_fields(self) -> tuple[str, ...]:
        after = asdict(self.after)
        if self.before is None:
            return tuple(after)
        before = asdict(self.before)
        return tuple(k for k in after if before[k] != after[k])


async def _in_transaction(db: Executor, work):
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn, conn.transaction():
            return await work(conn)
    return await work(db)


async def _check_parent(conn: Executor, client: Client) -> None:
    if client.parent_id and client.parent_id != client.id and await get_client(conn, client.parent_id) is None:
        raise ValueError(f"parent: client {client.parent_id} tidak ditemukan")
    if client.parent_id == client.id:
        raise ValueError("parent: client tidak boleh menjadi parent dirinya sendiri")


async def _audit(conn: Executor, actor: Actor, change: ClientChange, action: str, note: str | None) -> None:
    await record_change(conn, actor, action=action, entity="client", entity_id=change.after.id,
                        client_id=change.after.id, before=asdict(change.before) if change.before else None,
                        after=asdict(change.after), note=note)


async def create_client(db: Executor, actor: Actor, client: Client, *, replace_existing: bool = False,
                        note: str | None = None) -> ClientChange:
    """Create a client; an existing id raises ClientExists unless `replace_existing` (then every field is replaced)."""
    wanted = validated_client(client)

    async def work(conn: Executor) -> ClientChange:
        await _check_parent(conn, wanted)
        existing = await get_client_for_update(conn, wanted.id)
        if existing is not None and not replace_existing:
            raise ClientExists(wanted.id)
        if existing is None:
            stored = await insert_client(conn, wanted)
            if stored is None:  # created by someone else a moment ago
                raise ClientExists(wanted.id)
        else:
            stored = await upsert_client(conn, wanted)
        change = ClientChange(existing, stored)
        await _audit(conn, actor, change, "client.create" if existing is None else "client.replace", note)
        return change

    return await _in_transaction(db, work)


async def change_client(db: Executor, actor: Actor, client_id: str, edit: Callable[[Client], Client], *,
                        action: str = "client.update", note: str | None = None) -> ClientChange:
    """Apply `edit` to the stored client (read and written under a row lock) and audit what changed."""

    async def work(conn: Executor) -> ClientChange:
        current = await get_client_for_update(conn, client_id)
        if current is None:
            raise ClientNotFound(client_id.strip().upper())
        wanted = validated_client(edit(replace(current, group_ids=list(current.group_ids),
                                               super_phones=list(current.super_phones))))
        if wanted.id != current.id:
            raise ValueError("id: id client tidak dapat diubah")
        await _check_parent(conn, wanted)
        stored = await upsert_client(conn, wanted) if wanted != current else current
        change = ClientChange(current, stored)
        await _audit(conn, actor, change, action, note)
        return change

    return await _in_transaction(db, work)


async def add_task_group(db: Executor, actor: Actor, client_id: str, group_id: str) -> ClientChange:
    """Make a WhatsApp group one of the client's task groups (task lists and change messages go there)."""
    gid = normalize_group_id(group_id)
    return await change_client(db, actor, client_id, lambda c: replace(c, group_ids=[*c.group_ids, gid]),
                               action="client.group_add")


async def remove_task_group(db: Executor, actor: Actor, client_id: str, group_id: str) -> ClientChange:
    gid = normalize_group_id(group_id)
    return await change_client(db, actor, client_id,
                               lambda c: replace(c, group_ids=[g for g in c.group_ids if g != gid]),
                               action="client.group_remove")


async def set_client_active(db: Executor, actor: Actor, client_id: str, active: bool) -> ClientChange:
    return await change_client(db, actor, client_id, lambda c: replace(c, active=active),
                               action="client.activate" if active else "client.deactivate")
