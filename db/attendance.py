"""Queries behind attendance ("absensi") reports: the people counted, their tasks (posts) and what they did.

Every function takes a [start, end) instant range (computed in Asia/Jakarta by
`handlers.reports.attendance.Period`) and a platform (`instagram` | `tiktok`).
Usernames are matched normalised (trim, one leading @, lower-case): the
personnel side as the generated `instagram_handle` / `tiktok_handle` columns.
Who did which task is read from the attendance ledger (`db/attendance_ledger.py`),
never by joining raw engagement at request time. A task is a `client_posts` row of the client, not
removed, whose post was published in the period (a post shared by several
clients is a task of each).

The people counted (`Population`), one definition for every report and the API:
active personnel whose `client_id` is one of `client_ids`, plus (when `role` is
set) every active person carrying that role in any client, optionally only those
whose client is in region `regional_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Sequence

import asyncpg

from db.attendance_ledger import ZONE_SQL, LedgerZoneMismatch
from db.pool import Executor

PLATFORMS = ("instagram", "tiktok")


@dataclass(frozen=True)
class Population:
    client_ids: tuple[str, ...]
    role: str | None = None
    regional_id: str | None = None

    def params(self) -> tuple:
        return list(self.client_ids), self.role, self.regional_id


# $1 client ids, $2 role, $3 regional id; `p` personnel. `roles @> ARRAY[$2]` (false for a NULL role)
# lets PostgreSQL combine the client index with the roles GIN index instead of reading every person.
_POPULATION_WHERE = """
    p.active AND (p.client_id = ANY($1::text[]) OR p.roles @> ARRAY[$2::text])
    AND ($3::text IS NULL OR p.client_id IN (SELECT id FROM clients WHERE upper(regional_id) = upper($3::text)))
"""

# the stored username of a platform, normalised (trim, one leading @, lower-case; NULL when empty):
# generated columns of `personnel` (migration 0100), the same the ledger matches on
USERNAME_SQL = {platform: f"p.{platform}_handle" for platform in PLATFORMS}


@dataclass(frozen=True)
class PostRow:
    post_id: str
    client_id: str
    posted_at: datetime
    caption: str | None
    like_count: int
    comment_count: int


@dataclass(frozen=True)
class PostCountRow:
    post_id: str
    client_id: str
    posted_at: datetime
    caption: str | None
    like_count: int
    comment_count: int
    engagement_count: int          # engagement rows we hold for the post (likes or comments)


class PersonTaskRow(NamedTuple):
    """One person of the population with their work on one platform (a tuple: built by the thousand)."""

    nrp: str
    name: str
    rank: str | None
    division: str | None
    position: str | None
    client_id: str
    exception: bool
    username: str | None                      # the platform's username, None when empty
    engaged: int                              # the period's tasks this person engaged with
    done_post_ids: tuple[str, ...] | None     # their ids, when asked for


class ClientName(NamedTuple):
    id: str
    name: str
    is_directorate: bool
    parent_id: str | None
    active: bool
    regional_id: str | None


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r} (expected instagram or tiktok)")


_POST_TABLES = {"instagram": ("instagram_posts", "shortcode"), "tiktok": ("tiktok_posts", "video_id")}


def _posts_sql(platform: str, clients: str = "$1", start: str = "$2", end: str = "$3", kind: str = "$4") -> str:
    """SELECT of the tasks (`client_posts` rows, not removed) of the clients `clients` published in
    [`start`, `end`), with the post's content (parameter placeholders as arguments)."""
    table, key = _POST_TABLES[platform]
    return f"""
        SELECT cp.post_id, cp.client_id, cp.posted_at, p.caption, p.like_count, p.comment_count
        FROM client_posts cp JOIN {table} p ON p.{key} = cp.post_id
        WHERE cp.platform = {kind} AND cp.client_id = ANY({clients}::text[])
          AND cp.posted_at >= {start} AND cp.posted_at < {end} AND cp.removed_at IS NULL"""


async def tasks_in_period(db: Executor, platform: str, client_id: str, start: datetime,
                          end: datetime) -> list[PostRow]:
    """The client's tasks of the period: its non-removed posts, oldest first."""
    _check_platform(platform)
    rows = await db.fetch(_posts_sql(platform) + " ORDER BY cp.posted_at, cp.post_id", [client_id], start, end,
                          platform)
    return [PostRow(*r) for r in rows]


async def posts_in_period(
    db: Executor, platform: str, post_client_ids: list[str], start: datetime, end: datetime
) -> list[PostCountRow]:
    """The period's (non-removed) posts of these clients, oldest first, with our engagement count."""
    _check_platform(platform)
    rows = await db.fetch(
        f"""
        WITH posts AS ({_posts_sql(platform)})
        SELECT p.*, (SELECT count(*) FROM engagements e
                     WHERE e.platform = $4 AND e.post_id = p.post_id) AS engagement_count
        FROM posts p
        ORDER BY p.posted_at, p.post_id, p.client_id
        """,
        post_client_ids, start, end, platform,
    )
    return [PostCountRow(**dict(r)) for r in rows]


def check_zone(ledger_zone: str, zone: str) -> None:
    if ledger_zone != zone:
        raise LedgerZoneMismatch(f"the attendance ledger's days are in {ledger_zone}, the configured zone is "
                                 f"{zone}: run `cicero attendance rebuild`")


