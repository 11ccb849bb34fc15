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

import asyncio
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple, Sequence
from uuid import UUID

import asyncpg

from db.attendance_ledger import FOLDED_SQL, ZONE_SQL, LedgerZoneMismatch
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


class PersonRow(NamedTuple):
    """One person of the population on one platform (a tuple: read by the thousand)."""

    nrp: str
    name: str                                 # as stored (the engine shows and orders it upper-cased)
    rank: str | None
    division: str | None
    position: str | None
    client_id: str
    exception: bool
    username: str | None                      # the platform's username, None when empty


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


def _posts_sql(platform: str, clients: str = "$1", start: str = "$2", end: str = "$3", kind: str = "$4", *,
               fetched: bool = False) -> str:
    """SELECT of the tasks (`client_posts` rows, not removed) of the clients `clients` published in
    [`start`, `end`), with the post's content (parameter placeholders as arguments) and, with `fetched`,
    when its likes/comments were last fetched."""
    table, key = _POST_TABLES[platform]
    extra = ", p.engagement_fetched_at" if fetched else ""
    return f"""
        SELECT cp.post_id, cp.client_id, cp.posted_at, p.caption, p.like_count, p.comment_count{extra}
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


def full_months(first: date, last: date) -> tuple[date, date] | None:
    """(first day of the first, first day of the last) calendar month lying wholly in [first, last], or None."""
    start = first if first.day == 1 else (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = last + timedelta(days=1)
    end = after.replace(day=1)            # the first month not wholly inside
    if start >= end:
        return None
    return start, (end - timedelta(days=1)).replace(day=1)


def _done_sql(first: date, last: date, with_post_ids: bool) -> tuple[str, list]:
    """(query, parameters from $3) of who did how many of a client's tasks on the days [first, last]:
    rows (nrp, engaged, post ids or NULL) from the ledger, $1 the client, $2 the platform.

    One day is one ledger row per person. Longer periods add up the monthly totals of the calendar months
    they cover whole and the daily rows of the other days (daily rows only when the post ids are asked for).
    People outside the population may appear (the caller keeps the population's)."""
    if first == last:
        ids = "post_ids" if with_post_ids else "NULL"
        return f"""SELECT nrp, cardinality(post_ids), {ids} FROM attendance_ledger
                   WHERE client_id = $1 AND platform = $2 AND day = $3""", [first]
    if with_post_ids:
        return """SELECT l.nrp, count(*)::int, array_agg(x.post_id)
            FROM attendance_ledger l CROSS JOIN LATERAL unnest(l.post_ids) AS x(post_id)
            WHERE l.client_id = $1 AND l.platform = $2 AND l.day >= $3 AND l.day <= $4 GROUP BY l.nrp""", \
            [first, last]
    months = full_months(first, last)
    after = last + timedelta(days=1)
    if months is None:  # no whole month: the daily rows only (an empty month range)
        m_first, m_last, m_after = after, first, after
    else:
        m_first, m_last = months
        m_after = (m_last.replace(day=28) + timedelta(days=4)).replace(day=1)   # the day after the months
    # the totals cover the months' days up to the folded edge (migration 0221); the daily rows the rest:
    # the days before the months, the months' days after the edge and the days after the months
    return f"""SELECT nrp, sum(n)::int, NULL FROM (
            SELECT m.nrp, m.done AS n FROM attendance_ledger_monthly m
            WHERE m.client_id = $1 AND m.platform = $2 AND m.month >= $5 AND m.month <= $6
            UNION ALL
            SELECT l.nrp, cardinality(l.post_ids) FROM attendance_ledger l
            WHERE l.client_id = $1 AND l.platform = $2 AND l.day >= $3 AND l.day < $5
            UNION ALL
            SELECT l.nrp, cardinality(l.post_ids) FROM attendance_ledger l
            WHERE l.client_id = $1 AND l.platform = $2 AND l.day >= $5 AND l.day < $7
              AND l.day > {FOLDED_SQL}
            UNION ALL
            SELECT l.nrp, cardinality(l.post_ids) FROM attendance_ledger l
            WHERE l.client_id = $1 AND l.platform = $2 AND l.day >= $7 AND l.day <= $4
        ) parts GROUP BY nrp""", [first, last, m_first, m_last, m_after]


@dataclass(frozen=True)
class AttendanceRows:
    version: UUID | None                # the directory's version (db/directory_cache.py) in this snapshot
    zone: str                           # the ledger's zone (its days)
    posts: list[PostRow]                # the client's tasks of the period, oldest first
    fetched_at: datetime | None         # when the tasks' likes/comments were last fetched (None: never)
    people: Sequence[Sequence]          # one row per person of the population, as `PersonRow`
    engaged: dict[str, int]             # NRP -> tasks of the period engaged with (absent: none)
    done_post_ids: dict[str, list] | None   # NRP -> those tasks' ids, when asked for
    clients: dict[str, ClientName]      # every client by id


def _population_sql(platform: str) -> str:
    # the name as stored: upper-casing it here cost PostgreSQL a third of this query (a locale-aware
    # upper() per row); the engine upper-cases it in Python for a fraction of that
    return f"""SELECT p.nrp, p.name, p.rank, p.division, p.position, p.client_id, p.exception, p.{platform}_handle
               FROM personnel p WHERE {_POPULATION_WHERE}"""


# PostgreSQL's default random_page_cost (4, for spinning disks) makes it read every personnel row instead of
# combining the client index with the roles GIN index; with the table in memory the indexes are two to three
# times faster. Only for the recap's transaction.
_PLANNER = "SET LOCAL random_page_cost = 1.1"
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]{1,64}")


