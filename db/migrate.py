"""Plain-SQL migrations: `db/migrations/NNNN_name.sql`, applied in order.

Each file runs in its own transaction and is recorded in `schema_migrations`
with a checksum. A session-level advisory lock makes concurrent migrators wait
for each other, so two processes starting together never apply a file twice.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK_ID = 0x43494345  # "CICE"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class MigrationStatus:
    version: str
    name: str
    applied_at: object | None
    state: str  # applied | pending | modified | missing-file


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file {path.name} does not match NNNN_name.sql")
        found.append(Migration(version=m.group(1), name=m.group(2), path=path))
    versions = [m.version for m in found]
    dupes = {v for v in versions if versions.count(v) > 1}
    if dupes:
        raise ValueError(f"duplicate migration versions: {', '.join(sorted(dupes))}")
    return found


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    checksum    TEXT NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


async def apply_migrations(pool: asyncpg.Pool, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every pending migration; return the versions applied now."""
    migrations = discover(directory)
    applied_now: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
        try:
            await conn.execute(_CREATE_TABLE)
            done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
            for migration in migrations:
                if migration.version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                log.info("applied migration %s_%s", migration.version, migration.name)
                applied_now.append(migration.version)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
    return applied_now


async def migration_status(pool: asyncpg.Pool, directory: Path = MIGRATIONS_DIR) -> list[MigrationStatus]:
    migrations = discover(directory)
    async with pool.acquire() as conn:
        exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        rows = await conn.fetch("SELECT * FROM schema_migrations") if exists else []
    applied = {r["version"]: r for r in rows}
    out = []
    for m in migrations:
        row = applied.pop(m.version, None)
        if row is None:
            out.append(MigrationStatus(m.version, m.name, None, "pending"))
        elif row["checksum"] != m.checksum:
            out.append(MigrationStatus(m.version, m.name, row["applied_at"], "modified"))
        else:
            out.append(MigrationStatus(m.version, m.name, row["applied_at"], "applied"))
    for version, row in sorted(applied.items()):
        out.append(MigrationStatus(version, row["name"], row["applied_at"], "missing-file"))
    return out
