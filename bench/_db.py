"""Bench helper: a fresh, migrated database for one bench run."""

from __future__ import annotations

import os
import secrets
from contextlib import asynccontextmanager
from typing import AsyncIterator

import asyncpg

from db.migrate import apply_migrations
from db.pool import _init_connection

SERVER = os.environ.get("CICERO_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@asynccontextmanager
async def bench_database(prefix: str = "cicero_bench") -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    """Yield (url, pool) of a new database on SERVER; dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(SERVER)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = SERVER.rsplit("/", 1)[0] + f"/{name}"
    pool = await asyncpg.create_pool(url, min_size=1, max_size=10, init=_init_connection)
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
