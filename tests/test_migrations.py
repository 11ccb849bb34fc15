import asyncio
import secrets

import asyncpg
import pytest

from db.migrate import apply_migrations, discover, migration_status
from tests.conftest import _admin, _with_database


@pytest.fixture
async def empty_db(pg_server_url):
    """A database with no tables at all, dropped afterwards."""
    name = f"cicero_mig_{secrets.token_hex(4)}"
    await _admin(pg_server_url, f'CREATE DATABASE "{name}"')
    yield _with_database(pg_server_url, name)
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_are_discovered_in_version_order():
    versions = [m.version for m in discover()]
    assert versions == sorted(versions)
    assert versions[0] == "0001"


async def test_module_database_is_fully_migrated(pool):
    status = await migration_status(pool)
    assert status and all(s.state == "applied" for s in status)
    tables = {r["tablename"] for r in await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
    for expected in ("clients", "personnel", "dashboard_accounts", "instagram_posts", "tiktok_posts", "engagements",
                     "notification_state", "outbox", "conversation_sessions", "job_runs", "login_log"):
        assert expected in tables


async def test_applying_again_is_a_no_op(pool):
    assert await apply_migrations(pool) == []


async def test_concurrent_migrators_apply_each_file_once(empty_db):
    pools = [await asyncpg.create_pool(empty_db, min_size=1, max_size=1) for _ in range(4)]
    try:
        results = await asyncio.gather(*(apply_migrations(p) for p in pools))
        applied = [v for r in results for v in r]
        assert sorted(applied) == sorted(m.version for m in discover())
        assert await pools[0].fetchval("SELECT count(*) FROM schema_migrations") == len(discover())
    finally:
        for p in pools:
            await p.close()


async def test_a_failing_migration_rolls_back_and_is_not_recorded(empty_db, tmp_path):
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE probe_ok (id int);")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE probe_bad (id int); SELECT no_such_function();")
    pool = await asyncpg.create_pool(empty_db, min_size=1, max_size=1)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await apply_migrations(pool, tmp_path)
        assert [r["version"] for r in await pool.fetch("SELECT version FROM schema_migrations")] == ["0001"]
        assert await pool.fetchval("SELECT to_regclass('probe_bad')") is None
        status = {s.version: s.state for s in await migration_status(pool, tmp_path)}
        assert status == {"0001": "applied", "0002": "pending"}
        (tmp_path / "0001_ok.sql").write_text("CREATE TABLE probe_ok (id int, extra int);")
        status = {s.version: s.state for s in await migration_status(pool, tmp_path)}
        assert status["0001"] == "modified"
    finally:
        await pool.close()
