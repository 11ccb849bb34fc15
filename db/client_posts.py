"""Manual tasks: a post an admin adds to a client's tasks by hand, or takes off them with a reason.

The relation itself is `client_posts` (see db/README.md); the collection's writer
is `db/posts.py: upsert_posts`. Here: the rows a person adds, and the task list
with who and when, removed tasks included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor

_TABLES = {"instagram": ("instagram_posts", "shortcode"), "tiktok": ("tiktok_posts", "video_id")}


@dataclass(frozen=True)
class TaskRow:
    platform: str
    post_id: str
    client_id: str
    source: str
    posted_at: datetime
    caption: str | None
    first_seen_at: datetime
    added_by: str | None
    removed_at: datetime | None
    removed_reason: str | None
    removed_by: str | None


async def task_row(db: Executor, platform: str, post_id: str, client_id: str) -> TaskRow | None:
    table, key = _TABLES[platform]
    r = await db.fetchrow(
        f"""SELECT cp.platform, cp.post_id, cp.client_id, cp.source, cp.posted_at, p.caption, cp.first_seen_at,
                   cp.added_by, cp.removed_at, cp.removed_reason, cp.removed_by
            FROM client_posts cp JOIN {table} p ON p.{key} = cp.post_id
            WHERE cp.platform = $1 AND cp.post_id = $2 AND cp.client_id = $3""",
        platform, post_id, client_id,
    )
    return TaskRow(**dict(r)) if r else None


async def stored_posted_at(db: Executor, platform: str, post_id: str) -> datetime | None:
    table, key = _TABLES[platform]
    return await db.fetchval(f"SELECT posted_at FROM {table} WHERE {key} = $1", post_id)


async def add_manual_task(db: Executor, platform: str, post_id: str, client_id: str, *, posted_at: datetime,
                          by: str, at: datetime) -> None:
    """Make the post (stored as a stub when unknown) a task of the client; a removed task comes back."""
    table, key = _TABLES[platform]
    await db.execute(f"INSERT INTO {table} ({key}, posted_at, first_seen_at, last_seen_at, updated_at) "
                     "VALUES ($1, $2, $3, $3, $3) ON CONFLICT DO NOTHING", post_id, posted_at, at)
    await db.execute(
        """INSERT INTO client_posts (platform, post_id, client_id, source, posted_at, first_seen_at, last_seen_at,
                                     added_by)
           VALUES ($1, $2, $3, 'manual', $4, $5, $5, $6)
           ON CONFLICT (platform, post_id, client_id) DO UPDATE SET
               source = 'manual', added_by = EXCLUDED.added_by,
               removed_at = NULL, removed_reason = NULL, removed_by = NULL""",
        platform, post_id, client_id, posted_at, at, by,
    )


async def client_task_rows(db: Executor, client_id: str, start: datetime, end: datetime) -> list[TaskRow]:
    """Every task row of the client in [start, end), removed ones included, oldest first."""
    rows = await db.fetch(
        """SELECT cp.platform, cp.post_id, cp.client_id, cp.source, cp.posted_at,
                  coalesce(ip.caption, tp.caption) AS caption, cp.first_seen_at, cp.added_by, cp.removed_at,
                  cp.removed_reason, cp.removed_by
           FROM client_posts cp
           LEFT JOIN instagram_posts ip ON cp.platform = 'instagram' AND ip.shortcode = cp.post_id
           LEFT JOIN tiktok_posts tp ON cp.platform = 'tiktok' AND tp.video_id = cp.post_id
           WHERE cp.client_id = $1 AND cp.posted_at >= $2 AND cp.posted_at < $3
           ORDER BY cp.platform, cp.posted_at, cp.post_id""",
        client_id, start, end,
    )
    return [TaskRow(**dict(r)) for r in rows]
