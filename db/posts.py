"""Posts and whose tasks they are: `instagram_posts`/`tiktok_posts` (content) and `client_posts`.

A post's content (caption, counts, media) is stored once; `client_posts` holds
one row per (platform, post, client) — a collaboration post listed by two
clients' accounts is a task of both. Removal is per client: a complete listing
that no longer shows the post takes it off that client's list only
(`removed_by` NULL), and an admin's removal (`removed_by` set) is never undone
by a later listing.

Writes are batched: the rows are COPYed into a temporary staging table and merged
with `INSERT … ON CONFLICT`, so a client's posts cost a handful of round trips
whatever their number. A merge changes `updated_at` only when a stored value
really changed, so repeating the same answer leaves the rows as they were apart
from `last_seen_at`.

"Today" is passed in as a [start, end) range of aware datetimes (core/clock.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

import asyncpg

from db import attendance_ledger
from db.pool import Executor


@dataclass(frozen=True)
class _Table:
    name: str
    key: str
    stage: str
    data_columns: tuple[tuple[str, str], ...]  # (column, SQL type) besides the key
    content_columns: tuple[str, ...]  # whose change makes a post "updated"


INSTAGRAM = _Table(
    name="instagram_posts", key="shortcode", stage="instagram_posts_stage",
    data_columns=(("caption", "text"), ("posted_at", "timestamptz"), ("like_count", "integer"),
                  ("comment_count", "integer"), ("is_video", "boolean"), ("is_carousel", "boolean"),
                  ("thumbnail_url", "text"), ("image_url", "text"), ("video_url", "text")),
    content_columns=("caption", "posted_at", "is_video", "is_carousel", "image_url", "video_url"),
)
TIKTOK = _Table(
    name="tiktok_posts", key="video_id", stage="tiktok_posts_stage",
    data_columns=(("caption", "text"), ("posted_at", "timestamptz"), ("like_count", "integer"),
                  ("comment_count", "integer"), ("share_count", "integer"), ("view_count", "bigint"),
                  ("cover_url", "text")),
    content_columns=("caption", "posted_at"),
)
TABLES = {"instagram": INSTAGRAM, "tiktok": TIKTOK}
_NOT_NULL_DEFAULTS = {"is_video": False, "is_carousel": False, "share_count": 0, "view_count": 0}


@dataclass
class PostRecord:
    """One post as stored; `extra` holds the platform's other columns (see TABLES)."""

    post_id: str
    posted_at: datetime
    caption: str | None = None
    like_count: int = 0
    comment_count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def value(self, column: str) -> Any:
        if column in ("caption", "posted_at", "like_count", "comment_count"):
            return getattr(self, column)
        return self.extra.get(column, _NOT_NULL_DEFAULTS.get(column))


@dataclass
class UpsertOutcome:
    new: list[str] = field(default_factory=list)  # new tasks of the client: first listed, or re-listed after removal
    updated: list[str] = field(default_factory=list)  # caption/time/media changed
    unchanged: int = 0


def _table(platform: str) -> _Table:
    try:
        return TABLES[platform]
    except KeyError:
        raise ValueError(f"unknown platform {platform!r}") from None


