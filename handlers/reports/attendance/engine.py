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
import gc
from operator import itemgetter
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from datetime import datetime
from enum import Enum
from typing import Iterator, Mapping, NamedTuple, Sequence

import asyncpg

from core.clock import JAKARTA
from db.attendance import (
    AttendanceRows, ClientName, LedgerRows, Population, PostRow, check_zone, read_attendance, read_ledger, satker_of,
)
from db.clients import Client
from db.directory_cache import DirectoryCache, directory_cache_of
from db.pool import Executor
from handlers.reports.attendance.definitions import (
    NO_DIVISION, AttendanceRules, Category, Platform, Tally, performance_key, person_done,
    share, unit_order,
)
from handlers.reports.attendance.directory import Directory, Group, arrange_directory
from handlers.reports.attendance.periods import Period

_TANPA_USERNAME = Category.TANPA_USERNAME


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


class PersonAttendance(NamedTuple):
    """One person on one platform (a named tuple: read-only, and cheap to build by the thousand)."""

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
    order: int = 0                                  # position keyword and rank (definitions.person_order)

    @property
    def sort_key(self) -> tuple:
        """definitions.person_order: position keyword, rank, name, NRP."""
        return self.order, self.name, self.nrp

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
    tally: Tally
    data_fetched_at: datetime | None = None  # when the period's likes/comments were last fetched

    @cached_property
    def divisions(self) -> list[DivisionAttendance]:
        """All people grouped by division only (across satker), by performance; computed when first asked."""
        return group_divisions(list(self.people))

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


class _Outcomes:
    """(done, category, tally slot) for every possible count of a report's tasks, for an exception person
    and for one without a username: each person is one lookup."""

    def __init__(self, tasks: int, rules: AttendanceRules):
        def outcome(done: int, category: Category) -> tuple[int, Category, int]:
            return done, category, _SLOT[id(category)]

        self.tasks = tasks
        self.of_count = [outcome(done, rules.category(tasks, done, has_username=True))
                         for done in (person_done(tasks, n, has_username=True, exception=False)
                                      for n in range(tasks + 1))]
        self.exception = self.of_count[person_done(tasks, 0, has_username=True, exception=True)]
        self.no_username = outcome(person_done(tasks, 0, has_username=False, exception=False),
                                   Category.TANPA_USERNAME)


_BY_PERSON_ORDER = itemgetter(13, 1, 0)   # PersonAttendance.order, name, nrp: definitions.person_order


def _division(name: str, members: list[PersonAttendance]) -> DivisionAttendance:
    members.sort(key=_BY_PERSON_ORDER)
    return DivisionAttendance(name, members, Tally.of(members))


def order_divisions(divisions: list[DivisionAttendance]) -> list[DivisionAttendance]:
    return unit_order(divisions, lambda d: performance_key(d.tally.capaian, d.tally.tasks_done, d.tally.personnel,
                                                           d.name),
                      last=lambda d: d.name == NO_DIVISION)


def group_divisions(people: list[PersonAttendance]) -> list[DivisionAttendance]:
    groups: dict[str, list[PersonAttendance]] = {}
    for p in people:
        groups.setdefault(p.division, []).append(p)
    return order_divisions([_division(name, members) for name, members in groups.items()])


def order_satkers(satkers: list[SatkerAttendance], directorate_id: str) -> list[SatkerAttendance]:
    return unit_order(satkers, lambda s: performance_key(s.tally.capaian, s.tally.tasks_done, s.tally.personnel,
                                                         s.name),
                      first=lambda s: s.client_id == directorate_id)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a report is read and assembled.

    Decoding and assembling allocate tens of thousands of records and tuples, none of them in a cycle; the
    collector would otherwise run every 700 of them, promote them all and walk every object of the process
    — a third of a directorate build's time. The pause may span awaits: other coroutines meanwhile only
    allocate without collecting, and pauses that overlap nest safely (each one re-enables only what it
    found enabled, so the collector is back on when the first one to pause it ends).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Slots of a group's running counts while a report is assembled.
