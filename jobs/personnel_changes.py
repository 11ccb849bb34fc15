"""The one write path for personnel rows: every create, edit, move, (de)activation and exception change.

Every channel — the sheet import, the CLI, the HTTP API, WhatsApp (operators,
admins, personnel fixing their own username) — builds the new `Personnel`
rows and calls `save_personnel(conn, actor, people, action=…)` inside its own
transaction. It writes the rows and one audit row per person that changed
(only the changed fields, `db/audit.py`), in that transaction, so a change is
never half-recorded. Anything else that must follow a personnel change (the
attendance ledger: usernames, client, active and exception flags decide
attendance) belongs here too, so no channel can forget it.

Validation of the values (formats, size limits, scope) is the caller's job
before it builds the rows; this module refuses only what would corrupt the
table (an empty NRP or name, an unknown client is refused by the foreign key).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import asyncpg

from db import attendance_ledger
from db.audit import Actor, record_change
from db.personnel import Personnel, personnel_by_nrps, rename_nrp, upsert_personnel
from db.pool import Executor

AUDITED_FIELDS = ("name", "rank", "division", "position", "instagram", "tiktok", "whatsapp", "client_id",
                  "active", "exception", "roles")
ATTENDANCE_FIELDS = ("instagram", "tiktok", "client_id", "active", "exception")
LEDGER_FIELDS = ("instagram", "tiktok")   # what the attendance ledger matches on; the other flags apply on read


@dataclass(frozen=True)
class PersonnelChange:
    before: Personnel | None      # None: the person was created
    after: Personnel

    @property
    def created(self) -> bool:
        return self.before is None

    @property
    def changed_fields(self) -> tuple[str, ...]:
        if self.before is None:
            return AUDITED_FIELDS
        return tuple(f for f in AUDITED_FIELDS if getattr(self.before, f) != getattr(self.after, f))

    @property
    def changes_ledger(self) -> bool:
        """Whether the person's attendance ledger marks must be recomputed (created, or a username changed)."""
        return any(f in LEDGER_FIELDS for f in self.changed_fields)

    @property
    def changes_attendance(self) -> bool:
        """Whether attendance figures can differ after this change (username, client, active, exception)."""
        return any(f in ATTENDANCE_FIELDS for f in self.changed_fields)


def _audited(person: Personnel | None) -> dict | None:
    if person is None:
        return None
    values = asdict(person)
    return {f: values[f] for f in AUDITED_FIELDS}


async def save_personnel(conn: Executor, actor: Actor, people: list[Personnel], *, action: str,
                         note: str | None = None) -> list[PersonnelChange]:
    """Write `people` (full rows), audit every real change; returns the changes (unchanged rows left out).

    On a connection, call it inside the caller's transaction; given the pool, it opens one itself.
    Either way the rows and their audit rows commit together.
    """
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as c, c.transaction():
            return await save_personnel(c, actor, people, action=action, note=note)
    for p in people:
        if not p.nrp or not p.name:
            raise ValueError("personnel rows need an NRP and a name")
    stored = await personnel_by_nrps(conn, [p.nrp for p in people])
    changes = [PersonnelChange(stored.get(p.nrp), p) for p in people if stored.get(p.nrp) != p]
    if not changes:
        return []
    await upsert_personnel(conn, [c.after for c in changes])
    await attendance_ledger.refresh_people(conn, [c.after.nrp for c in changes if c.changes_ledger])
    for change in changes:
        await record_change(conn, actor, action="personnel.create" if change.created else action,
                            entity="personnel", entity_id=change.after.nrp, client_id=change.after.client_id,
                            before=_audited(change.before), after=_audited(change.after), note=note)
    return changes


class NrpTaken(ValueError):
    """The new NRP already belongs to someone."""


async def rename_personnel(conn: Executor, actor: Actor, old: str, new: str, *, note: str | None = None) -> bool:
    """Change a person's NRP everywhere it is referenced (the attendance ledger, exception requests and every
    other table with a foreign key to personnel follow), audited in the same transaction.

    False when `old` does not exist; `NrpTaken` when `new` is someone else's. On a connection, call it
    inside the caller's transaction (with the field edits that go with it); given the pool it opens one.
    """
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as c, c.transaction():
            return await rename_personnel(c, actor, old, new, note=note)
    if old == new:
        return await personnel_by_nrps(conn, [old]) != {}
    if await personnel_by_nrps(conn, [new]):
        raise NrpTaken(f"NRP {new} sudah dipakai personel lain")
    person = (await personnel_by_nrps(conn, [old])).get(old)
    if person is None or not await rename_nrp(conn, old, new):
        return False
    await record_change(conn, actor, action="personnel.rename", entity="personnel", entity_id=new,
                        client_id=person.client_id, before={"nrp": old}, after={"nrp": new}, note=note)
    return True
