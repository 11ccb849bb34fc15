"""What an admin (or a client's super-admin) changes about one person, and deciding exception requests.

Each function reads the person and writes through `save_personnel` in one
transaction, so the row and its audit row commit together; deciding a request
records the decision (`db.exception_requests.decide`) in that same
transaction. Scope (who may change which client) is the caller's check
(`handlers.identity.Identity.may_manage`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

import asyncpg

from core.formats import FormatError, normalize_phone
from db.audit import Actor, record_change
from db.clients import get_client
from db.exception_requests import ExceptionRequest, decide
from db.personnel import Personnel, personnel_from_row
from db.pool import Executor
from jobs.outbox import enqueue
from jobs.personnel_changes import PersonnelChange, save_personnel


class PersonnelNotFound(Exception):
    def __init__(self, nrp: str):
        super().__init__(f"personel dengan NRP {nrp} tidak ditemukan")
        self.nrp = nrp


@dataclass(frozen=True)
class Decision:
    request: ExceptionRequest
    change: PersonnelChange | None     # None when refused, or when the flag already had that value


async def _person_for_update(conn: Executor, nrp: str) -> Personnel:
    row = await conn.fetchrow("SELECT * FROM personnel WHERE nrp = $1 FOR UPDATE", nrp)
    if row is None:
        raise PersonnelNotFound(nrp)
    return personnel_from_row(row)


async def _edit(pool: asyncpg.Pool, actor: Actor, nrp: str, edit: Callable[[Personnel], Personnel], *,
                action: str, note: str | None = None) -> PersonnelChange | None:
    async with pool.acquire() as conn, conn.transaction():
        person = await _person_for_update(conn, nrp)
        changes = await save_personnel(conn, actor, [edit(person)], action=action, note=note)
    return changes[0] if changes else None


async def set_exception(pool: asyncpg.Pool, actor: Actor, nrp: str, exception: bool, *,
                        reason: str) -> PersonnelChange | None:
    """Mark (or unmark) a person as exception, with the reason in the audit row; None when already so."""
    return await _edit(pool, actor, nrp, lambda p: replace(p, exception=exception), action="personnel.exception",
                       note=reason)


async def set_personnel_active(pool: asyncpg.Pool, actor: Actor, nrp: str, active: bool, *,
                               reason: str | None = None) -> PersonnelChange | None:
    return await _edit(pool, actor, nrp, lambda p: replace(p, active=active),
                       action="personnel.activate" if active else "personnel.deactivate", note=reason)


async def move_personnel(pool: asyncpg.Pool, actor: Actor, nrp: str, client_id: str) -> PersonnelChange | None:
    """Move a person to another (existing) client; None when they are there already."""
    target = await get_client(pool, client_id)
    if target is None:
        raise ValueError(f"client {client_id.strip().upper()} tidak ditemukan")
    return await _edit(pool, actor, nrp, lambda p: replace(p, client_id=target.id), action="personnel.move")


async def decide_exception_request(pool: asyncpg.Pool, actor: Actor, request_id: int, *, approved: bool,
                                   at: datetime) -> Decision | None:
    """Approve (apply the flag) or refuse an open request; None when it is unknown or already decided."""
    async with pool.acquire() as conn, conn.transaction():
        request = await decide(conn, request_id, approved=approved, decided_by=actor.name, at=at)
        if request is None:
            return None
        await record_change(conn, actor, action="exception_request." + ("approve" if approved else "refuse"),
                            entity="exception_request", entity_id=str(request.id), client_id=request.client_id,
                            before={"decision": None}, after={"decision": request.decision},
                            note=f"{request.nrp}: {'tandai' if request.exception else 'hapus'} pengecualian")
        change = None
        person = await _person_for_update(conn, request.nrp)
        if approved:
            changes = await save_personnel(conn, actor, [replace(person, exception=request.exception)],
                                           action="personnel.exception",
                                           note=f"permintaan #{request.id} dari {request.requested_by}: {request.reason}")
            change = changes[0] if changes else None
        await _tell_requester(conn, request, person, at)
    return Decision(request, change)


async def _tell_requester(conn: Executor, request: ExceptionRequest, person: Personnel, at: datetime) -> None:
    """The operator who asked learns the decision (through the outbox: durable, sent once)."""
    try:
        recipient = normalize_phone(request.requested_by)
    except FormatError:  # asked from the dashboard: no WhatsApp number to tell
        return
    what = "tandai sebagai pengecualian" if request.exception else "hapus dari pengecualian"
    verdict = "✅ *disetujui*" if request.decision == "approved" else "❌ *ditolak*"
    body = f"Permintaan {what} untuk {person.name} (NRP {person.nrp}) {verdict} oleh admin."
    await enqueue(conn, recipient=recipient, kind="exception_decision", body=body, client_id=request.client_id,
                  idempotency_key=f"exception_request:{request.id}:decision", now=at)
