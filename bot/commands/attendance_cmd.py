"""`cicero attendance rebuild [--client ID] [--since DATE]`: recompute the attendance ledger from raw engagement."""

from __future__ import annotations

import time
from datetime import date

from bot.commands.common import CliContext, UserError, database
from db.attendance_ledger import LedgerZoneMismatch, rebuild
from db.clients import get_client


def register(subparsers) -> None:
    p = subparsers.add_parser("attendance", help="the attendance ledger")
    sub = p.add_subparsers(dest="attendance_command", metavar="ACTION", required=True)
    rb = sub.add_parser("rebuild", help="recompute the attendance ledger from the stored engagement")
    rb.add_argument("--client", help="only this client's tasks")
    rb.add_argument("--since", help="only tasks of this day (YYYY-MM-DD, Asia/Jakarta) and later")
    rb.set_defaults(handler=rebuild_ledger)


def _since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--since must be a date YYYY-MM-DD, not {text[:40]!r}") from None


async def rebuild_ledger(ctx: CliContext) -> int:
    since = _since(ctx.args.since)
    client_id = ctx.args.client.strip().upper() if ctx.args.client else None
    zone = ctx.settings.general.timezone
    started = time.perf_counter()
    async with database(ctx) as db:
        if client_id and await get_client(db.pool, client_id) is None:
            raise UserError(f"client {client_id} tidak ditemukan")
        try:
            async with db.pool.acquire() as conn:
                outcome = await rebuild(conn, zone=zone, client_id=client_id, since=since)
        except LedgerZoneMismatch as exc:
            raise UserError(str(exc)) from None
    scope = " ".join(filter(None, [f"client {client_id}" if client_id else "all clients",
                                   f"from {since.isoformat()}" if since else ""]))
    ctx.console.print(f"attendance ledger rebuilt ({scope}, days in {outcome.zone}): {outcome.deleted:,} rows "
                      f"removed, {outcome.written:,} rows written in {time.perf_counter() - started:.2f}s")
    return 0
