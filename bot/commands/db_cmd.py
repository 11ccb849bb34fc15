"""`cicero db migrate|status`."""

from __future__ import annotations

from bot.commands.common import CliContext, database, esc, table
from db.migrate import migration_status


def register(subparsers) -> None:
    p = subparsers.add_parser("db", help="database migrations")
    sub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    sub.add_parser("migrate", help="apply pending migrations").set_defaults(handler=migrate)
    sub.add_parser("status", help="list migrations and whether they are applied").set_defaults(handler=status)


async def migrate(ctx: CliContext) -> int:
    async with database(ctx, migrate=True) as db:
        if db.applied_migrations:
            ctx.console.print(f"applied {len(db.applied_migrations)} migration(s): {esc(', '.join(db.applied_migrations))}")
        else:
            ctx.console.print("database is up to date")
        ctx.console.print(f"database: {esc(db.description)}")
    return 0


async def status(ctx: CliContext) -> int:
    async with database(ctx, migrate=False) as db:
        rows = await migration_status(db.pool)
        ctx.console.print(f"database: {esc(db.description)}")
        ctx.console.print(
            table("Migrations", ["version", "name", "state", "applied at"],
                  [[r.version, r.name, r.state, r.applied_at or ""] for r in rows])
        )
        pending = [r for r in rows if r.state != "applied"]
    return 1 if pending else 0
