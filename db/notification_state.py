"""Queries for `notification_state` (per-client task-notification memory) and the task posts it compares.

The state holds the post ids last notified for `state_day` (a Jakarta date),
the counts, and `last_notified_slot` (`YYYY-MM-DD-HH@05`). It is read with
`FOR UPDATE` inside the transaction that queues the messages, so two runs for
the same client never both notify the same slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from db.pool import Executor


@dataclass
class NotificationState:
    client_id: str
    last_instagram_count: int = 0
    last_tiktok_count: int = 0
    notified_instagram: list[str] = field(default_factory=list)
    notified_tiktok: list[str] = field(default_factory=list)
    state_day: date | None = None
    last_notified_slot: str | None = None
    last_notified_at: datetime | None = None


_FIELDS = list(NotificationState.__dataclass_fields__)


async def state_for_update(db: Executor, client_id: str) -> NotificationState:
    """The client's state, row-locked until the caller's transaction ends (created empty if missing).

    Creating the row first means two concurrent runs for a new client also
    serialise on the lock instead of both seeing "no state".
    """
    await db.execute(
        "INSERT INTO notification_state (client_id) VALUES ($1) ON CONFLICT (client_id) DO NOTHING", client_id
    )
    row = await db.fetchrow(
        f"SELECT {', '.join(_FIELDS)} FROM notification_state WHERE client_id = $1 FOR UPDATE", client_id
    )
    return NotificationState(**{f: row[f] for f in _FIELDS})


async def save_state(db: Executor, state: NotificationState) -> None:
    await db.execute(
        f"""
        INSERT INTO notification_state ({', '.join(_FIELDS)}, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
        ON CONFLICT (client_id) DO UPDATE SET
            {', '.join(f'{c} = EXCLUDED.{c}' for c in _FIELDS[1:])}, updated_at = now()
        """,
        *[getattr(state, f) for f in _FIELDS],
    )


async def all_states(db: Executor) -> list[NotificationState]:
    rows = await db.fetch(f"SELECT {', '.join(_FIELDS)} FROM notification_state ORDER BY client_id")
    return [NotificationState(**{f: r[f] for f in _FIELDS}) for r in rows]


@dataclass(frozen=True)
class TaskPost:
    """A post personnel must like/comment: one entry of a task message."""

    platform: str  # instagram | tiktok
    post_id: str   # shortcode or video id
    caption: str | None
    posted_at: datetime
    like_count: int
    comment_count: int
    manual: bool = False   # added by an admin by URL (`cicero posts add`, console `tugas`), not seen by the API


async def todays_task_posts(db: Executor, client_id: str, start: datetime, end: datetime
                            ) -> tuple[list[TaskPost], list[TaskPost]]:
    """(Instagram, TikTok) tasks of the client posted in [start, end) and not removed, oldest first."""
    rows = await db.fetch(
        """
        SELECT cp.platform, cp.post_id, p.caption, cp.posted_at, p.like_count, p.comment_count,
               cp.source = 'manual' AS manual
        FROM client_posts cp JOIN instagram_posts p ON p.shortcode = cp.post_id
        WHERE cp.client_id = $1 AND cp.platform = 'instagram' AND cp.posted_at >= $2 AND cp.posted_at < $3
          AND cp.removed_at IS NULL
        UNION ALL
        SELECT cp.platform, cp.post_id, p.caption, cp.posted_at, p.like_count, p.comment_count,
               cp.source = 'manual' AS manual
        FROM client_posts cp JOIN tiktok_posts p ON p.video_id = cp.post_id
        WHERE cp.client_id = $1 AND cp.platform = 'tiktok' AND cp.posted_at >= $2 AND cp.posted_at < $3
          AND cp.removed_at IS NULL
        ORDER BY posted_at, post_id
        """,
        client_id, start, end,
    )
    posts = [TaskPost(**dict(r)) for r in rows]
    return ([p for p in posts if p.platform == "instagram"], [p for p in posts if p.platform == "tiktok"])


async def posts_by_ids(db: Executor, platform: str, post_ids: list[str]) -> list[TaskPost]:
    """The stored content of these posts (a removed task's caption for the removal message)."""
    table, key = ("instagram_posts", "shortcode") if platform == "instagram" else ("tiktok_posts", "video_id")
    rows = await db.fetch(
        f"""SELECT {key} AS post_id, caption, posted_at, like_count, comment_count FROM {table}
            WHERE {key} = ANY($1::text[]) ORDER BY posted_at, {key}""",
        post_ids,
    )
    return [TaskPost(platform=platform, **dict(r)) for r in rows]
