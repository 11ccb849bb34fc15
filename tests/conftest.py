"""Shared fixtures: a real PostgreSQL per test module, loopback HTTP fakes, settings.

Database server, in order of preference:
1. `CICERO_TEST_DATABASE_URL` (a server URL; databases are created on it),
2. PostgreSQL on 127.0.0.1:5432 as user postgres, when reachable,
3. an embedded pgserver in a temporary directory.

A migrated template database is built once per session; each test module gets
its own copy (`CREATE DATABASE … TEMPLATE …`), and the `pool` fixture empties
every table before each test, so tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from core.settings import Settings, load_settings
from db.migrate import apply_migrations
from db.pool import connect_pool
from tests.support.http_fake import FakeHttpServer

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())

# Offline guard. No test may reach a real RapidAPI (or any other outside) host:
# in this process every name lookup of a non-loopback host fails at once, and
# processes the tests start inherit RapidAPI base URLs that point at a closed
# loopback port unless the test sets its own (a loopback fake).
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost", "", None}
CLOSED_LOOPBACK_URL = "http://127.0.0.1:9"
for _section in ("INSTAGRAM", "TIKTOK"):
    os.environ.setdefault(f"CICERO_{_section}__BASE_URL", CLOSED_LOOPBACK_URL)


class OfflineGuardError(OSError):
    """Raised instead of resolving an outside host during the tests."""


_real_getaddrinfo = socket.getaddrinfo


def _loopback_only_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name not in LOOPBACK_HOSTS and not str(name).startswith("127."):
        raise OfflineGuardError(f"offline guard: the tests may not reach {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_only_getaddrinfo


def _tcp_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _with_database(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory) -> str:
    """URL of a PostgreSQL server (any database on it) that tests may create databases on."""
    url = os.environ.get("CICERO_TEST_DATABASE_URL")
    if url:
        return url
    if _tcp_reachable("127.0.0.1", 5432):
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    from db.embedded import start_embedded

    server = start_embedded(tmp_path_factory.mktemp("pg") / "data", cleanup="delete")
    return server.admin_uri


async def _admin(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def template_database(pg_server_url) -> str:
    """A migrated database used as the template for every module's database."""
    name = f"cicero_tpl_{os.getpid()}_{secrets.token_hex(3)}"

    async def build() -> None:
        await _admin(pg_server_url, f'CREATE DATABASE "{name}"')
        pool = await asyncpg.create_pool(_with_database(pg_server_url, name), min_size=1, max_size=2)
        try:
            await apply_migrations(pool)
        finally:
            await pool.close()

    asyncio.run(build())
    yield name
    asyncio.run(_admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def database_url(pg_server_url, template_database) -> str:
    """A fresh, migrated database for this test module."""
    name = f"cicero_test_{os.getpid()}_{secrets.token_hex(4)}"
    asyncio.run(_admin(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    yield _with_database(pg_server_url, name)
    asyncio.run(_admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def truncate_all(pool: asyncpg.Pool) -> None:
    tables = await pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename NOT IN ('schema_migrations', 'directory_version') AND tablename NOT LIKE 'whatsmeow_%'"
    )
    if tables:
        names = ", ".join(f'"{t["tablename"]}"' for t in tables)
        await pool.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
async def pool(database_url):
    """The application's pool (`CiceroPool`, with its directory cache) on this module's database, emptied
    before the test."""
    p = await connect_pool(database_url, min_size=1, max_size=8)
    await truncate_all(p)
    yield p
    await p.close()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    """Settings pointing at this module's database; no config file, development mode."""
    return load_settings(
        tmp_path / "absent.toml",
        database={"url": database_url},
        general={"environment": "development"},
        whatsapp={"admins": ["6281100000001"], "transport": "console", "send_interval_seconds": 0},
    ).settings


@pytest.fixture
def embedded_dir():
    """A directory for an embedded PostgreSQL data dir, outside pytest's own temp root.

    As root, pgserver runs the server as user `pgserver` and opens the data
    directory's parents to it; pytest resets its temp root to mode 0700 whenever
    another pytest session starts, which would lock that server out mid-test.
    """
    path = Path(tempfile.mkdtemp(prefix="cicero-test-pg-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def http_fake():
    """A real HTTP server on 127.0.0.1 with routes the test registers."""
    server = FakeHttpServer()
    await server.start()
    yield server
    await server.stop()
