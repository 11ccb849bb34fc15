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


# $1 client ids, $2 role, $3 regional id; `p` personnel, `c` their client
_POPULATION_WHERE = """
    p.active AND (p.client_id = ANY($1::text[]) OR ($2::text IS NOT NULL AND $2 = ANY (p.roles)))
    AND ($3::text IS NULL OR upper(c.regional_id) = upper($3))
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


@dataclass(frozen=True)
class PersonTaskRow:
    nrp: str
    name: str
    rank: str | None
    division: str | None
    position: str | None
    client_id: str
    client_name: str
    client_type: str
    exception: bool
    username: str | None                      # the platform's username, None when empty
    engaged: int                              # the period's tasks this person engaged with
    done_post_ids: tuple[str, ...] | None     # their ids, when asked for


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


def _done_sql(with_post_ids: bool) -> str:
    """Per person: the client's tasks of the days done, from the ledger ($4 client, $5 platform, $6/$7 days)."""
    ids = ", array_agg(x.post_id) AS post_ids" if with_post_ids else ""
    source = ("attendance_ledger l CROSS JOIN LATERAL unnest(l.post_ids) AS x(post_id)" if with_post_ids
              else "attendance_ledger l")
    count = "count(*)" if with_post_ids else "sum(cardinality(l.post_ids))"
    return f"""
        SELECT l.nrp, {count}::int AS engaged{ids}
        FROM {source}
        WHERE l.client_id = $4 AND l.platform = $5 AND l.day >= $6 AND l.day <= $7
        GROUP BY l.nrp
    """


async def person_tasks(
    db: Executor, platform: str, task_client_id: str, first: date, last: date, people: Population, *,
    zone: str, with_post_ids: bool = False,
) -> list[PersonTaskRow]:
    """Every person of `people` with how many of `task_client_id`'s tasks of the days [first, last] they did.

    One statement over the attendance ledger (`db/attendance_ledger.py`), whose days
    are in `zone`; raises `LedgerZoneMismatch` when the ledger was built for another zone.
    """
    _check_platform(platform)
    rows = await db.fetch(
        f"""
        WITH done AS ({_done_sql(with_post_ids)})
        SELECT p.nrp, p.name, p.rank, p.division, p.position, p.client_id, c.name, c.type, p.exception,
               p.{platform}_handle, coalesce(d.engaged, 0), {"d.post_ids" if with_post_ids else "NULL"}, z.zone
        FROM personnel p
        JOIN clients c ON c.id = p.client_id
        LEFT JOIN done d ON d.nrp = p.nrp
        CROSS JOIN {ZONE_SQL}
        WHERE {_POPULATION_WHERE}
        """,
        *people.params(), task_client_id, platform, first, last,
    )
    if rows and rows[0][12] != zone:
        raise LedgerZoneMismatch(f"the attendance ledger's days are in {rows[0][12]}, the configured zone is "
                                 f"{zone}: run `cicero attendance rebuild`")
    return [
        PersonTaskRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
                      tuple(r[11] or ()) if with_post_ids else None)
        for r in rows
    ]


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


async def count_population(db: Executor, people: Population) -> int:
    """How many people `people` counts (the dashboard's personnel card)."""
    return await db.fetchval(
        f"SELECT count(*) FROM personnel p JOIN clients c ON c.id = p.client_id WHERE {_POPULATION_WHERE}",
        *people.params(),
    )
