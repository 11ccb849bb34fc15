"""Data-completeness reports (dirrequest options 1 and 3): who has filled in IG/TikTok usernames.

The people counted and "username filled" are those of the attendance
definitions (`db.attendance.Population`, the same username normalisation), so
"Belum mengisi username Instagram" here equals the attendance reports' figure.
Order: the directorate first, then satker (and divisions) by their share of
people with both usernames (`definitions.performance_key`); persons by `person_order`.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.attendance import ProfileRow, client_names, personnel_profiles, satker_of
from db.clients import Client
from db.pool import Executor
from handlers.reports.attendance import (
    NO_DIVISION, Platform, Scope, default_scope, division_name, performance_key, person_order, population, share,
    unit_order,
)


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

    def username(self, platform: Platform) -> str | None:
        return self.instagram if platform is Platform.INSTAGRAM else self.tiktok


@dataclass(frozen=True)
class CompletenessCount:
    personnel: int = 0
    instagram_filled: int = 0
    tiktok_filled: int = 0
    complete: int = 0               # both usernames

    def username_filled(self, platform: Platform) -> int:
        return self.instagram_filled if platform is Platform.INSTAGRAM else self.tiktok_filled

    def tanpa_username(self, platform: Platform) -> int:
        return self.personnel - self.username_filled(platform)

    @property
    def complete_share(self) -> float | None:
        return share(self.complete, self.personnel)

    @classmethod
    def of(cls, people: list[ProfileEntry]) -> "CompletenessCount":
        return cls(len(people), sum(bool(p.instagram) for p in people), sum(bool(p.tiktok) for p in people),
                   sum(p.complete for p in people))


def _performance(name: str, count: CompletenessCount) -> tuple:
    return performance_key(count.complete_share, count.complete, count.personnel, name)


@dataclass(frozen=True)
class SatkerCompleteness:
    client_id: str
    name: str
    is_directorate: bool
    count: CompletenessCount


@dataclass(frozen=True)
class DivisionMissing:
    name: str
    count: CompletenessCount        # everyone of the division
    people: list[ProfileEntry]      # only people missing IG and/or TikTok


@dataclass(frozen=True)
class CompletenessReport:
    client: Client
    scope: Scope
    total: CompletenessCount
    satkers: list[SatkerCompleteness]        # with personnel: the directorate first, then by performance
    satkers_without_data: list[str]          # satker names without any personnel
    missing_by_division: list[DivisionMissing]

    @property
    def missing_count(self) -> int:
        return sum(len(d.people) for d in self.missing_by_division)


def _entry(r: ProfileRow) -> ProfileEntry:
    return ProfileEntry(r.nrp, r.name, r.rank, division_name(r.division), r.position, r.client_id,
                        r.instagram, r.tiktok)


def _missing_by_division(entries: list[ProfileEntry]) -> list[DivisionMissing]:
    groups: dict[str, list[ProfileEntry]] = {}
    for e in entries:
        groups.setdefault(e.division, []).append(e)
    cache: dict = {}
    divisions = [
        DivisionMissing(name, CompletenessCount.of(members),
                        sorted((p for p in members if not p.complete),
                               key=lambda p: person_order(p.position, p.rank, p.name, p.nrp, cache)))
        for name, members in groups.items()
    ]
    return unit_order([d for d in divisions if d.people], lambda d: _performance(d.name, d.count),
                      last=lambda d: d.name == NO_DIVISION)


async def build_completeness(db: Executor, client: Client, *, scope: Scope | None = None) -> CompletenessReport:
    scope = scope or default_scope(client)
    rows = await personnel_profiles(db, population(client, scope))
    satker = satker_of(await client_names(db), client.id) if scope is Scope.DIRECTORATE else []

    names = {client.id: (client.name, client.is_directorate)}
    for c in satker:
        names.setdefault(c.id, (c.name, c.is_directorate))
    by_client: dict[str, list[ProfileEntry]] = {cid: [] for cid in names}
    entries = []
    for r in rows:
        names.setdefault(r.client_id, (r.client_name, r.client_type == "direktorat"))
        e = _entry(r)
        entries.append(e)
        by_client.setdefault(r.client_id, []).append(e)

    filled = [SatkerCompleteness(c, names[c][0], names[c][1], CompletenessCount.of(people))
              for c, people in by_client.items() if people]
    satkers = unit_order(filled, lambda s: _performance(s.name, s.count), first=lambda s: s.client_id == client.id)
    without = sorted(names[c][0] for c, people in by_client.items() if not people)
    return CompletenessReport(client, scope, CompletenessCount.of(entries), satkers, without,
                              _missing_by_division(entries))
