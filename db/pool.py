"""Connecting to PostgreSQL: the configured server or the embedded one.

`open_database()` is the one way in: it resolves the DSN, starts the embedded
server when `[database] url` is empty, creates the pool and optionally applies
migrations. A server that cannot be reached becomes a `DatabaseUnavailable`
with one clear sentence, never a driver traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator, Union
from urllib.parse import urlsplit

import asyncpg

from db.directory_cache import DirectoryCache
from db.embedded import EMBEDDED_DATABASE, EmbeddedServer, start_embedded

log = logging.getLogger(__name__)

Executor = Union[asyncpg.Pool, asyncpg.Connection]


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or used; the message is for an operator."""


# Errors that mean "the server is gone or refusing work", not "this statement is wrong".
_OUTAGE_TYPES = (
    DatabaseUnavailable,
    asyncpg.PostgresConnectionError,        # connection lost mid-query, rejected, failed
    asyncpg.CannotConnectNowError,          # starting up / shutting down / in recovery
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    ConnectionError,                        # refused, reset, aborted (TCP)
    TimeoutError,                           # connect or acquire deadline (asyncio.TimeoutError too)
    socket.gaierror,
)
_CLOSED_CONNECTION_TEXT = ("connection is closed", "connection was closed", "pool is closing")


def is_database_outage(exc: BaseException) -> bool:
    """Whether `exc` says PostgreSQL is unreachable (answer "try again later"), not that a query is wrong."""
    if isinstance(exc, _OUTAGE_TYPES):
        return True
    if isinstance(exc, FileNotFoundError) and exc.filename is None:
        return True  # the Unix socket of a stopped server is gone (embedded PostgreSQL)
    return isinstance(exc, asyncpg.InterfaceError) and any(t in str(exc) for t in _CLOSED_CONNECTION_TEXT)


@dataclass
class DatabaseTarget:
    dsn: str
    password: str | None
    description: str  # safe to print: no password
    embedded: EmbeddedServer | None = None


@dataclass
class Database:
    pool: asyncpg.Pool
    target: DatabaseTarget
    applied_migrations: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        return self.target.description


def describe_dsn(dsn: str) -> str:
    parts = urlsplit(dsn)
    host = parts.hostname or "(socket)"
    port = f":{parts.port}" if parts.port else ""
    user = parts.username or ""
    return f"postgresql://{user}@{host}{port}{parts.path}"


async def resolve_target(
    url: str, password: str | None, data_dir: Path, *, embedded_cleanup: str = "stop"
) -> DatabaseTarget:
    """The configured URL, or a freshly started (or joined) embedded server."""
    if url:
        return DatabaseTarget(dsn=url, password=password, description=describe_dsn(url))
    server = await asyncio.to_thread(start_embedded, data_dir, embedded_cleanup)
    admin = server.admin_uri
    await _ensure_database(admin, EMBEDDED_DATABASE)
    dsn = server.uri_for(EMBEDDED_DATABASE)
    return DatabaseTarget(
        dsn=dsn, password=None, description=f"embedded PostgreSQL in {server.data_dir}", embedded=server
    )


async def _ensure_database(admin_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                pass  # another process created it between our check and CREATE DATABASE
    finally:
        await conn.close()


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def copy_text(conn: asyncpg.Connection, table: str, columns: list[str], text: bytes) -> None:
    """COPY rows already in COPY's text format into `table` (the caller checked nothing needs escaping)."""

    async def chunks():
        yield text

    await conn.copy_to_table(table, source=chunks(), columns=columns, format="text")


class CiceroPool(asyncpg.Pool):
    """The application's pool: asyncpg's, plus what the process keeps between requests and must lose with
    the pool (the recaps' directory, `db.directory_cache`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory_cache = DirectoryCache()


async def connect_pool(dsn: str, *, password: str | None = None, min_size: int = 1, max_size: int = 10,
                       command_timeout: float | None = 60.0, timeout: float = 10) -> CiceroPool:
    """A `CiceroPool` on `dsn` with the application's connection set-up (JSON codecs)."""
    return await CiceroPool(dsn, password=password, min_size=min_size, max_size=max_size,
                            command_timeout=command_timeout, init=_init_connection, timeout=timeout,
                            connection_class=asyncpg.Connection, record_class=asyncpg.Record,
                            max_queries=50_000, max_inactive_connection_lifetime=300.0, loop=None)


async def create_pool(target: DatabaseTarget, *, min_size: int = 1, max_size: int = 10,
                      command_timeout: float = 60.0) -> CiceroPool:
    try:
        return await connect_pool(target.dsn, password=target.password, min_size=min_size, max_size=max_size,
                                  command_timeout=command_timeout)
    except (OSError, asyncio.TimeoutError) as exc:
        raise DatabaseUnavailable(
            f"cannot reach PostgreSQL at {target.description}: {exc.__class__.__name__}: {exc}. "
            "Start the server, fix [database] url, or leave it empty to use the embedded database."
        ) from None
    except asyncpg.InvalidCatalogNameError:
        raise DatabaseUnavailable(
            f"the database in {target.description} does not exist; create it (createdb) or fix [database] url"
        ) from None
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError) as exc:
        raise DatabaseUnavailable(f"PostgreSQL refused the login for {target.description}: {exc}") from None
    except asyncpg.PostgresError as exc:
        raise DatabaseUnavailable(f"PostgreSQL error at {target.description}: {exc}") from None


@asynccontextmanager
async def open_database(settings, *, migrate: bool = True) -> AsyncIterator[Database]:
    """Pool for `settings.database`, migrated unless `migrate=False`; closed on exit."""
    from db.migrate import apply_migrations

    cfg = settings.database
    password = cfg.password.get_secret_value() if cfg.password else None
    target = await resolve_target(cfg.url, password, cfg.data_dir)
    pool = await create_pool(
        target, min_size=cfg.pool_min, max_size=cfg.pool_max, command_timeout=cfg.command_timeout_seconds
    )
    try:
        applied = await apply_migrations(pool) if migrate else []
        yield Database(pool=pool, target=target, applied_migrations=applied)
    finally:
        await pool.close()


@asynccontextmanager
async def transaction(db: Executor) -> AsyncIterator[asyncpg.Connection]:
    """A connection inside a transaction: a new one from a pool (committed on exit), or the caller's
    connection as it is (the caller's transaction decides) — for write paths that accept either."""
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn, conn.transaction():
            yield conn
    else:
        yield db