def _done_join(single_day: bool, with_post_ids: bool) -> tuple[str, str, str]:
    """(WITH clause, join, selected columns) of the ledger part ($4 client, $5 platform, $6/$7 days).

    One day is one ledger row per person: a plain join. Longer periods add up the daily rows."""
    if single_day:
        join = "LEFT JOIN attendance_ledger d ON d.client_id = $4 AND d.platform = $5 AND d.day = $6 AND d.nrp = p.nrp"
        ids = "d.post_ids" if with_post_ids else "NULL"
        return "", join, f"coalesce(cardinality(d.post_ids), 0), {ids}"
    source = ("attendance_ledger l CROSS JOIN LATERAL unnest(l.post_ids) AS x(post_id)" if with_post_ids
              else "attendance_ledger l")
    count = "count(*)" if with_post_ids else "sum(cardinality(l.post_ids))"
    ids = ", array_agg(x.post_id) AS post_ids" if with_post_ids else ""
    with_clause = f"""WITH done AS (
        SELECT l.nrp, {count}::int AS engaged{ids} FROM {source}
        WHERE l.client_id = $4 AND l.platform = $5 AND l.day >= $6 AND l.day <= $7 GROUP BY l.nrp)"""
    return with_clause, "LEFT JOIN done d ON d.nrp = p.nrp", \
        f"coalesce(d.engaged, 0), {'d.post_ids' if with_post_ids else 'NULL'}"


@dataclass(frozen=True)
class AttendanceRows:
    zone: str                           # the ledger's zone (its days)
    posts: list[PostRow]                # the client's tasks of the period, oldest first
    people: Sequence[Sequence]          # one row per person of the population, positions as `PersonTaskRow`
    clients: dict[str, ClientName]      # every client by id


def _people_sql(platform: str, single_day: bool, with_post_ids: bool) -> str:
    with_clause, join, done = _done_join(single_day, with_post_ids)
    return f"""
        {with_clause}
        SELECT p.nrp, p.name, p.rank, p.division, p.position, p.client_id, p.exception, p.{platform}_handle, {done}
        FROM personnel p
        {join}
        WHERE {_POPULATION_WHERE}
    """


async def read_attendance(
    db: Executor, platform: str, task_client_id: str, start: datetime, end: datetime, first: date, last: date,
    people: Population, *, with_post_ids: bool = False,
) -> AttendanceRows:
    """Everything a recap reads, in one read-only snapshot on one connection: the ledger's zone, the
    client's tasks in [start, end), every client's name, and every person of `people` with how many of the
    tasks of the days [first, last] they did — from the attendance ledger (`db/attendance_ledger.py`), so no
    raw engagement is read. The person rows are asyncpg records in `PersonTaskRow` order (not copied:
    a directorate has tens of thousands of them).
    """
    _check_platform(platform)
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            return await read_attendance(conn, platform, task_client_id, start, end, first, last, people,
                                         with_post_ids=with_post_ids)
    single_day = first == last
    async with db.transaction(isolation="repeatable_read", readonly=True):
        # PostgreSQL's default random_page_cost (4, for spinning disks) makes it read every personnel row
        # instead of combining the client index with the roles GIN index; with the table in memory the
        # indexes are two to three times faster. Only for this transaction.
        await db.execute("SET LOCAL random_page_cost = 1.1")
        tasks = await db.fetch(
            f"""SELECT z.zone, t.* FROM {ZONE_SQL} LEFT JOIN LATERAL ({_posts_sql(platform)}) t ON TRUE
                ORDER BY t.posted_at, t.post_id""",
            [task_client_id], start, end, platform,
        )
        clients = await client_names(db)
        rows = await db.fetch(_people_sql(platform, single_day, with_post_ids), *people.params(), task_client_id,
                              platform, first, *([] if single_day else [last]))
    return AttendanceRows(tasks[0][0], [PostRow(*r[1:]) for r in tasks if r[1] is not None], rows, clients)


@dataclass(frozen=True)
class ProfileRow:
    nrp: str
    name: str
    rank: str | None
    division: str | None
    position: str | None
    client_id: str
    client_name: str
    client_type: str
    instagram: str | None
    tiktok: str | None


async def personnel_profiles(db: Executor, people: Population) -> list[ProfileRow]:
    """The people counted with their client and (normalised) usernames (data-completeness reports)."""
    rows = await db.fetch(
        f"""
        SELECT p.nrp, p.name, p.rank, p.division, p.position, p.client_id, c.name AS client_name,
               c.type AS client_type, {USERNAME_SQL["instagram"]} AS instagram, {USERNAME_SQL["tiktok"]} AS tiktok
        FROM personnel p JOIN clients c ON c.id = p.client_id
        WHERE {_POPULATION_WHERE}
        """,
        *people.params(),
    )
    return [ProfileRow(*r) for r in rows]


async def client_names(db: Executor) -> dict[str, ClientName]:
    """Every client's name, kind, parent, state and region (a small table: one read per report)."""
    rows = await db.fetch("SELECT id, name, type = 'direktorat', parent_id, active, regional_id FROM clients")
    return {r[0]: ClientName._make(r) for r in rows}


def satker_of(names: dict[str, ClientName], directorate_id: str, regional_id: str | None = None) -> list[ClientName]:
    """The active clients under a directorate (optionally of one region): the satker its reports list even
    without personnel (satker with role holders come with their people)."""
    region = (regional_id or "").upper()
    return [c for c in names.values() if c.parent_id == directorate_id and c.active
            and (not region or (c.regional_id or "").upper() == region)]


async def count_population(db: Executor, people: Population) -> int:
    """How many people `people` counts (the dashboard's personnel card)."""
    return await db.fetchval(
        f"SELECT count(*) FROM personnel p WHERE {_POPULATION_WHERE}",
        *people.params(),
    )
