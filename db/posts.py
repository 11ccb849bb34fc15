"""Queries for `instagram_posts` and `tiktok_posts`: batched upserts, removal marks, day counts.

Writes are batched: the rows are COPYed into a temporary staging table and merged
with one `INSERT … ON CONFLICT` statement, so a client's posts cost three round
trips whatever their number. A merge changes `updated_at` only when a stored value
really changed, so repeating the same answer leaves the rows as they were apart
from `last_seen_at`. The first owner of a post keeps it (a collaboration post
fetched by a second client does not move).

"Today" is passed in as a [start, end) range of aware datetimes (core/clock.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

import asyncpg

from db.pool import Executor


@dataclass(frozen=True)
class _Table:
    name: str
    key: str
    stage: str
    data_columns: tuple[tuple[str, str], ...]  # (column, SQL type) besides key and client_id
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
        return self.extra.get(column)


@dataclass
class UpsertOutcome:
    new: list[str] = field(default_factory=list)  # inserted, or re-listed after being marked removed
    updated: list[str] = field(default_factory=list)  # caption/time/media changed
    unchanged: int = 0


def _table(platform: str) -> _Table:
    try:
        return TABLES[platform]
    except KeyError:
        raise ValueError(f"unknown platform {platform!r}") from None


async def upsert_posts(conn: asyncpg.Connection, platform: str, client_id: str, posts: Iterable[PostRecord], *,
                       seen_at: datetime) -> UpsertOutcome:
    """Insert or refresh `posts` for `client_id`; which ids are new and which changed.

    Must run on a connection (not a pool): the staging table lives in one transaction.
    A post that was marked removed and is listed again counts as new and is un-removed.
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
        rows = await conn.fetch(
            f"""
            WITH prior AS (
                SELECT p.{t.key} AS id, p.removed_at IS NOT NULL AS was_removed,
                       ({content_old}) IS DISTINCT FROM ({content_new}) AS content_changed
                FROM {t.stage} s JOIN {t.name} p ON p.{t.key} = s.{t.key}
            ), merged AS (
                INSERT INTO {t.name} AS p ({t.key}, client_id, {data_list}, first_seen_at, last_seen_at, updated_at)
                SELECT {t.key}, $1, {data_list}, $2, $2, $2 FROM {t.stage}
                ON CONFLICT ({t.key}) DO UPDATE SET
                    {sets},
                    last_seen_at = GREATEST(p.last_seen_at, EXCLUDED.last_seen_at),
                    removed_at = NULL,
                    updated_at = CASE
                        WHEN ({stored_old}) IS DISTINCT FROM ({stored_new}) OR p.removed_at IS NOT NULL
                        THEN EXCLUDED.updated_at ELSE p.updated_at END
                RETURNING p.{t.key} AS id, (xmax = 0) AS inserted
            )
            SELECT m.id, m.inserted, COALESCE(pr.was_removed, FALSE) AS was_removed,
                   COALESCE(pr.content_changed, FALSE) AS content_changed
            FROM merged m LEFT JOIN prior pr ON pr.id = m.id
            ORDER BY m.id
            """,
            client_id, seen_at,
        )
    out = UpsertOutcome()
    for r in rows:
        if r["inserted"] or r["was_removed"]:
            out.new.append(r["id"])
        elif r["content_changed"]:
            out.updated.append(r["id"])
        else:
            out.unchanged += 1
    return out


async def day_post_ids(db: Executor, platform: str, client_id: str, start: datetime, end: datetime) -> list[str]:
    """Ids of the client's posts published in [start, end) and not marked removed."""
    t = _table(platform)
    rows = await db.fetch(
        f"""SELECT {t.key} AS id FROM {t.name}
            WHERE client_id = $1 AND posted_at >= $2 AND posted_at < $3 AND removed_at IS NULL
            ORDER BY posted_at, {t.key}""",
        client_id, start, end,
    )
    return [r["id"] for r in rows]


async def mark_removed(db: Executor, platform: str, client_id: str, post_ids: list[str], *,
                       at: datetime) -> list[str]:
    """Set `removed_at` on these posts of the client (only those not already removed)."""
    if not post_ids:
        return []
    t = _table(platform)
    rows = await db.fetch(
        f"""UPDATE {t.name} SET removed_at = $3, updated_at = $3
            WHERE client_id = $1 AND {t.key} = ANY($2::text[]) AND removed_at IS NULL
            RETURNING {t.key} AS id""",
        client_id, post_ids, at,
    )
    return sorted(r["id"] for r in rows)


@dataclass
class DayCounts:
    instagram_posts: int = 0
    tiktok_posts: int = 0
    likes: int = 0
    comments: int = 0


async def client_day_counts(db: Executor, client_id: str, start: datetime, end: datetime) -> DayCounts:
    """Today's live posts of a client and the engagement rows on them."""
    row = await db.fetchrow(
        """
        SELECT
          (SELECT count(*) FROM instagram_posts p WHERE p.client_id = $1 AND p.posted_at >= $2
              AND p.posted_at < $3 AND p.removed_at IS NULL) AS instagram_posts,
          (SELECT count(*) FROM tiktok_posts p WHERE p.client_id = $1 AND p.posted_at >= $2
              AND p.posted_at < $3 AND p.removed_at IS NULL) AS tiktok_posts,
          (SELECT count(*) FROM instagram_posts p JOIN engagements e
              ON e.platform = 'instagram' AND e.post_id = p.shortcode
           WHERE p.client_id = $1 AND p.posted_at >= $2 AND p.posted_at < $3 AND p.removed_at IS NULL) AS likes,
          (SELECT count(*) FROM tiktok_posts p JOIN engagements e
              ON e.platform = 'tiktok' AND e.post_id = p.video_id
           WHERE p.client_id = $1 AND p.posted_at >= $2 AND p.posted_at < $3 AND p.removed_at IS NULL) AS comments
        """,
        client_id, start, end,
    )
    return DayCounts(**dict(row))
