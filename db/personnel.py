"""Queries for `personnel`: the officers tasked to like and comment."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from db.pool import Executor


@dataclass
class Personnel:
    nrp: str
    name: str
    client_id: str
    rank: str | None = None
    division: str | None = None
    position: str | None = None
    instagram: str | None = None
    tiktok: str | None = None
    whatsapp: str | None = None
    active: bool = True
    exception: bool = False
    roles: list[str] = field(default_factory=list)


PERSONNEL_COLUMNS = [f.name for f in fields(Personnel)]

# Every person of an org (Polres) client carries `operator`, as in the original (which gave it to every
# org user): it is implied by the client, never stored, and cannot be taken away from them.
OPERATOR_ROLE = "operator"


def effective_roles(stored: list[str] | tuple[str, ...], client_type: str) -> list[str]:
    """The roles a person holds: the stored ones, plus `operator` for a person of an org client."""
    implied = {OPERATOR_ROLE} if client_type == "org" else set()
    return sorted(set(stored) | implied)


def personnel_from_row(row) -> Personnel:
    return Personnel(**{c: row[c] for c in PERSONNEL_COLUMNS})


async def upsert_personnel(db: Executor, people: list[Personnel]) -> None:
    """Insert or fully replace the given rows in one batch (callers merge first)."""
    if not people:
        return
    cols = PERSONNEL_COLUMNS
    await db.executemany(
        f"""
        INSERT INTO personnel ({", ".join(cols)})
        VALUES ({", ".join(f"${i + 1}" for i in range(len(cols)))})
        ON CONFLICT (nrp) DO UPDATE SET
            {", ".join(f"{c} = EXCLUDED.{c}" for c in cols[1:])},
            updated_at = now()
        """,
        [tuple(getattr(p, c) for c in cols) for p in people],
    )


async def personnel_by_nrps(db: Executor, nrps: list[str]) -> dict[str, Personnel]:
    rows = await db.fetch("SELECT * FROM personnel WHERE nrp = ANY($1::text[])", nrps)
    return {r["nrp"]: personnel_from_row(r) for r in rows}


async def get_personnel(db: Executor, nrp: str) -> Personnel | None:
    row = await db.fetchrow("SELECT * FROM personnel WHERE nrp = $1", nrp)
    return personnel_from_row(row) if row else None


async def personnel_of_client(db: Executor, client_id: str, *, active_only: bool = True) -> list[Personnel]:
    rows = await db.fetch(
        "SELECT * FROM personnel WHERE client_id = $1 AND ($2::bool IS FALSE OR active) ORDER BY name, nrp",
        client_id,
        active_only,
    )
    return [personnel_from_row(r) for r in rows]


async def refresh_statistics(db: Executor) -> None:
    """ANALYZE personnel after a bulk import (see db.engagements.refresh_statistics), and merge the rows just
    written into the roles index: a GIN index keeps new entries in a pending list that every lookup scans
    in full until (auto)vacuum merges it, which made a directorate's population lookup several times slower
    right after an import."""
    await db.execute("ANALYZE personnel")
    await db.execute("SELECT gin_clean_pending_list('personnel_roles_idx')")


async def personnel_with_irregular_nrp(db: Executor, *, length: int, client_id: str | None = None) -> list[Personnel]:
    """Active rows whose NRP is not plain ASCII digits of at least `length` (stored before the digit rules)."""
    rows = await db.fetch(
        """SELECT * FROM personnel
           WHERE active AND (nrp !~ '^[0-9]+$' OR length(nrp) < $1) AND ($2::text IS NULL OR client_id = $2)
           ORDER BY nrp""",
        length, client_id,
    )
    return [personnel_from_row(r) for r in rows]


async def rename_nrp(db: Executor, old: str, new: str) -> bool:
    """Give person `old` the NRP `new`; every table that references personnel follows (ON UPDATE CASCADE).
    False when `old` does not exist; asyncpg.UniqueViolationError when `new` is taken."""
    return bool(await db.fetchval(
        "UPDATE personnel SET nrp = $2, updated_at = now() WHERE nrp = $1 RETURNING true", old, new))
