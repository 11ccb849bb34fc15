"""`cicero outbox [--status …]`, `cicero outbox show ID`, `cicero outbox retry ID`: the message outbox."""

from __future__ import annotations

from bot.commands.common import CliContext, UserError, database, table
from db.outbox import STATUSES, get_message, list_messages, requeue_dead, status_counts
from core.clock import SystemClock


def register(subparsers) -> None:
    p = subparsers.add_parser("outbox", help="list queued WhatsApp messages; show or retry one")
    p.add_argument("--status", choices=list(STATUSES), help="only messages with this status")
    p.add_argument("--client", help="only messages of this client id")
    p.add_argument("--limit", type=int, default=50, help="newest N messages (default 50)")
    p.add_argument("--full", action="store_true", help="print each message's whole text")
    p.set_defaults(handler=list_cmd)
    sub = p.add_subparsers(dest="outbox_command", metavar="ACTION")
    show = sub.add_parser("show", help="print one message in full")
    show.add_argument("id", type=int)
    show.set_defaults(handler=show_cmd)
    retry = sub.add_parser("retry", help="requeue a dead message")
    retry.add_argument("id", type=int)
    retry.set_defaults(handler=retry_cmd)


def _when(ts, tz) -> str:
    return ts.astimezone(tz).strftime("%Y-%m-%d %H:%M") if ts else ""


def _first_line(body: str, width: int = 60) -> str:
    line = (body or "").strip().splitlines()[0] if (body or "").strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


async def list_cmd(ctx: CliContext) -> int:
    a = ctx.args
    if a.limit < 1:
        raise UserError("--limit harus 1 atau lebih")
    tz = ctx.settings.tz
    async with database(ctx) as db:
        rows = await list_messages(db.pool, status=a.status, limit=a.limit,
                                   client_id=a.client.upper() if a.client else None)
        counts = await status_counts(db.pool)
    summary = ", ".join(f"{s} {counts.get(s, 0)}" for s in STATUSES)
    data = [[m.id, _when(m.created_at, tz), m.status, m.kind, m.recipient, m.client_id or "-",
             m.attempts, _first_line(m.body) + (" [dokumen]" if m.document else ""),
             _when(m.next_attempt_at, tz) if m.status == "pending" else _when(m.sent_at, tz),
             (m.last_error or "")[:60]]
            for m in rows]
    ctx.console.print(table(f"outbox — {summary}", ["id", "queued (WIB)", "status", "kind", "recipient", "client",
                                                   "tries", "message", "sent / next (WIB)", "last error"], data))
    if a.full:
        for m in reversed(rows):
            ctx.console.rule(f"#{m.id} → {m.recipient} ({m.status})")
            ctx.console.print(m.body, markup=False, highlight=False)
    return 0


async def show_cmd(ctx: CliContext) -> int:
    async with database(ctx) as db:
        m = await get_message(db.pool, ctx.args.id)
    if m is None:
        raise UserError(f"pesan outbox #{ctx.args.id} tidak ada")
    tz = ctx.settings.tz
    ctx.console.print(f"#{m.id} {m.kind} → {m.recipient} · status {m.status} · {m.attempts} percobaan · "
                      f"dibuat {_when(m.created_at, tz)} · terkirim {_when(m.sent_at, tz) or '-'}", markup=False)
    if m.wa_message_id:
        ctx.console.print(f"WhatsApp id: {m.wa_message_id}", markup=False)
    if m.last_error:
        ctx.console.print(f"galat terakhir: {m.last_error}", markup=False)
    ctx.console.rule()
    ctx.console.print(m.body, markup=False, highlight=False)
    return 0


async def retry_cmd(ctx: CliContext) -> int:
    clock = SystemClock(ctx.settings.tz)
    async with database(ctx) as db:
        m = await get_message(db.pool, ctx.args.id)
        if m is None:
            raise UserError(f"pesan outbox #{ctx.args.id} tidak ada")
        if not await requeue_dead(db.pool, m.id, now=clock.now()):
            raise UserError(f"pesan outbox #{m.id} berstatus {m.status}; hanya pesan 'dead' yang bisa dikirim ulang")
    ctx.console.print(f"pesan #{m.id} ke {m.recipient} diantrikan ulang; dikirim saat WhatsApp tersambung", markup=False)
    return 0