async def upsert_posts(conn: asyncpg.Connection, platform: str, client_id: str, posts: Iterable[PostRecord], *,
                       seen_at: datetime) -> UpsertOutcome:
    """Store `posts` (content) and make each a task of `client_id`; which are new for it and which changed.

    Must run on a connection (not a pool): the staging table lives in one transaction.
    A post is new for the client when it was not its task yet (a post another client
    stored first included), or when a listing had taken it off the client's list
    and it is listed again; an admin's removal stays.
    """
    t = _table(platform)
    records = {p.post_id: p for p in posts}  # one row per id
    if not records:
        return UpsertOutcome()
    cols = [name for name, _ in t.data_columns]
    stage_cols = ", ".join(f"{name} {typ}" for name, typ in t.data_columns)
    all_cols = [t.key, *cols]
    data_list = ", ".join(cols)
    content_old = ", ".join(f"p.{c}" for c in t.content_columns)
    content_new = ", ".join(f"s.{c}" for c in t.content_columns)
    stored_old = ", ".join(f"p.{c}" for c in cols)
    stored_new = ", ".join(f"EXCLUDED.{c}" for c in cols)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols)
    async with conn.transaction():
        await conn.execute(f"CREATE TEMP TABLE {t.stage} ({t.key} text, {stage_cols}) ON COMMIT DROP")
        await conn.copy_records_to_table(
            t.stage, columns=all_cols,
            records=[(pid, *[rec.value(c) for c in cols]) for pid, rec in records.items()],
        )
        changed = await conn.fetch(
            f"""
            WITH prior AS (
                SELECT p.{t.key} AS id, ({content_old}) IS DISTINCT FROM ({content_new}) AS content_changed
                FROM {t.stage} s JOIN {t.name} p ON p.{t.key} = s.{t.key}
            ), merged AS (
                INSERT INTO {t.name} AS p ({t.key}, {data_list}, first_seen_at, last_seen_at, updated_at)
                SELECT {t.key}, {data_list}, $1, $1, $1 FROM {t.stage}
                ON CONFLICT ({t.key}) DO UPDATE SET
                    {sets},
                    last_seen_at = GREATEST(p.last_seen_at, EXCLUDED.last_seen_at),
                    updated_at = CASE WHEN ({stored_old}) IS DISTINCT FROM ({stored_new})
                                      THEN EXCLUDED.updated_at ELSE p.updated_at END
                RETURNING p.{t.key} AS id
            )
            SELECT m.id FROM merged m JOIN prior pr ON pr.id = m.id WHERE pr.content_changed
            """,
            seen_at,
        )
        # other clients' rows of a post whose time moved follow it (posted_at is the task's day);
        # a manual task stays on the day it was added to
        moved = await conn.fetch(
            f"""UPDATE client_posts cp SET posted_at = s.posted_at FROM {t.stage} s
                WHERE cp.platform = $1 AND cp.post_id = s.{t.key} AND cp.source = 'api'
                  AND cp.posted_at IS DISTINCT FROM s.posted_at
                RETURNING cp.post_id""",
            platform,
        )
        linked = await conn.fetch(
            f"""
            WITH prior AS (
                SELECT cp.post_id, cp.removed_at IS NOT NULL AND cp.removed_by IS NULL AS listing_removed
                FROM {t.stage} s JOIN client_posts cp
                  ON cp.platform = $1 AND cp.post_id = s.{t.key} AND cp.client_id = $2
            ), linked AS (
                INSERT INTO client_posts AS cp (platform, post_id, client_id, source, posted_at, first_seen_at,
                                                last_seen_at)
                SELECT $1, {t.key}, $2, 'api', posted_at, $3, $3 FROM {t.stage}
                ON CONFLICT (platform, post_id, client_id) DO UPDATE SET
                    last_seen_at = GREATEST(cp.last_seen_at, EXCLUDED.last_seen_at),
                    removed_at = CASE WHEN cp.removed_by IS NULL THEN NULL ELSE cp.removed_at END,
                    removed_reason = CASE WHEN cp.removed_by IS NULL THEN NULL ELSE cp.removed_reason END
                RETURNING cp.post_id, (xmax = 0) AS inserted
            )
            SELECT l.post_id FROM linked l LEFT JOIN prior pr ON pr.post_id = l.post_id
            WHERE l.inserted OR pr.listing_removed
            ORDER BY l.post_id
            """,
            platform, client_id, seen_at,
        )
        # the attendance ledger follows the task list (same transaction)
        await attendance_ledger.refresh_tasks(conn, platform, [r["post_id"] for r in moved], any_day=True)
        await attendance_ledger.add_tasks(conn, platform, [r["post_id"] for r in linked], client_id)
    out = UpsertOutcome(new=[r["post_id"] for r in linked])
    new = set(out.new)
    out.updated = sorted(r["id"] for r in changed if r["id"] not in new)
    out.unchanged = len(records) - len(out.new) - len(out.updated)
    return out


async def day_post_ids(db: Executor, platform: str, client_id: str, start: datetime, end: datetime, *,
                       source: str | None = None) -> list[str]:
    """Ids of the client's tasks posted in [start, end) and not removed (optionally of one `source`)."""
    _table(platform)
    rows = await db.fetch(
        """SELECT post_id FROM client_posts
           WHERE client_id = $1 AND platform = $2 AND posted_at >= $3 AND posted_at < $4 AND removed_at IS NULL
             AND ($5::text IS NULL OR source = $5)
           ORDER BY posted_at, post_id""",
        client_id, platform, start, end, source,
    )
    return [r["post_id"] for r in rows]


