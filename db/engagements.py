"""Queries for `engagements`: who liked (Instagram) or commented (TikTok) which post.

Rows are only ever added or touched: a username seen again gets a later
`last_seen_at`, and a partial API answer never removes anyone. Writes are
batched — COPY into a temporary staging table, then one merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import asyncpg

from db.pool import Executor

PLATFORMS = ("instagram", "tiktok")


@dataclass
class MergeOutcome:
    written: int = 0  # rows merged (new + refreshed)
    new: int = 0


async def merge_engagements(conn: asyncpg.Connection, platform: str, rows: Iterable[tuple[str, str]], *,
                            seen_at: datetime) -> MergeOutcome:
    """Merge (post_id, username) pairs; usernames must already be normalised.

    Must run on a connection: the staging table lives in one transaction.
    """
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
    unique = list(dict.fromkeys(rows))
    if not unique:
        return MergeOutcome()
    async with conn.transaction():
        await conn.execute(
            "CREATE TEMP TABLE engagements_stage (post_id text, username text) ON COMMIT DROP"
        )
        await conn.copy_records_to_table("engagements_stage", records=unique, columns=["post_id", "username"])
        row = await conn.fetchrow(
            """
            WITH merged AS (
                INSERT INTO engagements AS e (platform, post_id, username, first_seen_at, last_seen_at)
                SELECT $1, post_id, username, $2, $2 FROM engagements_stage ORDER BY post_id, username
                ON CONFLICT (platform, post_id, username)
                DO UPDATE SET last_seen_at = GREATEST(e.last_seen_at, EXCLUDED.last_seen_at)
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) AS written, count(*) FILTER (WHERE inserted) AS new FROM merged
            """,
            platform, seen_at,
        )
    return MergeOutcome(written=row["written"], new=row["new"])


async def usernames_of_post(db: Executor, platform: str, post_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT username FROM engagements WHERE platform = $1 AND post_id = $2 ORDER BY username",
        platform, post_id,
    )
    return [r["username"] for r in rows]


async def engagement_count(db: Executor, platform: str, post_ids: list[str]) -> int:
    return await db.fetchval(
        "SELECT count(*) FROM engagements WHERE platform = $1 AND post_id = ANY($2::text[])", platform, post_ids
    )


async def refresh_statistics(db: Executor) -> None:
    """ANALYZE the tables attendance queries plan over, so reports stay fast right after big writes.

    On a freshly filled database the planner otherwise assumes tiny tables and
    the attendance query can take seconds instead of milliseconds.
    """
    await db.execute("ANALYZE engagements, instagram_posts, tiktok_posts")
