"""Bulk personnel import: validate sheet rows, merge with what is stored, write in one batch.

Rules (better than the original): a blank optional cell never wipes a stored
username or number; the exception flag and roles survive a re-import; every row
gets an outcome (created, updated, unchanged, rejected) with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.formats import (
    DEFAULT_NRP_LENGTH, FormatError, clean_personnel_text, normalize_nrp, normalize_phone, normalize_username,
)
from db.audit import Actor
from db.personnel import Personnel, personnel_by_nrps
from jobs.personnel_changes import save_personnel
from db.pool import Executor
from jobs.sources.sheet import SheetError, SheetRows

REQUIRED_COLUMNS = ("user_id", "nama")
KNOWN_COLUMNS = ("user_id", "nama", "title", "divisi", "jabatan", "whatsapp", "insta", "tiktok")
_HEADER_ALIASES = {
    "nrp": "user_id", "nip": "user_id", "name": "nama", "pangkat": "title", "rank": "title",
    "satfung": "divisi", "division": "divisi", "position": "jabatan", "wa": "whatsapp",
    "no_wa": "whatsapp", "instagram": "insta", "ig": "insta",
}


@dataclass(frozen=True)
class RowOutcome:
    line: int
    nrp: str
    name: str
    outcome: str  # created | updated | unchanged | rejected
    reason: str = ""


@dataclass
class ImportReport:
    client_id: str
    dry_run: bool
    outcomes: list[RowOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def rejected(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.outcome == "rejected"]

    def totals(self) -> dict[str, int]:
        return {k: self.count(k) for k in ("created", "updated", "unchanged", "rejected")}


def header_map(headers: list[str]) -> dict[str, str]:
    """Map sheet headers to canonical column names; unknown headers are ignored."""
    mapping = {}
    for h in headers:
        key = h.strip().lower().replace(" ", "_")
        key = _HEADER_ALIASES.get(key, key)
        if key in KNOWN_COLUMNS and key not in mapping.values():
            mapping[h] = key
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        raise SheetError(
            f"kolom wajib tidak ada: {', '.join(missing)} (header yang ditemukan: {', '.join(h for h in headers if h) or '-'})"
        )
    return mapping


def parse_row(line: int, cells: dict[str, str], client_id: str, *, nrp_length: int = DEFAULT_NRP_LENGTH) -> Personnel:
    """One sheet row as a Personnel (optional blanks as None); raises FormatError.

    Text cells are held to the same limits as the API (`core.formats.PERSONNEL_TEXT_LIMITS`,
    no formula prefix); a name that spans lines is refused, since in a CSV it is
    usually an unclosed quote that swallowed the rows after it.
    """
    if cells.get("user_id", "").strip().lower() in ("user_id", "nrp") or cells.get("nama", "").strip().lower() == "nama":
        raise FormatError("baris header berulang")
    nrp = normalize_nrp(cells.get("user_id") or None, length=nrp_length)
    if "\n" in cells.get("nama", "") or "\r" in cells.get("nama", ""):
        raise FormatError("nama berisi pindah baris (tanda kutip yang tidak ditutup?)")
    name = clean_personnel_text("name", cells.get("nama"))
    if not name:
        raise FormatError("nama kosong")
    wa = cells.get("whatsapp", "").strip()
    return Personnel(
        nrp=nrp,
        name=name,
        client_id=client_id,
        rank=clean_personnel_text("rank", cells.get("title")),
        division=clean_personnel_text("division", cells.get("divisi")),
        position=clean_personnel_text("position", cells.get("jabatan")),
        instagram=normalize_username(cells.get("insta") or None),
        tiktok=normalize_username(cells.get("tiktok") or None),
        whatsapp=normalize_phone(wa) if wa else None,
    )


def _shown(cell: str, limit: int = 60) -> str:
    """A rejected cell as the report shows it: one line, at most `limit` characters."""
    text = " ".join(cell.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def merge(stored: Personnel | None, incoming: Personnel) -> Personnel:
    """Sheet values win where present; blanks keep what is stored; flags and roles are kept."""
    if stored is None:
        return incoming
    keep = {}
    for name in ("rank", "division", "position", "instagram", "tiktok", "whatsapp"):
        value = getattr(incoming, name)
        keep[name] = value if value is not None else getattr(stored, name)
    return replace(
        stored, name=incoming.name, client_id=incoming.client_id, active=True, **keep
    )


async def import_personnel(db: Executor, client_id: str, sheet: SheetRows, *, actor: Actor,
                           dry_run: bool = False, nrp_length: int = DEFAULT_NRP_LENGTH) -> ImportReport:
    """Validate every row, merge with stored personnel, and (unless dry run) write in one batch."""
    mapping = header_map(sheet.headers)
    report = ImportReport(client_id=client_id, dry_run=dry_run)
    parsed: list[tuple[int, Personnel]] = []
    seen: dict[str, int] = {}
    for line, raw in sheet.rows:
        cells = {mapping[h]: v for h, v in raw.items() if h in mapping}
        try:
            person = parse_row(line, cells, client_id, nrp_length=nrp_length)
        except FormatError as exc:
            report.outcomes.append(RowOutcome(line, _shown(cells.get("user_id", "")), _shown(cells.get("nama", "")),
                                              "rejected", str(exc)))
            continue
        if person.nrp in seen:
            report.outcomes.append(
                RowOutcome(line, person.nrp, person.name, "rejected", f"NRP ganda (sudah ada di baris {seen[person.nrp]})")
            )
            continue
        seen[person.nrp] = line
        parsed.append((line, person))

    stored = await personnel_by_nrps(db, [p.nrp for _, p in parsed])
    to_write: list[Personnel] = []
    for line, incoming in parsed:
        before = stored.get(incoming.nrp)
        after = merge(before, incoming)
        if before is None:
            report.outcomes.append(RowOutcome(line, after.nrp, after.name, "created"))
            to_write.append(after)
        elif after == before:
            report.outcomes.append(RowOutcome(line, after.nrp, after.name, "unchanged"))
        else:
            moved = f"pindah dari {before.client_id}" if before.client_id != after.client_id else ""
            changed = [f for f in ("name", "rank", "division", "position", "instagram", "tiktok", "whatsapp", "active")
                       if getattr(before, f) != getattr(after, f)]
            reason = ", ".join(filter(None, [moved, ("ubah: " + ", ".join(changed)) if changed else ""]))
            report.outcomes.append(RowOutcome(line, after.nrp, after.name, "updated", reason))
            to_write.append(after)
    report.outcomes.sort(key=lambda o: o.line)
    if not dry_run and to_write:
        await save_personnel(db, actor, to_write, action="personnel.import", note=f"import {client_id}")
    return report