async def read_attendance(
    db: Executor, platform: str, task_client_id: str, start: datetime, end: datetime, first: date, last: date,
    people: Population, *, with_post_ids: bool = False,
) -> AttendanceRows:
    """Everything a recap reads, in one read-only snapshot: the ledger's zone, the client's tasks in
    [start, end) with when their engagement was last fetched, every client's name, every person of
    `people`, and how many of the tasks of the days [first, last] each did — from the attendance ledger
    (`db/attendance_ledger.py`), so no raw engagement is read.

    The population and the ledger are read apart and matched by NRP in Python: for a directorate that is
    half the time of PostgreSQL joining them and sending the wider rows. From a pool with a connection
    idle, the population (the largest read) runs on it at the same time as the rest, in the same snapshot
    (`pg_export_snapshot`); otherwise everything runs on one connection. The person rows are asyncpg
    records in `PersonRow` order (not copied: a directorate has tens of thousands of them).
    """
    _check_platform(platform)
    rest = _Rest(platform, task_client_id, start, end, first, last, with_post_ids)
    population_sql, population_args = _population_sql(platform), people.params()
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            spare = await _idle_connection(db)
            if spare is None:
                return await read_attendance(conn, platform, task_client_id, start, end, first, last, people,
                                             with_post_ids=with_post_ids)
            try:
                return await _read_side_by_side(conn, spare, rest, population_sql, population_args)
            finally:
                await db.release(spare)
    async with db.transaction(isolation="repeatable_read", readonly=True):
        await db.execute(_PLANNER)
        persons = await db.fetch(population_sql, *population_args)
        return await rest.read(db, persons)


async def _idle_connection(pool: asyncpg.Pool) -> asyncpg.Connection | None:
    """A second connection of the pool if one is idle now. Never waits for one nor opens one: recaps that
    each hold a connection must not wait on one another for a second."""
    if pool.get_idle_size() == 0:
        return None
    try:
        return await pool.acquire(timeout=0.05)
    except asyncio.TimeoutError:
        return None


