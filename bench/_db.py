"""Bench helper: a fresh, migrated database for one bench run."""

from __future__ import annotations

import os
import secrets
from contextlib import asynccontextmanager
from typing import AsyncIterator

import asyncpg

from db.migrate import apply_migrations
from db.pool import connect_pool

SERVER = os.environ.get("CICERO_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@asynccontextmanager
async def bench_database(prefix: str = "cicero_bench") -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    """Yield (url, pool) of a new database on SERVER, the pool as the application opens it; dropped
    afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = SERVER.rsplit("/", 1)[0] + f"/{name}"
    pool = await connect_pool(url, min_size=1, max_size=10)
    try:
        await apply_migrations(pool)
        yield url, pool
    finally:
        await pool.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def store_posts(pool: asyncpg.Pool, platform: str, client_id: str, records) -> None:
    """Store posts as tasks of `client_id` through the application's own writer (`db.posts.upsert_posts`)."""
    from datetime import datetime, timezone

    from db.posts import upsert_posts

    async with pool.acquire() as conn:
        await upsert_posts(conn, platform, client_id, records, seen_at=datetime.now(timezone.utc))


PERSONNEL_COLUMNS = ["nrp", "name", "rank", "division", "position", "instagram", "tiktok", "whatsapp", "client_id",
                     "active", "exception", "roles"]


async def store_task_day(pool: asyncpg.Pool, client_id: str, key: str, start, members: range, rnd, *,
                         ig_posts: int, tt_posts: int, share: float = 0.67) -> list[tuple]:
    """A client's posts of one day (IG every 40 min, TikTok every 50 from `start`) and the engagement rows of
    its `members` (`ig<n>` / `tt<n>` usernames, each engaging with probability `share`), not yet stored."""
    from datetime import timedelta

    from db.posts import PostRecord

    ig = [PostRecord(f"SC{key}{k}", start + timedelta(minutes=40 * k)) for k in range(ig_posts)]
    tt = [PostRecord(f"73{key}{k:0{17 - len(key)}d}", start + timedelta(minutes=50 * k)) for k in range(tt_posts)]
    await store_posts(pool, "instagram", client_id, ig)
    await store_posts(pool, "tiktok", client_id, tt)
    rows = []
    for platform, posts, prefix in (("instagram", ig, "ig"), ("tiktok", tt, "tt")):
        for post in posts:
            rows += [(platform, post.post_id, f"{prefix}{n}") for n in members if rnd.random() < share]
    return rows


async def store_engagement_and_ledger(pool: asyncpg.Pool, rows: list[tuple]) -> None:
    """COPY the engagement rows, rebuild the attendance ledger from them and ANALYZE."""
    from db.attendance_ledger import rebuild

    await pool.copy_records_to_table("engagements", records=rows, columns=["platform", "post_id", "username"])
    async with pool.acquire() as conn:
        await rebuild(conn)
    await pool.execute("ANALYZE")
