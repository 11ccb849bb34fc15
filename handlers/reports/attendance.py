"""The one attendance engine: who did their likes/comments tasks in a period.

Used by every WhatsApp report (handlers/dirrequest) and by the HTTP API.

    period = Period.today(clock.now())
    report = await build_attendance(db, client, period, Platform.INSTAGRAM,
                                    rules=AttendanceRules.from_settings(settings.attendance))
    report.tally.lengkap, report.satkers[0].divisions[0].people[0].category, ...

Definitions:
- A task is a post of the client's official account published in the period
  (Asia/Jakarta days), not removed. Every person of the scope has the same tasks.
- Done = the person's username (stored normalised: trimmed, one leading @
  removed, lower-case) is among the post's engagements (IG likes / TikTok
  comments). `exception` personnel count as done on every task.
- Category by `AttendanceRules` (settings `[attendance]`): share = done/tasks;
  `lengkap` when share ≥ complete_percent, `kurang` when share > partial_percent,
  else `belum`. Personnel without the platform's username are `tanpa_username`
  (unless exception); when the period has no posts everyone with a username is
  `tanpa_tugas`.
- Scope: `Scope.CLIENT` = personnel whose client is the client;
  `Scope.DIRECTORATE` (default for a directorate client) = those plus every
  person carrying the directorate's role (`Client.role_name`) in any satker,
  grouped per satker (the satker list also includes `satker_of_directorate`).
"""

from __future__ import annotations

import asyncio
import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Iterable

import asyncpg

from db.attendance import PersonTaskRow, PostRow, person_tasks_in_period, posts_in_period
from db.clients import Client, satker_of_directorate
from db.pool import Executor
from db.posts import last_engagement_fetch
from handlers.reports.formatting import id_date, id_month, id_weekday_date
from handlers.reports.sorting import (
    NO_DIVISION, division_name, division_sort_key, person_sort_key, satker_sort_key,
)
from core.clock import JAKARTA, days_range, local_day

ALL_TIME_START = date(2000, 1, 1)


# --------------------------------------------------------------------------- periods

@dataclass(frozen=True)
class Period:
    """A span of whole Asia/Jakarta days, [first, last] inclusive."""

    kind: str   # day | week | month | range | all
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("tanggal akhir sebelum tanggal awal")

    # constructors ---------------------------------------------------------
    @classmethod
    def on(cls, day: date) -> "Period":
        return cls("day", day, day)

    @classmethod
    def today(cls, now: datetime) -> "Period":
        return cls.on(local_day(now))

    @classmethod
    def yesterday(cls, now: datetime) -> "Period":
        return cls.on(local_day(now) - timedelta(days=1))

    @classmethod
    def week(cls, day: date) -> "Period":
        """The Monday–Sunday week containing `day`."""
        monday = day - timedelta(days=day.weekday())
        return cls("week", monday, monday + timedelta(days=6))

    @classmethod
    def this_week(cls, now: datetime) -> "Period":
        return cls.week(local_day(now))

    @classmethod
    def last_week(cls, now: datetime) -> "Period":
        return cls.week(local_day(now) - timedelta(days=7))

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = calendar.monthrange(year, month)[1]
        return cls("month", date(year, month, 1), date(year, month, last))

    @classmethod
    def this_month(cls, now: datetime) -> "Period":
        day = local_day(now)
        return cls.month(day.year, day.month)

    @classmethod
    def last_month(cls, now: datetime) -> "Period":
        first = local_day(now).replace(day=1) - timedelta(days=1)
        return cls.month(first.year, first.month)

    @classmethod
    def range(cls, first: date, last: date) -> "Period":
        return cls("day", first, first) if first == last else cls("range", first, last)

    @classmethod
    def all_time(cls, now: datetime) -> "Period":
        return cls("all", ALL_TIME_START, local_day(now))

    @classmethod
    def date(cls, day: date) -> "Period":
        return cls.on(day)

    # use ------------------------------------------------------------------
    def bounds(self, tz=JAKARTA) -> tuple[datetime, datetime]:
        """[start, end) instants of the period in `tz`."""
        return days_range(self.first, self.last, tz)

    @property
    def is_single_day(self) -> bool:
        return self.first == self.last

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        """Indonesian description: 'Rabu, 25 November 2026', 'November 2026', '17–23 November 2026'."""
        if self.kind == "all":
            return f"semua data s.d. {id_date(self.last)}"
        if self.is_single_day:
            return id_weekday_date(self.first)
        if self.kind == "month":
            return id_month(self.first.year, self.first.month)
        return f"{id_date(self.first)} s.d. {id_date(self.last)}"

    def slug(self) -> str:
        """For file names: 2026-11-25 or 2026-11-17_2026-11-23."""
        return self.first.isoformat() if self.is_single_day else f"{self.first.isoformat()}_{self.last.isoformat()}"