_SLOTS = (Category.LENGKAP, Category.KURANG, Category.BELUM, Category.TANPA_USERNAME, Category.TANPA_TUGAS)
_SLOT = {id(c): i for i, c in enumerate(_SLOTS)}
_DONE_SLOT = len(_SLOTS)                     # the group's tasks done


def assemble_report(
    client: Client, platform: Platform, period: Period, scope: Scope, rules: AttendanceRules,
    post_rows: list[PostRow], person_rows: Sequence[Sequence], engaged: Mapping[str, int],
    clients: dict[str, ClientName], satker: list[ClientName], *,
    done_post_ids: Mapping[str, Sequence[str]] | None = None,
) -> AttendanceReport:
    """Pure part of the engine: rows in, categorised, grouped and ordered report out.

    `person_rows` in `PersonRow` order; `engaged`: NRP → tasks engaged with
    (absent: none); `done_post_ids` (only for `PersonAttendance.done_post_ids`): NRP → those tasks' ids;
    `clients`: every client's name by id; `satker`: those listed even without personnel."""
    return assemble_from_directory(client, platform, period, scope, rules, post_rows,
                                   arrange_directory(person_rows, clients), engaged, satker,
                                   done_post_ids=done_post_ids)


def assemble_from_directory(
    client: Client, platform: Platform, period: Period, scope: Scope, rules: AttendanceRules,
    post_rows: list[PostRow], directory: Directory, engaged: Mapping[str, int], satker: list[ClientName], *,
    done_post_ids: Mapping[str, Sequence[str]] | None = None,
) -> AttendanceReport:
    """The report of the people of `directory` (already grouped and in person order) given the counts."""
    posts = _post_refs(platform, post_rows, client)
    tasks = len(posts)
    all_ids = frozenset(p.post_id for p in posts) if done_post_ids is not None else None
    count = _GroupCounter(_Outcomes(tasks, rules), rules, engaged, done_post_ids, all_ids, directory.last_divisions)
    by_client: dict[str, list[DivisionAttendance]] = {client.id: []}
    for c in satker:
        by_client.setdefault(c.id, [])
    for index, group in enumerate(directory.groups):
        by_client.setdefault(group.client_id, []).append(count(index, group))
    if scope is Scope.CLIENT:
        by_client = {cid: units for cid, units in by_client.items() if units or cid == client.id}

    satkers = []
    for cid, units in by_client.items():
        divisions = order_divisions(units)
        known = directory.clients.get(cid)
        name, is_directorate = (client.name, client.is_directorate) if cid == client.id else \
            (known.name, known.is_directorate) if known else (cid, False)
        satkers.append(SatkerAttendance(cid, name, is_directorate, divisions, Tally.total(d.tally for d in divisions)))
    satkers = order_satkers(satkers, client.id)
    ordered = [p for s in satkers for d in s.divisions for p in d.people]
    return AttendanceReport(client=client, platform=platform, period=period, scope=scope, rules=rules, posts=posts,
                            people=ordered, satkers=satkers, tally=Tally.total(s.tally for s in satkers))


