"""The one attendance engine: who did their likes/comments tasks in a period, per person, division and satker.

    period = Period.today(clock.now())
    report = await build_attendance(db, client, period, Platform.INSTAGRAM,
                                    rules=AttendanceRules.from_settings(settings.attendance))
    report.tally.lengkap, report.satkers[0].divisions[0].people[0].category, ...

Figures, categories and order are those of `definitions.py`. Scope:
`Scope.CLIENT` = the client's own personnel; `Scope.DIRECTORATE` (default for a
directorate client) = those plus every person carrying the directorate's role
(`Client.role_name`) in any satker, grouped per satker (the satker list also
includes the directorate's children without personnel). The tasks are always
the client's own (`client_posts`); who did them is read from the attendance
ledger, so a recap costs two indexed reads whatever the engagement volume.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

import asyncpg

from core.clock import JAKARTA
from db.attendance import PersonTaskRow, Population, PostRow, person_tasks, tasks_in_period
from db.clients import Client, satker_of_directorate
from db.pool import Executor
from handlers.reports.attendance.definitions import (
    NO_DIVISION, AttendanceRules, Category, Platform, Tally, division_name, performance_key, person_done,
    person_order, share, unit_order,
)
from handlers.reports.attendance.periods import Period


class Scope(str, Enum):
    CLIENT = "client"
    DIRECTORATE = "directorate"


def default_scope(client: Client) -> Scope:
    return Scope.DIRECTORATE if client.is_directorate else Scope.CLIENT


def population(client: Client, scope: Scope, regional_id: str | None = None) -> Population:
    """The people a report of `client` in `scope` counts (`regional_id`: only personnel of that region's clients)."""
    return Population(client_ids=(client.id,), role=client.role_name if scope is Scope.DIRECTORATE else None,
                      regional_id=regional_id)


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class PostRef:
    platform: Platform
    post_id: str
    client_id: str
    posted_at: datetime
    caption: str | None
    url: str
    like_count: int
    comment_count: int
    engagement_count: int | None = None   # engagement rows held; filled only by the manual-fetch reply


@dataclass(slots=True)
class PersonAttendance:
    """One person on one platform. Read-only by convention (a slotted, non-frozen dataclass: built by the
    thousand per report, and a frozen one costs five times as much to create)."""

    nrp: str
    name: str
    rank: str | None
    division: str
    position: str | None
    client_id: str
    client_name: str
    username: str | None
    exception: bool
    tasks: int
    done: int
    category: Category
    done_post_ids: frozenset[str] | None = None   # only when built with `with_post_ids=True`
    sort_key: tuple = field(default=(), compare=False, repr=False)   # definitions.person_order

    @property
    def display_name(self) -> str:
        return f"{self.rank} {self.name}".strip() if self.rank else self.name

    @property
    def percent(self) -> float | None:
        return share(self.done, self.tasks)

    @property
    def missing(self) -> int:
        return self.tasks - self.done


@dataclass(frozen=True)
class DivisionAttendance:
    name: str
    people: list[PersonAttendance]
    tally: Tally

    def of_category(self, category: Category) -> list[PersonAttendance]:
        return [p for p in self.people if p.category is category]


@dataclass(frozen=True)
class SatkerAttendance:
    client_id: str
    name: str
    is_directorate: bool
    divisions: list[DivisionAttendance]
    tally: Tally

    @property
    def people(self) -> list[PersonAttendance]:
        return [p for d in self.divisions for p in d.people]


@dataclass(frozen=True)
class AttendanceReport:
    client: Client
    platform: Platform
    period: Period
    scope: Scope
    rules: AttendanceRules
    posts: list[PostRef]
    people: list[PersonAttendance]          # in satker order, then division order, then person order
    satkers: list[SatkerAttendance]         # the directorate first, then by performance
    divisions: list[DivisionAttendance]     # all people grouped by division only, by performance
    tally: Tally

    @property
    def task_count(self) -> int:
        return len(self.posts)

    @property
    def has_tasks(self) -> bool:
        return bool(self.posts)

    def of_category(self, category: Category) -> list[PersonAttendance]:
        return [p for p in self.people if p.category is category]


# --------------------------------------------------------------------------- building

def post_url(platform: Platform, post_id: str, account: str | None) -> str:
    if platform is Platform.INSTAGRAM:
        return f"https://www.instagram.com/p/{post_id}/"
    return f"https://www.tiktok.com/@{account or 'tiktok'}/video/{post_id}"


def _post_refs(platform: Platform, rows: list[PostRow], client: Client) -> list[PostRef]:
    account = client.instagram if platform is Platform.INSTAGRAM else client.tiktok
    return [PostRef(platform, r.post_id, r.client_id, r.posted_at, r.caption, post_url(platform, r.post_id, account),
                    r.like_count, r.comment_count) for r in rows]


def person_from_row(row: PersonTaskRow, tasks: int, rules: AttendanceRules, all_post_ids: frozenset[str] | None,
                    key_cache: dict) -> PersonAttendance:
    has_username = row.username is not None
    done = person_done(tasks, row.engaged, has_username=has_username, exception=row.exception)
    if all_post_ids is None:
        done_ids = None
    elif not has_username:
        done_ids = frozenset()
    else:
        done_ids = all_post_ids if row.exception else frozenset(row.done_post_ids or ())
    return PersonAttendance(
        row.nrp, row.name, row.rank, division_name(row.division), row.position, row.client_id, row.client_name,
        row.username, row.exception, tasks, done, rules.category(tasks, done, has_username=has_username), done_ids,
        person_order(row.position, row.rank, row.name, row.nrp, key_cache),
    )


def group_divisions(people: list[PersonAttendance]) -> list[DivisionAttendance]:
    groups: dict[str, list[PersonAttendance]] = {}
    for p in people:
        groups.setdefault(p.division, []).append(p)
    divisions = []
    for name, members in groups.items():
        members.sort(key=lambda p: p.sort_key)
        divisions.append(DivisionAttendance(name, members, Tally.of(members)))
    return unit_order(divisions, lambda d: performance_key(d.tally.capaian, d.tally.tasks_done, d.tally.personnel,
                                                           d.name),
                      last=lambda d: d.name == NO_DIVISION)


def order_satkers(satkers: list[SatkerAttendance], directorate_id: str) -> list[SatkerAttendance]:
    return unit_order(satkers, lambda s: performance_key(s.tally.capaian, s.tally.tasks_done, s.tally.personnel,
                                                         s.name),
                      first=lambda s: s.client_id == directorate_id)


def assemble_report(
    client: Client, platform: Platform, period: Period, scope: Scope, rules: AttendanceRules,
    post_rows: list[PostRow], person_rows: list[PersonTaskRow], satker_clients: list[Client], *,
    with_post_ids: bool = False,
) -> AttendanceReport:
    """Pure part of the engine: rows in, categorised, grouped and ordered report out."""
    posts = _post_refs(platform, post_rows, client)
    all_ids = frozenset(p.post_id for p in posts) if with_post_ids else None
    key_cache: dict = {}
    tasks = len(posts)
    names: dict[str, tuple[str, bool]] = {client.id: (client.name, client.is_directorate)}
    for c in satker_clients:
        names.setdefault(c.id, (c.name, c.is_directorate))
    by_client: dict[str, list[PersonAttendance]] = {cid: [] for cid in names}
    for row in person_rows:
        if row.client_id not in names:
            names[row.client_id] = (row.client_name, row.client_type == "direktorat")
        by_client.setdefault(row.client_id, []).append(person_from_row(row, tasks, rules, all_ids, key_cache))
    if scope is Scope.CLIENT:
        by_client = {cid: ps for cid, ps in by_client.items() if ps or cid == client.id}

    satkers = []
    for cid, members in by_client.items():
        divisions = group_divisions(members)
        satkers.append(SatkerAttendance(cid, names[cid][0], names[cid][1], divisions, Tally.of(members)))
    satkers = order_satkers(satkers, client.id)
    ordered = [p for s in satkers for d in s.divisions for p in d.people]
    return AttendanceReport(
        client=client, platform=platform, period=period, scope=scope, rules=rules, posts=posts, people=ordered,
        satkers=satkers, divisions=group_divisions(ordered), tally=sum((s.tally for s in satkers), Tally()),
    )


async def build_attendance(
    db: Executor,
    client: Client,
    period: Period,
    platform: Platform | str,
    *,
    rules: AttendanceRules | None = None,
    scope: Scope | None = None,
    regional_id: str | None = None,
    with_post_ids: bool = False,
    tz=JAKARTA,
) -> AttendanceReport:
    """The attendance of `client`'s personnel (or its directorate role) for `period` on `platform`.

    `with_post_ids=True` fills `PersonAttendance.done_post_ids` (the per-post Excel); otherwise only counts.
    """
    platform = Platform(platform)
    rules = rules or AttendanceRules()
    scope = scope or default_scope(client)
    start, end = period.bounds(tz)
    post_rows = await tasks_in_period(db, platform.value, client.id, start, end)
    person_rows = await person_tasks(db, platform.value, client.id, period.first, period.last,
                                     population(client, scope, regional_id), zone=tz.key, with_post_ids=with_post_ids)
    satker_clients = await satker_of_directorate(db, client) if scope is Scope.DIRECTORATE else []
    if regional_id:
        satker_clients = [c for c in satker_clients if (c.regional_id or "").upper() == regional_id.upper()]
    return assemble_report(client, platform, period, scope, rules, post_rows, person_rows, satker_clients,
                           with_post_ids=with_post_ids)


@dataclass(frozen=True)
class CombinedAttendance:
    """Instagram and TikTok attendance of the same client and period (recaps 21, 22, 30)."""

    instagram: AttendanceReport
    tiktok: AttendanceReport

    def reports(self) -> list[AttendanceReport]:
        return [self.instagram, self.tiktok]

    @property
    def has_tasks(self) -> bool:
        return self.instagram.has_tasks or self.tiktok.has_tasks


async def build_combined_attendance(
    db: Executor, client: Client, period: Period, *, rules: AttendanceRules | None = None,
    scope: Scope | None = None, tz=JAKARTA,
) -> CombinedAttendance:
    """Both platforms; on a pool the two run concurrently (one connection each)."""
    if isinstance(db, asyncpg.Pool):
        ig, tt = await asyncio.gather(
            build_attendance(db, client, period, Platform.INSTAGRAM, rules=rules, scope=scope, tz=tz),
            build_attendance(db, client, period, Platform.TIKTOK, rules=rules, scope=scope, tz=tz),
        )
    else:  # a single connection cannot run two statements at once
        ig = await build_attendance(db, client, period, Platform.INSTAGRAM, rules=rules, scope=scope, tz=tz)
        tt = await build_attendance(db, client, period, Platform.TIKTOK, rules=rules, scope=scope, tz=tz)
    return CombinedAttendance(ig, tt)
