"""Queries behind attendance ("absensi") reports: tasks (posts) and who engaged.

Every function takes a [start, end) instant range (computed in Asia/Jakarta by
`handlers.reports.attendance.Period`) and a platform (`instagram` | `tiktok`).
Usernames are stored normalised (lower-case, no @) on both sides; the personnel
side is normalised again here (trim, one leading @, lower-case) so a row written
by hand still matches. A task is a `client_posts` row of one of the clients, not
removed, whose post was published in the period; a post shared by two of the
clients is listed once per client by `posts_in_period` and counted once per person.

Scope of the population:
- `client_ids` — personnel whose `client_id` is one of these;
- `role` — plus personnel carrying this role in any client (a directorate's
  role across its satker).
Only active personnel are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor

PLATFORMS = ("instagram", "tiktok")


@dataclass(frozen=True)
class PostRow:
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
    username: str | None           # the platform's username, None when empty
    done_post_ids: tuple[str, ...]  # the period's posts this person engaged with


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r} (expected instagram or tiktok)")


_POSTS_CTE = """
    posts AS (
        SELECT cp.post_id, cp.client_id, cp.posted_at, p.caption, p.like_count, p.comment_count
        FROM client_posts cp JOIN instagram_posts p ON p.shortcode = cp.post_id
        WHERE $1 = 'instagram' AND cp.platform = 'instagram' AND cp.client_id = ANY($2::text[])
          AND cp.posted_at >= $3 AND cp.posted_at < $4 AND cp.removed_at IS NULL
        UNION ALL
        SELECT cp.post_id, cp.client_id, cp.posted_at, p.caption, p.like_count, p.comment_count
        FROM client_posts cp JOIN tiktok_posts p ON p.video_id = cp.post_id
        WHERE $1 = 'tiktok' AND cp.platform = 'tiktok' AND cp.client_id = ANY($2::text[])
          AND cp.posted_at >= $3 AND cp.posted_at < $4 AND cp.removed_at IS NULL
    )
"""


async def posts_in_period(
    db: Executor, platform: str, post_client_ids: list[str], start: datetime, end: datetime
) -> list[PostRow]:
    """The period's (non-removed) posts of these clients, oldest first, with our engagement count."""
    _check_platform(platform)
    rows = await db.fetch(
        f"""
        WITH {_POSTS_CTE}
        SELECT p.*, (SELECT count(*) FROM engagements e
                     WHERE e.platform = $1 AND e.post_id = p.post_id) AS engagement_count
        FROM posts p
        ORDER BY p.posted_at, p.post_id
        """,
        platform, post_client_ids, start, end,
    )
    return [PostRow(**dict(r)) for r in rows]


async def person_tasks_in_period(
    db: Executor,
    platform: str,
    post_client_ids: list[str],
    start: datetime,
    end: datetime,
    *,
    client_ids: list[str],
    role: str | None = None,
) -> list[PersonTaskRow]:
    """Every active person of the scope with the ids of the period's posts they engaged with.

    One statement: posts of the period, engagements of those posts grouped by
    username, joined to the population on the platform's username.
    """
    _check_platform(platform)
    rows = await db.fetch(
        f"""
        WITH {_POSTS_CTE},
        people AS (
            SELECT p.*, NULLIF(lower(regexp_replace(btrim(CASE WHEN $1 = 'instagram' THEN p.instagram ELSE p.tiktok END),
                                                    '^@', '')), '') AS handle
            FROM personnel p
            WHERE p.active AND (p.client_id = ANY($5::text[]) OR ($6::text IS NOT NULL AND $6 = ANY (p.roles)))
        ),
        hits AS (
            SELECT pe.nrp, array_agg(e.post_id) AS post_ids
            FROM people pe
            JOIN engagements e ON e.platform = $1 AND e.username = pe.handle
            JOIN (SELECT DISTINCT post_id FROM posts) task ON task.post_id = e.post_id
            GROUP BY pe.nrp
        )
        SELECT pe.nrp, pe.name, pe.rank, pe.division, pe.position, pe.client_id,
               c.name AS client_name, c.type AS client_type, pe.exception,
               pe.handle AS username, coalesce(h.post_ids, '{{}}'::text[]) AS post_ids
        FROM people pe
        JOIN clients c ON c.id = pe.client_id
        LEFT JOIN hits h ON h.nrp = pe.nrp
        """,
        platform, post_client_ids, start, end, client_ids, role,
    )
    return [
        PersonTaskRow(
            nrp=r["nrp"], name=r["name"], rank=r["rank"], division=r["division"], position=r["position"],
            client_id=r["client_id"], client_name=r["client_name"], client_type=r["client_type"],
            exception=r["exception"], username=r["username"], done_post_ids=tuple(r["post_ids"]),
        )
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


async def personnel_profiles(db: Executor, *, client_ids: list[str], role: str | None = None) -> list[ProfileRow]:
    """Active personnel of the scope with their client and usernames (data-completeness reports)."""
    rows = await db.fetch(
        """
        SELECT p.nrp, p.name, p.rank, p.division, p.position, p.client_id, c.name AS client_name,
               c.type AS client_type, NULLIF(p.instagram, '') AS instagram, NULLIF(p.tiktok, '') AS tiktok
        FROM personnel p JOIN clients c ON c.id = p.client_id
        WHERE p.active AND (p.client_id = ANY($1::text[]) OR ($2::text IS NOT NULL AND $2 = ANY (p.roles)))
        """,
        client_ids, role,
    )
    return [ProfileRow(**dict(r)) for r in rows]
