"""Read queries behind the HTTP API that no other module already owns.

Attendance numbers do NOT live here: they come from the attendance engine
(`handlers/reports/attendance.py` over `db/attendance.py`). This module holds the
user directory, post history and small counts the dashboard shows next to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.personnel import effective_roles
from db.pool import Executor


@dataclass(frozen=True)
class DirectoryRow:
    nrp: str
    name: str
    rank: str | None
    division: str | None
    position: str | None
    instagram: str | None
    tiktok: str | None
    whatsapp: str | None
    active: bool
    exception: bool
    roles: list[str]
    client_id: str
    client_name: str
    regional_id: str | None


_DIRECTORY_SELECT = """
    SELECT p.nrp, p.name, p.rank, p.division, p.position, p.instagram, p.tiktok, p.whatsapp, p.active,
           p.exception, p.roles, p.client_id, c.name AS client_name, c.regional_id, c.type AS client_type
    FROM personnel p JOIN clients c ON c.id = p.client_id
"""


def _directory_row(r) -> DirectoryRow:
    values = {k: r[k] for k in DirectoryRow.__dataclass_fields__}
    values["roles"] = effective_roles(r["roles"], r["client_type"])
    return DirectoryRow(**values)


async def directory(
    db: Executor, *, client_ids: list[str], role: str | None = None, regional_id: str | None = None,
    active_only: bool = True,
) -> list[DirectoryRow]:
    """Personnel of these clients (plus holders of `role` anywhere), optionally in one region."""
    rows = await db.fetch(
        _DIRECTORY_SELECT
        + """
        WHERE (p.client_id = ANY($1::text[]) OR ($2::text IS NOT NULL AND $2 = ANY (p.roles)))
          AND ($3::text IS NULL OR upper(c.regional_id) = upper($3))
          AND ($4::bool IS FALSE OR p.active)
        ORDER BY p.client_id, p.nrp
        """,
        client_ids, role, regional_id, active_only,
    )
    return [_directory_row(r) for r in rows]


async def directory_row(db: Executor, nrp: str) -> DirectoryRow | None:
    row = await db.fetchrow(_DIRECTORY_SELECT + " WHERE p.nrp = $1", nrp)
    return _directory_row(row) if row else None


@dataclass(frozen=True)
class InstagramPostRow:
    shortcode: str
    client_id: str
    caption: str | None
    posted_at: datetime
    like_count: int
    comment_count: int
    is_video: bool
    is_carousel: bool
    thumbnail_url: str | None
    image_url: str | None
    video_url: str | None
    recorded_likes: int


async def instagram_post_history(
    db: Executor, client_ids: list[str], start: datetime, end: datetime, *, limit: int = 1000,
) -> list[InstagramPostRow]:
    """The Instagram tasks of these clients in [start, end), newest first, with likes we recorded."""
    rows = await db.fetch(
        """
        SELECT p.shortcode, cp.client_id, p.caption, p.posted_at, p.like_count, p.comment_count, p.is_video,
               p.is_carousel, p.thumbnail_url, p.image_url, p.video_url,
               (SELECT count(*) FROM engagements e WHERE e.platform = 'instagram' AND e.post_id = p.shortcode)
                   AS recorded_likes
        FROM client_posts cp JOIN instagram_posts p ON p.shortcode = cp.post_id
        WHERE cp.platform = 'instagram' AND cp.client_id = ANY($1::text[]) AND cp.posted_at >= $2
          AND cp.posted_at < $3 AND cp.removed_at IS NULL
        ORDER BY p.posted_at DESC, p.shortcode, cp.client_id
        LIMIT $4
        """,
        client_ids, start, end, limit,
    )
    return [InstagramPostRow(**dict(r)) for r in rows]


@dataclass(frozen=True)
class TiktokPostRow:
    video_id: str
    client_id: str
    caption: str | None
    posted_at: datetime
    like_count: int
    comment_count: int
    share_count: int
    view_count: int
    cover_url: str | None
    recorded_comments: int


async def tiktok_post_history(
    db: Executor, client_ids: list[str], start: datetime, end: datetime, *, limit: int = 1000,
) -> list[TiktokPostRow]:
    """The TikTok tasks of these clients in [start, end), newest first, with commenters we recorded."""
    rows = await db.fetch(
        """
        SELECT p.video_id, cp.client_id, p.caption, p.posted_at, p.like_count, p.comment_count, p.share_count,
               p.view_count, p.cover_url,
               (SELECT count(*) FROM engagements e WHERE e.platform = 'tiktok' AND e.post_id = p.video_id)
                   AS recorded_comments
        FROM client_posts cp JOIN tiktok_posts p ON p.video_id = cp.post_id
        WHERE cp.platform = 'tiktok' AND cp.client_id = ANY($1::text[]) AND cp.posted_at >= $2
          AND cp.posted_at < $3 AND cp.removed_at IS NULL
        ORDER BY p.posted_at DESC, p.video_id, cp.client_id
        LIMIT $4
        """,
        client_ids, start, end, limit,
    )
    return [TiktokPostRow(**dict(r)) for r in rows]


async def database_ping(db: Executor) -> int:
    return await db.fetchval("SELECT 1")


async def client_serves_directorate(db: Executor, client_id: str, directorate_ids: list[str]) -> bool:
    """True when one of these directorates counts `client_id` as its satker: a child by parent, or a client
    with active personnel carrying the directorate's role (the same rule as `satker_of_directorate`)."""
    return bool(await db.fetchval(
        """
        SELECT EXISTS (
            SELECT 1 FROM clients d
            WHERE d.id = ANY($2::text[]) AND d.type = 'direktorat' AND (
                EXISTS (SELECT 1 FROM clients c WHERE c.id = $1 AND c.parent_id = d.id)
                OR EXISTS (SELECT 1 FROM personnel p WHERE p.client_id = $1 AND p.active AND lower(d.id) = ANY (p.roles))
            )
        )
        """,
        client_id, directorate_ids,
    ))


async def clients_with_account(db: Executor, platform: str, username: str) -> list[str]:
    """Ids of the clients whose account on `platform` is `username` (case-insensitive, no @), oldest id first."""
    column = {"instagram": "instagram", "tiktok": "tiktok"}[platform]
    rows = await db.fetch(
        f"SELECT id FROM clients WHERE lower(regexp_replace(btrim({column}), '^@', '')) = lower($1) ORDER BY id",
        username,
    )
    return [r["id"] for r in rows]