@dataclass(frozen=True)
class _GroupCounter:
    """A directory group → its division's attendance: each person's done and category, and the tally.

    A division is a pure function of the group (fixed for a directory), the rules, the number of tasks and
    each member's count. So without post ids the counter first reads the members' counts and, when they,
    the rules and the number of tasks are those the directory's last division of the group was made from,
    hands out that division's people and tally again (in a new list): between two collection runs a
    leader's recaps then make no person again, and leave the garbage collector nothing to walk."""

    outcomes: _Outcomes
    rules: AttendanceRules
    engaged: Mapping[str, int]
    done_post_ids: Mapping[str, Sequence[str]] | None
    all_ids: frozenset[str] | None
    last: dict[int, tuple]            # Directory.last_divisions

    def __call__(self, index: int, group: Group) -> DivisionAttendance:
        count_of = self.engaged.get
        counts = [count_of(nrp, 0) for nrp in group.nrps]
        if self.done_post_ids is not None:
            return self._count(group, counts)
        made_from = (self.outcomes.tasks, self.rules)
        last = self.last.get(index)
        if last is not None and last[0] == made_from and last[1] == counts:
            return DivisionAttendance(group.division, list(last[2]), last[3])
        division = self._count(group, counts)
        self.last[index] = (made_from, counts, tuple(division.people), division.tally)
        return division

    def _count(self, group: Group, engaged: list[int]) -> DivisionAttendance:
        """The division of `group` whose members engaged with `engaged` tasks each (in member order)."""
        outcomes = self.outcomes
        tasks, of_count, exception_outcome, no_username = outcomes.tasks, outcomes.of_count, outcomes.exception, \
            outcomes.no_username
        with_ids, done_post_ids, all_ids, no_ids = self.done_post_ids is not None, self.done_post_ids, \
            self.all_ids, frozenset()
        new_person = tuple.__new__   # what PersonAttendance(...) does, without its Python-level wrapper
        counts = [0] * (_DONE_SLOT + 1)   # per `_SLOTS` category, then tasks done
        people = []
        append = people.append
        for (nrp, name, rank, division, position, client_id, client_name, username, exception, order), n in zip(
                group.members, engaged):
            if username is None:
                done, category, slot = no_username
            elif exception:
                done, category, slot = exception_outcome
            else:
                done, category, slot = of_count[n if n < tasks else tasks]
            counts[slot] += 1
            counts[_DONE_SLOT] += done
            done_ids = None
            if with_ids:
                done_ids = no_ids if username is None else all_ids if exception else \
                    frozenset(done_post_ids.get(nrp, ()))
            append(new_person(PersonAttendance, (nrp, name, rank, division, position, client_id, client_name,
                                                 username, exception, tasks, done, category, done_ids, order)))
        lengkap, kurang, belum, tanpa_username, tanpa_tugas, done = counts
        return DivisionAttendance(group.division, people, Tally.of_counts(
            lengkap=lengkap, kurang=kurang, belum=belum, tanpa_username=tanpa_username, tanpa_tugas=tanpa_tugas,
            tasks_done=done, tasks=tasks))


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
    people = population(client, scope, regional_id)
    cache = None if with_post_ids else directory_cache_of(db)
    with collector_paused():
        rows, directory = await _read(db, cache, platform, client, start, end, period, people, with_post_ids)
        check_zone(rows.zone, tz.key)
        satker = satker_of(directory.clients, client.id, regional_id) if scope is Scope.DIRECTORATE else []
        report = assemble_from_directory(client, platform, period, scope, rules, rows.posts, directory, rows.engaged,
                                         satker, done_post_ids=rows.done_post_ids if with_post_ids else None)
        report = replace(report, data_fetched_at=rows.fetched_at)
        del rows   # freed before the collector resumes, which then has only the report to look at
    return report


async def _read(db: Executor, cache: DirectoryCache | None, platform: Platform, client: Client, start: datetime,
                end: datetime, period: Period, people: Population,
                with_post_ids: bool) -> tuple[AttendanceRows | LedgerRows, Directory]:
    """The recap's rows and its directory. With a cache: the ledger's counts, and the directory kept for the
    version they were read at; when none is kept (or without a cache), everything in one snapshot, and
    the directory arranged from it (and kept)."""
    key = (people, platform)
    if cache is not None:
        counts = await read_ledger(db, platform.value, client.id, start, end, period.first, period.last)
        directory = cache.get(key, counts.version)
        if directory is not None:
            return counts, directory
    rows = await read_attendance(db, platform.value, client.id, start, end, period.first, period.last, people,
                                 with_post_ids=with_post_ids)
    directory = arrange_directory(rows.people, rows.clients, rows.version)
    if cache is not None:
        cache.put(key, rows.version, directory, weight=directory.size)
    return rows, directory


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