# --------------------------------------------------------------------------- rules

class Platform(str, Enum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"

    @property
    def label(self) -> str:
        return "Instagram" if self is Platform.INSTAGRAM else "TikTok"

    @property
    def action(self) -> str:
        """What a task asks: 'likes' / 'komentar'."""
        return "likes" if self is Platform.INSTAGRAM else "komentar"


class Category(str, Enum):
    LENGKAP = "lengkap"
    KURANG = "kurang"
    BELUM = "belum"
    TANPA_USERNAME = "tanpa_username"
    TANPA_TUGAS = "tanpa_tugas"


class Scope(str, Enum):
    CLIENT = "client"
    DIRECTORATE = "directorate"


@dataclass(frozen=True)
class AttendanceRules:
    complete_percent: float = 100.0
    partial_percent: float = 0.0

    @classmethod
    def from_settings(cls, attendance_settings) -> "AttendanceRules":
        return cls(attendance_settings.complete_percent, attendance_settings.partial_percent)

    def category(self, tasks: int, done: int, *, has_username: bool, exception: bool = False) -> Category:
        if not has_username and not exception:
            return Category.TANPA_USERNAME
        if tasks <= 0:
            return Category.TANPA_TUGAS
        share = done * 100.0 / tasks
        if share >= self.complete_percent - 1e-9:
            return Category.LENGKAP
        if share > self.partial_percent + 1e-9 and done > 0:
            return Category.KURANG
        return Category.BELUM


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
    engagement_count: int


@dataclass(frozen=True)
class PersonAttendance:
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
    done_post_ids: frozenset[str]
    category: Category
    sort_key: tuple = field(default=(), compare=False, repr=False)   # position, rank, name (sorting.py)

    @property
    def display_name(self) -> str:
        return f"{self.rank} {self.name}".strip() if self.rank else self.name

    @property
    def percent(self) -> float:
        return self.done * 100.0 / self.tasks if self.tasks else 0.0

    @property
    def missing(self) -> int:
        return max(self.tasks - self.done, 0)


@dataclass(frozen=True)
class Tally:
    personnel: int = 0
    lengkap: int = 0
    kurang: int = 0
    belum: int = 0
    tanpa_username: int = 0
    tanpa_tugas: int = 0
    engaged: int = 0        # people with at least one task done
    actions: int = 0        # sum of done
    expected: int = 0       # sum of tasks over people with a username (or exception)

    @classmethod
    def of(cls, people: Iterable[PersonAttendance]) -> "Tally":
        counts = {c: 0 for c in Category}
        n = engaged = actions = expected = 0
        for p in people:
            n += 1
            counts[p.category] += 1
            engaged += p.done > 0
            actions += p.done
            if p.category is not Category.TANPA_USERNAME:
                expected += p.tasks
        return cls(n, counts[Category.LENGKAP], counts[Category.KURANG], counts[Category.BELUM],
                   counts[Category.TANPA_USERNAME], counts[Category.TANPA_TUGAS], engaged, actions, expected)

    @property
    def sudah(self) -> int:
        return self.lengkap + self.kurang

    @property
    def belum_total(self) -> int:
        """Not done, including people without a username (as the original's totals)."""
        return self.belum + self.tanpa_username

    @property
    def percent(self) -> float:
        """Done actions over expected actions (people with a username)."""
        return self.actions * 100.0 / self.expected if self.expected else 0.0

    @property
    def engaged_percent(self) -> float:
        """People with at least one task done over all personnel."""
        return self.engaged * 100.0 / self.personnel if self.personnel else 0.0


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
    people: list[PersonAttendance]          # sorted: satker, then position/rank/name
    satkers: list[SatkerAttendance]         # directorate first, then by name
    divisions: list[DivisionAttendance]     # all people grouped by division only
    tally: Tally
    data_fetched_at: datetime | None = None  # when the period's likes/comments were last fetched

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
    return [
        PostRef(platform, r.post_id, r.client_id, r.posted_at, r.caption, post_url(platform, r.post_id, account),
                r.like_count, r.comment_count, r.engagement_count)
        for r in rows
    ]


def person_from_row(row: PersonTaskRow, post_ids: frozenset[str], rules: AttendanceRules,
                    key_cache: dict | None = None) -> PersonAttendance:
    tasks = len(post_ids)
    # the query only returns engagements on the period's posts, so no intersection is needed
    done_ids = post_ids if row.exception else frozenset(row.done_post_ids)
    done = len(done_ids)
    return PersonAttendance(
        nrp=row.nrp, name=row.name, rank=row.rank, division=division_name(row.division), position=row.position,
        client_id=row.client_id, client_name=row.client_name, username=row.username, exception=row.exception,
        tasks=tasks, done=done, done_post_ids=done_ids,
        category=rules.category(tasks, done, has_username=bool(row.username), exception=row.exception),
        sort_key=person_sort_key(row.position, row.rank, row.name, row.nrp, key_cache),
    )


def group_divisions(people: list[PersonAttendance]) -> list[DivisionAttendance]:
    groups: dict[str, list[PersonAttendance]] = {}
    for p in people:
        groups.setdefault(p.division or NO_DIVISION, []).append(p)
    out = []
    for name in sorted(groups, key=division_sort_key):
        members = sorted(groups[name], key=lambda p: p.sort_key)
        out.append(DivisionAttendance(name, members, Tally.of(members)))
    return out


def assemble_report(
    client: Client, platform: Platform, period: Period, scope: Scope, rules: AttendanceRules,
    post_rows: list[PostRow], person_rows: list[PersonTaskRow], satker_clients: list[Client],
) -> AttendanceReport:
    """Pure part of the engine: rows in, sorted and grouped report out."""
    posts = _post_refs(platform, post_rows, client)
    post_ids = frozenset(p.post_id for p in posts)
    key_cache: dict = {}
    people = [person_from_row(r, post_ids, rules, key_cache) for r in person_rows]

    names: dict[str, tuple[str, bool]] = {client.id: (client.name, client.is_directorate)}
    for c in satker_clients:
        names.setdefault(c.id, (c.name, c.is_directorate))
    by_client: dict[str, list[PersonAttendance]] = {cid: [] for cid in names}
    for row, person in zip(person_rows, people):
        names.setdefault(row.client_id, (row.client_name, row.client_type == "direktorat"))
        by_client.setdefault(row.client_id, []).append(person)
    if scope is Scope.CLIENT:
        by_client = {cid: ps for cid, ps in by_client.items() if ps or cid == client.id}

    satkers = []
    for cid in sorted(by_client, key=lambda c: satker_sort_key(c == client.id or names[c][1], names[c][0])):
        divisions = group_divisions(by_client[cid])
        members = [p for d in divisions for p in d.people]
        satkers.append(SatkerAttendance(cid, names[cid][0], names[cid][1], divisions, Tally.of(members)))
    ordered = [p for s in satkers for p in s.people]
    return AttendanceReport(
        client=client, platform=platform, period=period, scope=scope, rules=rules, posts=posts,
        people=ordered, satkers=satkers, divisions=group_divisions(ordered), tally=Tally.of(ordered),
    )


def default_scope(client: Client) -> Scope:
    return Scope.DIRECTORATE if client.is_directorate else Scope.CLIENT


async def build_attendance(
    db: Executor,
    client: Client,
    period: Period,
    platform: Platform | str,
    *,
    rules: AttendanceRules | None = None,
    scope: Scope | None = None,
    tz=JAKARTA,
) -> AttendanceReport:
    """The attendance of `client`'s personnel (or its directorate role) for `period` on `platform`.

    Three short statements (posts; people with their done posts; satker list for a
    directorate) — all indexed, no per-person queries.
    """
    platform = Platform(platform)
    rules = rules or AttendanceRules()
    scope = scope or default_scope(client)
    start, end = period.bounds(tz)
    role = client.role_name if scope is Scope.DIRECTORATE else None
    post_rows = await posts_in_period(db, platform.value, [client.id], start, end)
    person_rows = await person_tasks_in_period(
        db, platform.value, [client.id], start, end, client_ids=[client.id], role=role
    )
    satker_clients = await satker_of_directorate(db, client) if scope is Scope.DIRECTORATE else []
    fetched_at = await last_engagement_fetch(db, platform.value, [client.id], start, end)
    return replace(assemble_report(client, platform, period, scope, rules, post_rows, person_rows, satker_clients),
                   data_fetched_at=fetched_at)


@dataclass(frozen=True)
class CombinedAttendance:
    """Instagram and TikTok attendance of the same client and period (recaps 21, 22, 30)."""

    instagram: AttendanceReport
    tiktok: AttendanceReport

    def reports(self) -> list[AttendanceReport]:
        return [self.instagram, self.tiktok]


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
