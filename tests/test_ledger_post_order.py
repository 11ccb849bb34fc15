"""A ledger row's task ids are in code-point order whatever the database's collation.

The collector sends rows it sorted itself; the rebuild, the task-list changes and the merge of a
conflicting row sort in SQL. They agree only if SQL sorts with `COLLATE "C"`. The test database's own
collation (C.UTF-8) sorts like "C", so this runs on a database whose default collation is ICU's
English, where "a1" comes before "B2" (in code-point order "B2" comes first).
"""

from __future__ import annotations

import os
import secrets
from datetime import date

import asyncpg
import pytest

from db.attendance_ledger import ledger_rows, rebuild
from db.migrate import apply_migrations
from db.pool import connect_pool
from db.posts import PostRecord, mark_removed, upsert_posts
from tests.support.factories import Factory, wib

DAY = date(2026, 2, 17)
IDS = ["a1", "B2", "c3", "D4"]


@pytest.fixture
async def english_pool(pg_server_url):
    admin = await asyncpg.connect(pg_server_url)
    if not await admin.fetchval("SELECT count(*) FROM pg_collation WHERE collname = 'en-x-icu'"):
        await admin.close()
        pytest.skip("this PostgreSQL server is built without ICU (the embedded one): no English collation")
    name = f"cicero_icu_{os.getpid()}_{secrets.token_hex(3)}"
    await admin.execute(f"""CREATE DATABASE "{name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'
                            LOCALE_PROVIDER icu ICU_LOCALE 'en-US'""")
    pool = await connect_pool(pg_server_url.rsplit("/", 1)[0] + f"/{name}", min_size=1, max_size=4)
    try:
        await apply_migrations(pool)
        yield pool
    finally:
        await pool.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_every_writer_keeps_code_point_order(english_pool):
    pool = english_pool
    assert await pool.fetchval("SELECT array_agg(x ORDER BY x) FROM unnest($1::text[]) x", IDS) == \
        ["a1", "B2", "c3", "D4"]                                     # the database's own order is not ours
    f = Factory(pool)
    await f.client("POLRES_A")
    await f.person("1", client_id="POLRES_A", instagram="budi")
    for post_id in IDS:
        await f.ig_post(post_id, client_id="POLRES_A", posted_at=wib(2026, 2, 17, 9))
    await f.likes("c3", ["budi"])
    await f.likes("a1", ["budi"])                                    # merged into the row: sorted in SQL
    await f.likes("B2", ["budi"])
    key = ("POLRES_A", "instagram", DAY, "1")
    assert await ledger_rows(pool) == {key: ("B2", "a1", "c3")}
    await f.likes("D4", ["budi"])
    assert await ledger_rows(pool) == {key: ("B2", "D4", "a1", "c3")}
    kept = await ledger_rows(pool)
    async with pool.acquire() as conn:
        await rebuild(conn)
    assert await ledger_rows(pool) == kept                           # the rebuild sorts the same way
    assert await mark_removed(pool, "instagram", "POLRES_A", ["a1"], at=wib(2026, 2, 17, 12)) == ["a1"]
    assert await ledger_rows(pool) == {key: ("B2", "D4", "c3")}
    async with pool.acquire() as conn:                               # listed again: its marks come back
        await upsert_posts(conn, "instagram", "POLRES_A", [PostRecord("a1", wib(2026, 2, 17, 9))],
                           seen_at=wib(2026, 2, 17, 13))
    assert await ledger_rows(pool) == kept