async def reported_engagement(db: Executor, platform: str, post_ids: list[str]) -> dict[str, int]:
    """What the platform itself reported for each post: its like count (Instagram) or comment count (TikTok)."""
    t = _table(platform)
    column = "like_count" if platform == "instagram" else "comment_count"
    rows = await db.fetch(f"SELECT {t.key} AS id, {column} AS n FROM {t.name} WHERE {t.key} = ANY($1::text[])",
                          post_ids)
    return {r["id"]: r["n"] for r in rows}


LISTING_REMOVAL = "not listed by the API"


async def mark_removed(db: Executor, platform: str, client_id: str, post_ids: list[str], *,
                       at: datetime, reason: str = LISTING_REMOVAL, by: str | None = None) -> list[str]:
    """Take these posts off the client's task list (only those still on it); the ids that were.

    `by` None means the API listing removed them (a later listing may bring them
    back); a person's name makes the removal stick.
    """
    if not post_ids:
        return []
    _table(platform)
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            return await mark_removed(conn, platform, client_id, post_ids, at=at, reason=reason, by=by)
    async with db.transaction():  # the removal and the attendance ledger together
        rows = await db.fetch(
            """UPDATE client_posts SET removed_at = $4, removed_reason = $5, removed_by = $6
               WHERE client_id = $1 AND platform = $2 AND post_id = ANY($3::text[]) AND removed_at IS NULL
               RETURNING post_id""",
            client_id, platform, post_ids, at, reason, by,
        )
        removed = sorted(r["post_id"] for r in rows)
        await attendance_ledger.refresh_tasks(db, platform, removed, client_id=client_id)
    return removed


@dataclass
class DayCounts:
    instagram_posts: int = 0
    tiktok_posts: int = 0
    likes: int = 0
    comments: int = 0


async def client_day_counts(db: Executor, client_id: str, start: datetime, end: datetime) -> DayCounts:
    """The client's tasks of the range and the engagement rows held on them (the posts' counters)."""
    row = await db.fetchrow(
        """
        SELECT count(*) FILTER (WHERE cp.platform = 'instagram') AS instagram_posts,
               count(*) FILTER (WHERE cp.platform = 'tiktok') AS tiktok_posts,
               coalesce(sum(ip.recorded_engagements), 0) AS likes,
               coalesce(sum(tp.recorded_engagements), 0) AS comments
        FROM client_posts cp
        LEFT JOIN instagram_posts ip ON cp.platform = 'instagram' AND ip.shortcode = cp.post_id
        LEFT JOIN tiktok_posts tp ON cp.platform = 'tiktok' AND tp.video_id = cp.post_id
        WHERE cp.client_id = $1 AND cp.posted_at >= $2 AND cp.posted_at < $3 AND cp.removed_at IS NULL
        """,
        client_id, start, end,
    )
    return DayCounts(**dict(row))


async def engagement_digests(db: Executor, platform: str, post_ids: list[str]) -> dict[str, str | None]:
    """The fingerprint of the last merged likers/commenters listing of each post."""
    t = _table(platform)
    rows = await db.fetch(f"SELECT {t.key} AS id, engagement_digest FROM {t.name} WHERE {t.key} = ANY($1::text[])",
                          post_ids)
    return {r["id"]: r["engagement_digest"] for r in rows}


async def mark_engagement_fetched(db: Executor, platform: str, digests: dict[str, str], *, at: datetime) -> None:
    """Record that these posts' likers/commenters were fetched at `at`, with their listing's fingerprint.

    One row per post and fetch, not per liker: this is the "last seen" of engagement.
    """
    if not digests:
        return
    t = _table(platform)
    ids = sorted(digests)
    await db.execute(
        f"""UPDATE {t.name} p SET engagement_fetched_at = GREATEST(p.engagement_fetched_at, $3),
                   engagement_digest = d.digest
            FROM unnest($1::text[], $2::text[]) AS d(id, digest) WHERE p.{t.key} = d.id""",
        ids, [digests[i] for i in ids], at,
    )


async def last_engagement_fetch(db: Executor, platform: str, client_ids: list[str], start: datetime,
                                end: datetime) -> datetime | None:
    """When the likers/commenters of these clients' tasks of [start, end) were last fetched (None: never)."""
    t = _table(platform)
    return await db.fetchval(
        f"""SELECT max(p.engagement_fetched_at) FROM client_posts cp JOIN {t.name} p ON p.{t.key} = cp.post_id
            WHERE cp.platform = $1 AND cp.client_id = ANY($2::text[]) AND cp.posted_at >= $3 AND cp.posted_at < $4
              AND cp.removed_at IS NULL""",
        platform, client_ids, start, end,
    )
