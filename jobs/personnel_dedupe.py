"""`cicero users dedupe`: find and merge personnel stored under two spellings of one NRP.

Before the digit rules (`core.formats.normalize_nrp`), an NRP typed with
fullwidth or Arabic-Indic digits, or one that lost its leading zero in a
spreadsheet, was stored beside the real one. Each such row is grouped with the
row of its normalised NRP (if there is one). Merging, through `save_personnel`
(audited, one transaction): the row under the normalised NRP keeps its values
and takes what it lacks from the others (usernames, number, rank…; `active`
and `exception` if any row has them; the union of roles); it is created when
only the irregular spelling existed. The irregular rows are deactivated, never
deleted, so the audit trail and any reference to them stay (and a second run
finds nothing: only active irregular rows are looked at). Rows of different
clients are not merged: they are reported for a person to decide.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.formats import FormatError, normalize_nrp
from db.audit import Actor
from db.personnel import Personnel, personnel_by_nrps, personnel_with_irregular_nrp
from db.pool import Executor
from jobs.personnel_changes import save_personnel

FILLED_FIELDS = ("rank", "division", "position", "instagram", "tiktok", "whatsapp")


@dataclass(frozen=True)
class DuplicateGroup:
    nrp: str                          # the normalised NRP
    rows: tuple[Personnel, ...]       # the row under `nrp` first (when it exists), then the irregular ones
    problem: str = ""                 # why it cannot be merged automatically ("" = mergeable)

    @property
    def irregular(self) -> tuple[Personnel, ...]:
        return tuple(p for p in self.rows if p.nrp != self.nrp)

    def merged(self) -> Personnel:
        """The row under the normalised NRP after the merge."""
        keeper = self.rows[0]
        values = {f: next((getattr(p, f) for p in self.rows if getattr(p, f)), None) for f in FILLED_FIELDS}
        return replace(keeper, nrp=self.nrp, active=any(p.active for p in self.rows),
                       exception=any(p.exception for p in self.rows),
                       roles=sorted({r for p in self.rows for r in p.roles}), **values)


async def find_duplicates(db: Executor, *, nrp_length: int, client_id: str | None = None) -> list[DuplicateGroup]:
    """Every group of rows that one normalised NRP stands for, with rows stored under another spelling."""
    irregular = await personnel_with_irregular_nrp(db, length=nrp_length, client_id=client_id)
    by_nrp: dict[str, list[Personnel]] = {}
    unreadable: list[DuplicateGroup] = []
    for person in irregular:
        try:
            by_nrp.setdefault(normalize_nrp(person.nrp, length=nrp_length), []).append(person)
        except FormatError as exc:
            unreadable.append(DuplicateGroup(person.nrp, (person,), f"NRP tidak dapat dinormalkan: {exc}"))
    regular = await personnel_by_nrps(db, list(by_nrp))
    groups = []
    for nrp, others in sorted(by_nrp.items()):
        if all(p.nrp == nrp for p in others):
            continue  # the irregular spelling is already the normalised one (nrp_length 0, …)
        rows = ([regular[nrp]] if nrp in regular else []) + [p for p in others if p.nrp != nrp]
        clients = sorted({p.client_id for p in rows})
        problem = f"client berbeda ({', '.join(clients)}): periksa dan gabungkan manual" if len(clients) > 1 else ""
        groups.append(DuplicateGroup(nrp, tuple(rows), problem))
    return groups + unreadable


async def merge_duplicates(db: Executor, actor: Actor, groups: list[DuplicateGroup]) -> int:
    """Merge every mergeable group (each in its own transaction); returns how many were merged."""
    merged = 0
    for group in groups:
        if group.problem:
            continue
        retired = [replace(p, active=False) for p in group.irregular]
        await save_personnel(db, actor, [group.merged(), *retired], action="personnel.dedupe",
                             note=f"dedupe: {', '.join(p.nrp for p in group.irregular)} → {group.nrp}")
        merged += 1
    return merged
