"""Queries for `engagements`: who liked (Instagram) or commented (TikTok) which post.

Rows are only ever added: a username seen again is left as it is (one row per
(post, username), with the time it was first seen), and a partial API answer
never removes anyone. "Last seen" is recorded per post and fetch
(`*_posts.engagement_fetched_at`, `db/posts.py: mark_engagement_fetched`), not
per row, so a repeat run writes only what is new. Each post keeps the number of
rows held for it (`recorded_engagements`), maintained by the merge from the rows
it really inserted, so per-client counts never re-count rows.

Writes are batched: COPY, straight into the table for a post that holds no
rows yet, else into a temporary staging table merged by one statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import asyncpg

from db.pool import Executor

PLATFORMS = ("instagram", "tiktok")
_POST_TABLES = {"instagram": ("instagram_posts", "shortcode"), "tiktok": ("tiktok_posts", "video_id")}


@dataclass
class MergeOutcome:
    seen: int = 0  # distinct pairs sent to the merge
    new_pairs: list[tuple[str, str]] = field(default_factory=list)  # (post_id, username) really inserted

    @property
    def new(self) -> int:
        return len(self.new_pairs)


async def merge_engagements(conn: asyncpg.Connection, platform: str,
                            rows: Iterable[tuple[str, str]]) -> MergeOutcome:
    """Insert the (post_id, username) pairs not held yet; usernames must already be normalised.

    Returns the pairs it inserted, so derived data (the per-post counts here, an
    attendance ledger in the caller) can be kept from them. Must run on a
    connection: it runs in one transaction (a savepoint when the caller already
    opened one — call it inside the caller's transaction to keep derived data
    in step).

    `first_seen_at` is the database's transaction time (the column default: a
    timestamp encoded per row cost more client CPU than the rest of the row;
    the run's own time is on the post, `engagement_fetched_at`). The posts' rows are locked
    first (in id order), so two merges of a shared post take turns and never deadlock. Pairs of a post that holds no rows yet
    are COPYed straight in (the common first fetch, about twice as cheap for
    PostgreSQL as a conflict-checking insert); the others go through one
    `INSERT … ON CONFLICT DO NOTHING`, which leaves rows already held untouched.
    """
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
    unique = list(dict.fromkeys(rows))
    if not unique:
        return MergeOutcome()
    table, key = _POST_TABLES[platform]
    async with conn.transaction():
        held = await conn.fetch(
            f"""SELECT {key} AS post_id, recorded_engagements FROM {table}
                WHERE {key} = ANY($1::text[]) ORDER BY {key} FOR UPDATE""",
            sorted({post_id for post_id, _ in unique}),
        )
        empty = {r["post_id"] for r in held if r["recorded_engagements"] == 0}
        fresh = [pair for pair in unique if pair[0] in empty]
        rest = [pair for pair in unique if pair[0] not in empty]
        new_pairs: list[tuple[str, str]] = []
        if fresh:
            try:
                async with conn.transaction():
                    await conn.copy_records_to_table(  # first_seen_at: the column's default, now()
                        "engagements", columns=["platform", "post_id", "username"],
                        records=[(platform, post_id, name) for post_id, name in fresh])
                new_pairs = fresh
            except asyncpg.UniqueViolationError:  # rows held without a count (written by hand): check each
                rest = unique
        if rest:
            new_pairs += await _insert_missing(conn, platform, rest)
        if new_pairs:
            counts: dict[str, int] = {}
            for post_id, _ in new_pairs:
                counts[post_id] = counts.get(post_id, 0) + 1
            await conn.execute(
                f"""UPDATE {table} p SET recorded_engagements = p.recorded_engagements + c.n
                    FROM unnest($1::text[], $2::int[]) AS c(post_id, n) WHERE p.{key} = c.post_id""",
                list(counts), list(counts.values()),
            )
    return MergeOutcome(seen=len(unique), new_pairs=new_pairs)


async def _insert_missing(conn: asyncpg.Connection, platform: str,
                          pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Insert the pairs not held yet (conflict-checked); the ones it inserted."""
    await conn.execute("CREATE TEMP TABLE engagements_stage (post_id text, username text) ON COMMIT DROP")
    await conn.copy_records_to_table("engagements_stage", records=pairs, columns=["post_id", "username"])
    inserted = await conn.fetch(
        """INSERT INTO engagements (platform, post_id, username)
           SELECT $1, post_id, username FROM engagements_stage ORDER BY post_id, username
           ON CONFLICT (platform, post_id, username) DO NOTHING
           RETURNING post_id, username""",
        platform,
    )
    await conn.execute("DROP TABLE engagements_stage")
    return [(r["post_id"], r["username"]) for r in inserted]


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
