"""Queries for `engagements`: who liked (Instagram) or commented (TikTok) which post.

Rows are only ever added: a username seen again is left as it is (one row per
(post, username), with the time it was first seen), and a partial API answer
never removes anyone. "Last seen" is recorded per post and fetch
(`*_posts.engagement_fetched_at`, `db/posts.py: mark_engagement_fetched`), not
per row, so a repeat run writes only what is new. Each post keeps the number of
rows held for it (`recorded_engagements`), maintained by the merge from the rows
it really inserted, so per-client counts never re-count rows.

Writes are batched: COPY (text format, in key order), straight into the table for a post
that holds no rows yet, else into a temporary staging table merged by one statement.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

import asyncpg

from db.pool import Executor, copy_text

PLATFORMS = ("instagram", "tiktok")
_POST_TABLES = {"instagram": ("instagram_posts", "shortcode"), "tiktok": ("tiktok_posts", "video_id")}
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")  # what COPY's text format would need escaped in a value
_NEEDS_ESCAPE_IN_NAMES = re.compile(r"[\\\t\r]")  # the same in names joined by newlines (counted apart)


@dataclass
class MergeOutcome:
    seen: int = 0  # distinct pairs sent to the merge
    new_by_post: dict[str, list[str]] = field(default_factory=dict)  # post_id -> usernames really inserted

    @property
    def new(self) -> int:
        return sum(map(len, self.new_by_post.values()))


async def merge_listings(conn: asyncpg.Connection, platform: str, listings: dict[str, list[str]]) -> MergeOutcome:
    """Insert the usernames of each post's listing not held yet; usernames must already be normalised.

    Returns what it inserted per post, so derived data (the per-post counts here, an
    attendance ledger in the caller) can be kept from it. Must run on a connection:
    it runs in one transaction (the caller's when one is open — call it inside the
    caller's transaction to keep derived data in step).

    `first_seen_at` is the database's transaction time (the column default: a
    timestamp encoded per row cost more client CPU than the rest of the row;
    the run's own time is on the post, `engagement_fetched_at`). The posts' rows are locked
    first (in id order), so two merges of a shared post take turns and never deadlock. The
    listings of posts that hold no rows yet are COPYed straight in (the common first fetch,
    about twice as cheap for PostgreSQL as a conflict-checking insert), in key order (the
    primary key's pages then fill in order: ~40 % less PostgreSQL CPU than in answer order);
    the others go through one `INSERT … ON CONFLICT DO NOTHING`, which leaves rows already
    held untouched.
    """
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
    listings = {post_id: sorted(set(names)) for post_id, names in sorted(listings.items()) if names}
    if not listings:
        return MergeOutcome()
    table, key = _POST_TABLES[platform]
    async with _transaction(conn):
        held = await conn.fetch(
            f"""SELECT {key} AS post_id, recorded_engagements FROM {table}
                WHERE {key} = ANY($1::text[]) ORDER BY {key} FOR UPDATE""",
            list(listings),
        )
        empty = {r["post_id"] for r in held if r["recorded_engagements"] == 0}
        fresh = [post_id for post_id in listings if post_id in empty]
        rest = [post_id for post_id in listings if post_id not in empty]
        new: dict[str, list[str]] = {}
        if fresh:
            try:
                async with conn.transaction():
                    await _copy_listings(conn, platform, {post_id: listings[post_id] for post_id in fresh})
                new = {post_id: listings[post_id] for post_id in fresh}
            except asyncpg.UniqueViolationError:  # rows held without a count (written by hand): check each
                rest = list(listings)
        if rest:
            for post_id, name in await _insert_missing(conn, platform, rest, listings):
                new.setdefault(post_id, []).append(name)
        if new:
            await conn.execute(
                f"""UPDATE {table} p SET recorded_engagements = p.recorded_engagements + c.n
                    FROM unnest($1::text[], $2::int[]) AS c(post_id, n) WHERE p.{key} = c.post_id""",
                list(new), [len(names) for names in new.values()],
            )
    return MergeOutcome(seen=sum(map(len, listings.values())), new_by_post=new)


def _transaction(conn: asyncpg.Connection):
    """The caller's open transaction, else a new one (a savepoint there would only cost round trips)."""
    return contextlib.nullcontext() if conn.is_in_transaction() else conn.transaction()


def _copy_text(platform: str, listings: dict[str, list[str]]) -> bytes | None:
    """The rows (platform, post_id, username) in COPY's text format; None when a value would need escaping."""
    parts = []
    for post_id, names in listings.items():
        joined = "\n".join(names)
        if _NEEDS_ESCAPE.search(post_id) or _NEEDS_ESCAPE_IN_NAMES.search(joined) or \
                joined.count("\n") != len(names) - 1:
            return None
        prefix = f"{platform}\t{post_id}\t"
        parts.append(prefix + joined.replace("\n", "\n" + prefix) + "\n")
    return "".join(parts).encode()


async def _copy_listings(conn: asyncpg.Connection, platform: str, listings: dict[str, list[str]]) -> None:
    """COPY the listings' rows into `engagements` (first_seen_at: the column's default, now())."""
    columns = ["platform", "post_id", "username"]
    text = _copy_text(platform, listings)
    if text is None:  # an unusual value: let the driver encode each row
        await conn.copy_records_to_table("engagements", columns=columns, records=[
            (platform, post_id, name) for post_id, names in listings.items() for name in names])
        return
    await copy_text(conn, "engagements", columns, text)


async def _insert_missing(conn: asyncpg.Connection, platform: str, post_ids: list[str],
                          listings: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Insert the pairs of these posts' listings not held yet (conflict-checked); the ones it inserted."""
    await conn.execute("CREATE TEMP TABLE engagements_stage (post_id text, username text) ON COMMIT DROP")
    await conn.copy_records_to_table("engagements_stage", columns=["post_id", "username"],
                                     records=[(post_id, name) for post_id in post_ids for name in listings[post_id]])
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
