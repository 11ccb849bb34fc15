"""Data-completeness reports (dirrequest options 1 and 3): who has filled in IG/TikTok usernames."""

from __future__ import annotations

from dataclasses import dataclass

from db.attendance import ProfileRow, personnel_profiles
from db.clients import Client, satker_of_directorate
from db.pool import Executor
from handlers.reports.attendance import Scope, default_scope
from handlers.reports.sorting import division_name, division_sort_key, person_sort_key, satker_sort_key


@dataclass(frozen=True)
class ProfileEntry:
    nrp: str
    name: str
    rank: str | None
    division: str
    position: str | None
    client_id: str
    instagram: str | None
    tiktok: str | None

    @property
    def display_name(self) -> str:
        return f"{self.rank} {self.name}".strip() if self.rank else self.name

    @property
    def complete(self) -> bool:
        return bool(self.instagram) and bool(self.tiktok)


@dataclass(frozen=True)
class CompletenessCount:
    total: int = 0
    instagram_filled: int = 0
    tiktok_filled: int = 0

    @property
    def instagram_missing(self) -> int:
        return self.total - self.instagram_filled

    @property
    def tiktok_missing(self) -> int:
        return self.total - self.tiktok_filled

    @classmethod
    def of(cls, people: list[ProfileEntry]) -> "CompletenessCount":
        return cls(len(people), sum(bool(p.instagram) for p in people), sum(bool(p.tiktok) for p in people))


@dataclass(frozen=True)
class SatkerCompleteness:
    client_id: str
    name: str
    is_directorate: bool
    count: CompletenessCount


@dataclass(frozen=True)
class DivisionMissing:
    name: str
    people: list[ProfileEntry]      # only people missing IG and/or TikTok


@dataclass(frozen=True)
class CompletenessReport:
    client: Client
    scope: Scope
    total: CompletenessCount
    satkers: list[SatkerCompleteness]        # with personnel, directorate first then by name
    satkers_without_data: list[str]          # satker names without any personnel
    missing_by_division: list[DivisionMissing]

    @property
    def missing_count(self) -> int:
        return sum(len(d.people) for d in self.missing_by_division)


def _entry(r: ProfileRow) -> ProfileEntry:
    return ProfileEntry(r.nrp, r.name, r.rank, division_name(r.division), r.position, r.client_id,
                        r.instagram, r.tiktok)


async def build_completeness(db: Executor, client: Client, *, scope: Scope | None = None) -> CompletenessReport:
    scope = scope or default_scope(client)
    role = client.role_name if scope is Scope.DIRECTORATE else None
    rows = await personnel_profiles(db, client_ids=[client.id], role=role)
    satker_clients = await satker_of_directorate(db, client) if scope is Scope.DIRECTORATE else []

    names = {client.id: (client.name, client.is_directorate)}
    for c in satker_clients:
        names.setdefault(c.id, (c.name, c.is_directorate))
    by_client: dict[str, list[ProfileEntry]] = {cid: [] for cid in names}
    entries = []
    for r in rows:
        names.setdefault(r.client_id, (r.client_name, r.client_type == "direktorat"))
        e = _entry(r)
        entries.append(e)
        by_client.setdefault(r.client_id, []).append(e)

    order = sorted(by_client, key=lambda c: satker_sort_key(names[c][1], names[c][0]))
    satkers = [SatkerCompleteness(c, names[c][0], names[c][1], CompletenessCount.of(by_client[c]))
               for c in order if by_client[c]]
    without = [names[c][0] for c in order if not by_client[c]]

    missing: dict[str, list[ProfileEntry]] = {}
    for e in entries:
        if not e.complete:
            missing.setdefault(e.division, []).append(e)
    divisions = [
        DivisionMissing(d, sorted(missing[d], key=lambda p: person_sort_key(p.position, p.rank, p.name, p.nrp)))
        for d in sorted(missing, key=division_sort_key)
    ]
    return CompletenessReport(client, scope, CompletenessCount.of(entries), satkers, without, divisions)
