"""`cicero backup [FILE]` and `cicero restore FILE`: the database and the JWT secret in one file.

The PostgreSQL client is picked to match the server (the embedded server is
PostgreSQL 16, the system's pg_dump may be 15). Stop the service before a
restore; see docs/operations.md.
"""

from __future__ import annotations

from pathlib import Path

from bot.backup import BackupError, NotABackup, create_backup, default_backup_path, restore_backup
from bot.commands.common import CliContext, UserError, database, esc
from core.clock import SystemClock


def register(subparsers) -> None:
    b = subparsers.add_parser("backup", help="write the database and the JWT secret to one file")
    b.add_argument("file", nargs="?", help="where to write (default: var/backups/cicero-YYYYMMDD-HHMMSS.tar)")
    _timeout(b)
    b.set_defaults(handler=backup)
    r = subparsers.add_parser("restore", help="restore a `cicero backup` file into an empty database")
    r.add_argument("file", help="the backup file")
    r.add_argument("--force", action="store_true",
                   help="restore into a database that already has tables (replaces what the backup holds) and "
                        "replace a different var/jwt-secret")
    _timeout(r)
    r.set_defaults(handler=restore)


def _timeout(p) -> None:
    p.add_argument("--timeout-minutes", type=float, default=60.0, help="give up after this long (default 60)")


def _seconds(ctx: CliContext) -> float:
    if not 0 < ctx.args.timeout_minutes <= 24 * 60:
        raise UserError("--timeout-minutes must be between 0 and 1440")
    return ctx.args.timeout_minutes * 60


async def backup(ctx: CliContext) -> int:
    timeout = _seconds(ctx)
    now = SystemClock(ctx.settings.tz).now()
    out = Path(ctx.args.file) if ctx.args.file else default_backup_path(ctx.settings, now)
    if out.exists():
        raise UserError(f"{out} already exists; name another file")
    async with database(ctx, migrate=False) as db:
        try:
            report = await create_backup(ctx.settings, db, out, now=now, timeout=timeout)
        except BackupError as exc:
            ctx.console.print(f"[bold red]backup failed:[/] {esc(exc)}", highlight=False)
            return 1
    ctx.console.print(f"backup written: {esc(report.path)} ({report.size:,} bytes, mode 0600)", highlight=False)
    ctx.console.print(f"  database   : {esc(db.description)}, {len(report.migrations)} migration(s) applied",
                      highlight=False)
    ctx.console.print(f"  client     : {esc(report.tool.describe())}", highlight=False)
    ctx.console.print("  jwt secret : " + ("var/jwt-secret included" if report.with_secret else
                                          "none generated (configured via CICERO_API__JWT_SECRET or a file: "
                                          "keep that safe yourself)"), highlight=False)
    return 0


async def restore(ctx: CliContext) -> int:
    timeout = _seconds(ctx)
    async with database(ctx, migrate=False) as db:
        try:
            report = await restore_backup(ctx.settings, db, Path(ctx.args.file), force=ctx.args.force,
                                          timeout=timeout)
        except NotABackup as exc:
            raise UserError(f"cannot restore {ctx.args.file}: {exc}") from None
        except BackupError as exc:
            ctx.console.print(f"[bold red]restore failed:[/] {esc(exc)}", highlight=False)
            return 1
    m = report.manifest
    ctx.console.print(f"restored {esc(ctx.args.file)} (made {esc(m.get('created_at', '?'))} from "
                      f"{esc(m.get('database', '?'))}) into {esc(db.description)}", highlight=False)
    ctx.console.print(f"  client     : {esc(report.tool.describe())}", highlight=False)
    ctx.console.print("  rows       : " + ", ".join(f"{k} {v}" for k, v in report.counts.items()), highlight=False)
    ctx.console.print(f"  jwt secret : {esc(report.secret)}", highlight=False)
    if report.pending_migrations:
        ctx.console.print(f"  next       : {report.pending_migrations} migration(s) newer than the backup: run "
                          "`cicero db migrate` (or start the service, which migrates)", highlight=False)
    return 0