async def _read_side_by_side(conn: asyncpg.Connection, spare: asyncpg.Connection, rest: "_Rest",
                             population_sql: str, population_args: tuple) -> AttendanceRows:
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        # the snapshot to share, and this transaction's planner setting (as _PLANNER) in the same round trip
        snapshot = await conn.fetchval("SELECT pg_export_snapshot() FROM set_config('random_page_cost', '1.1', true)")
        if not _SNAPSHOT_ID.fullmatch(snapshot or ""):
            raise RuntimeError(f"unexpected snapshot id from PostgreSQL: {snapshot!r}")
        async with spare.transaction(isolation="repeatable_read", readonly=True):
            await spare.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'; {_PLANNER}")
            population = asyncio.ensure_future(spare.fetch(population_sql, *population_args))
            try:
                parts = await rest.read_parts(conn)
            except BaseException:
                population.cancel()
                await asyncio.gather(population, return_exceptions=True)
                raise
            persons = await population
    return rest.rows(persons, *parts)


@dataclass(frozen=True)
class _Rest:
    """What a recap reads besides the population: tasks, client names and the ledger's counts."""

    platform: str
    task_client_id: str
    start: datetime
    end: datetime
    first: date
    last: date
    with_post_ids: bool

    async def read(self, db: Executor, persons: Sequence[Sequence]) -> AttendanceRows:
        return self.rows(persons, *await self.read_parts(db))

    async def read_parts(self, db: Executor) -> tuple:
        ledger = await read_ledger(db, self.platform, self.task_client_id, self.start, self.end, self.first,
                                   self.last)
        clients = await client_names(db)
        if not self.with_post_ids:
            return ledger, clients, None
        done_sql, days = _done_sql(self.first, self.last, True)
        done = await db.fetch(done_sql, self.task_client_id, self.platform, *days)
        # the counts beside the ids they count (the same ledger rows of the same snapshot)
        return replace(ledger, engaged={r[0]: r[1] for r in done}), clients, {r[0]: r[2] for r in done}

    @staticmethod
    def rows(persons, ledger: "LedgerRows", clients, done_post_ids) -> AttendanceRows:
        return AttendanceRows(version=ledger.version, zone=ledger.zone, posts=ledger.posts,
                              fetched_at=ledger.fetched_at, people=persons, engaged=ledger.engaged,
                              done_post_ids=done_post_ids, clients=clients)


@dataclass(frozen=True)
class LedgerRows:
    """What a recap reads when it already holds the directory: the directory's version, the ledger's zone,
    the tasks and who did how many (as `AttendanceRows`, without the people and clients)."""

    version: UUID | None
    zone: str
    posts: list[PostRow]
    fetched_at: datetime | None
    engaged: dict[str, int]


_TASK_COLUMNS = ("post_id", "client_id", "posted_at", "caption", "like_count", "comment_count")


async def read_ledger(db: Executor, platform: str, task_client_id: str, start: datetime, end: datetime,
                      first: date, last: date) -> LedgerRows:
    """The directory's version, the client's tasks in [start, end) and how many of the tasks of the days
    [first, last] each person did: one statement (so one snapshot and one round trip, no transaction).
    The tasks come as one array per column, the counts as two arrays."""
    _check_platform(platform)
    done_sql, days = _done_sql(first, last, False)
    after = 3 + len(days)   # $1 client, $2 platform, the days, then the task bounds
    posts_sql = _posts_sql(platform, "ARRAY[$1::text]", f"${after}", f"${after + 1}", "$2", fetched=True)
    task_arrays = ", ".join(f"array_agg(t.{c} ORDER BY t.posted_at, t.post_id)" for c in _TASK_COLUMNS)
    row = await db.fetchrow(
        f"""SELECT z.zone, (SELECT version FROM directory_version), t.*, d.*
            FROM {ZONE_SQL}
            CROSS JOIN LATERAL (SELECT max(t.engagement_fetched_at), {task_arrays} FROM ({posts_sql}) t) t
            CROSS JOIN LATERAL (SELECT array_agg(x.nrp), array_agg(x.n) FROM ({done_sql}) x(nrp, n, ids)) d""",
        task_client_id, platform, *days, start, end)
    zone, version, fetched_at, *columns, nrps, counts = row
    posts = [PostRow(*r) for r in zip(*columns)] if columns[0] else []
    return LedgerRows(version=version, zone=zone, posts=posts, fetched_at=fetched_at,
                      engaged=dict(zip(nrps or (), counts or ())))


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
