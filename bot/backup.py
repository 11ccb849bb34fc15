"""`cicero backup` / `cicero restore`: one file with everything a Cicero needs to come back.

A backup is a tar file (mode 0600: it holds the WhatsApp session and the JWT
secret) with three members:

* `cicero.dump` — `pg_dump -Fc` of the database: posts, engagement, personnel,
  outbox, conversations, job runs and the WhatsApp session (`whatsmeow_*`);
* `jwt-secret` — the generated API secret (`var/jwt-secret`, beside the data
  directory) when there is one, so dashboard logins survive a restore;
* `manifest.json` — when, from which server, with which pg_dump, which migrations.

A restore goes into an empty database (the embedded one of a fresh data
directory, or a new `createdb`); `--force` replaces the objects of a database
that already has tables. The dump and restore clients are picked to match the
server (`db/backup.py`).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncpg

from bot.api.part import generated_secret_path
from core.settings import Settings
from db.backup import (
    BackupError, PgTool, dump_database, pick_tool, restore_database, restored_counts, server_major, server_version,
    user_table_count,
)
from db.directory_cache import bump_directory_version
from db.migrate import migration_status
from db.pool import Database

FORMAT = 1
DUMP_MEMBER = "cicero.dump"
SECRET_MEMBER = "jwt-secret"
MANIFEST_MEMBER = "manifest.json"
MEMBERS = (DUMP_MEMBER, SECRET_MEMBER, MANIFEST_MEMBER)
MAX_MANIFEST_BYTES = 64 * 1024
MAX_SECRET_BYTES = 4096


class NotABackup(ValueError):
    """The file is not a Cicero backup (or is damaged); the message says why."""


@dataclass
class BackupReport:
    path: Path
    tool: PgTool
    size: int
    with_secret: bool
    migrations: list[str]


@dataclass
class RestoreReport:
    tool: PgTool
    manifest: dict
    secret: str  # what happened to the JWT secret, in a sentence
    counts: dict[str, int] = field(default_factory=dict)
    pending_migrations: int = 0


def default_backup_path(settings: Settings, now: datetime) -> Path:
    """`var/backups/cicero-YYYYMMDD-HHMMSS.tar` beside the data directory (local time of `now`)."""
    return Path(settings.database.data_dir).resolve().parent / "backups" / f"cicero-{now:%Y%m%d-%H%M%S}.tar"


async def create_backup(settings: Settings, db: Database, out: Path, *, now: datetime,
                        timeout: float) -> BackupReport:
    """Dump the database and bundle it with the JWT secret and a manifest into `out` (never half-written)."""
    tool = pick_tool("pg_dump", await server_major(db.pool))
    applied = [s.version for s in await migration_status(db.pool) if s.state == "applied"]
    secret_path = generated_secret_path(settings)
    secret = secret_path.read_bytes() if secret_path.is_file() else None
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".cicero-backup-") as work:
        dump = Path(work) / DUMP_MEMBER
        await dump_database(db.target, tool, dump, timeout=timeout)
        manifest = {
            "format": FORMAT, "created_at": now.isoformat(), "database": db.description,
            "server_version": await server_version(db.pool), "pg_dump": tool.version,
            "migrations": applied, "jwt_secret": secret is not None,
        }
        partial = Path(work) / "backup.tar"
        await asyncio.to_thread(write_bundle, partial, dump, secret, manifest)
        os.replace(partial, out)
    return BackupReport(out, tool, out.stat().st_size, secret is not None, applied)


def write_bundle(path: Path, dump: Path, secret: bytes | None, manifest: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as tar:
        tar.add(dump, arcname=DUMP_MEMBER)
        if secret is not None:
            _add_bytes(tar, SECRET_MEMBER, secret)
        _add_bytes(tar, MANIFEST_MEMBER, json.dumps(manifest, indent=2).encode())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))


def read_manifest(tar: tarfile.TarFile) -> dict:
    names = tar.getnames()
    if DUMP_MEMBER not in names or MANIFEST_MEMBER not in names:
        raise NotABackup(f"it does not hold {DUMP_MEMBER} and {MANIFEST_MEMBER}")
    if any(n not in MEMBERS for n in names):
        raise NotABackup(f"unexpected member(s): {', '.join(n for n in names if n not in MEMBERS)}")
    info = tar.getmember(MANIFEST_MEMBER)
    if not info.isfile() or info.size > MAX_MANIFEST_BYTES:
        raise NotABackup("its manifest is not a small file")
    try:
        manifest = json.loads(tar.extractfile(info).read())
    except ValueError:
        raise NotABackup("its manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise NotABackup(f"unknown backup format {manifest.get('format') if isinstance(manifest, dict) else '?'}")
    return manifest


def open_backup(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except FileNotFoundError:
        raise NotABackup(f"{path} does not exist") from None
    except (tarfile.TarError, OSError) as exc:
        raise NotABackup(f"{path} is not a backup file ({exc})") from None


async def restore_backup(settings: Settings, db: Database, bundle: Path, *, force: bool,
                         timeout: float) -> RestoreReport:
    """Restore `bundle` into the configured database (empty unless `force`) and put the JWT secret back."""
    with open_backup(bundle) as tar:
        manifest = read_manifest(tar)
        tables = await user_table_count(db.pool)
        if tables and not force:
            raise NotABackup(f"the database ({db.description}) already has {tables} table(s); restore into an "
                             "empty database, or pass --force to replace what the backup contains")
        dump_major = int(str(manifest.get("pg_dump", "0")).split(".")[0] or 0)
        tool = pick_tool("pg_restore", max(await server_major(db.pool), dump_major))
        with tempfile.TemporaryDirectory(prefix=".cicero-restore-") as work:
            dump = Path(work) / DUMP_MEMBER
            await asyncio.to_thread(copy_member, tar, DUMP_MEMBER, dump)
            await restore_database(db.target, tool, dump, clean=bool(tables), timeout=timeout)
        await _directory_changed(db)
        secret = _restore_secret(tar, generated_secret_path(settings), force=force)
    report = RestoreReport(tool, manifest, secret, counts=await restored_counts(db.pool))
    report.pending_migrations = sum(1 for s in await migration_status(db.pool) if s.state != "applied")
    return report


async def _directory_changed(db: Database) -> None:
    """A running service must not keep the recaps' directories of before the restore. A dump older than
    migration 0210 has no version row: the migration then creates one, new."""
    try:
        await bump_directory_version(db.pool)
    except asyncpg.UndefinedTableError:
        pass


def copy_member(tar: tarfile.TarFile, name: str, dest: Path) -> None:
    with tar.extractfile(name) as src, open(dest, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)


def _restore_secret(tar: tarfile.TarFile, path: Path, *, force: bool) -> str:
    if SECRET_MEMBER not in tar.getnames():
        return "the backup has no generated JWT secret (it was configured another way); nothing written"
    info = tar.getmember(SECRET_MEMBER)
    if not info.isfile() or info.size > MAX_SECRET_BYTES:
        raise NotABackup("its jwt-secret is not a small file")
    secret = tar.extractfile(info).read()
    if path.is_file() and path.read_bytes() == secret:
        return f"JWT secret already in place ({path})"
    if path.is_file() and not force:
        return (f"kept the existing JWT secret in {path} (it differs from the backup's; --force replaces it, "
                "which signs every dashboard user out)")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.restoring")
    partial.unlink(missing_ok=True)
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(secret)
    os.replace(partial, path)
    return f"JWT secret restored to {path}"


__all__ = ["BackupError", "NotABackup", "create_backup", "default_backup_path", "restore_backup"]
