"""`riwayat [CLIENT]`: the latest changes from the audit log — who, through which channel, what, before → after.

Admins see every change (or one client's); a super-admin only their own clients'.
The rows are `db.audit.audit_rows`, the same as `cicero audit`.
"""

from __future__ import annotations

from typing import Any

from db.audit import AuditRow, audit_rows
from handlers.console.common import client_in_scope, shown, when
from handlers.context import Command, HandlerContext
from handlers.identity import ADMIN_OR_SUPER

MAX_ROWS = 15
MAX_FIELDS = 4
MAX_VALUE_CHARS = 40
CHANNEL_LABEL = {"whatsapp": "WA", "cli": "CLI", "api": "API", "system": "sistem"}


def _value(value: Any) -> str:
    text = shown(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def change_text(row: AuditRow) -> str:
    """`field: before → after` for each changed field (at most MAX_FIELDS), or what happened."""
    before, after = row.before or {}, row.after or {}
    if row.before is None and row.after is not None:
        return "dibuat"
    if row.after is None and row.before is not None:
        return "dihapus"
    keys = list(dict.fromkeys([*before, *after]))
    parts = [f"{k}: {_value(before.get(k))} → {_value(after.get(k))}" for k in keys[:MAX_FIELDS]]
    if len(keys) > MAX_FIELDS:
        parts.append(f"+{len(keys) - MAX_FIELDS} lainnya")
    return "; ".join(parts) or "-"


def row_text(row: AuditRow, ctx: HandlerContext) -> str:
    where = f" [{row.client_id}]" if row.client_id else ""
    note = f" — {row.note}" if row.note else ""
    return (f"• {when(row.at, ctx)} · {row.actor} ({CHANNEL_LABEL.get(row.channel, row.channel)})\n"
            f"  {row.action} {row.entity_id}{where}: {change_text(row)}{note}")


async def riwayat_command(ctx: HandlerContext, args: str) -> None:
    words = args.split()
    client_id = (await client_in_scope(ctx, words[0])).id if words else None
    scope = ctx.identity.manageable_client_ids
    rows = await audit_rows(ctx.pool, client_id=client_id, limit=MAX_ROWS,
                            client_ids=list(scope) if scope is not None and client_id is None else None)
    title = f"📜 *Riwayat perubahan{' ' + client_id if client_id else ''}*"
    if not rows:
        await ctx.reply(f"{title}\nBelum ada perubahan tercatat.")
        return
    await ctx.reply("\n".join([title, f"{len(rows)} terbaru:", "", *[row_text(r, ctx) for r in rows]]))


COMMANDS = [
    Command(id="riwayat", triggers=("riwayat",), usage="riwayat [CLIENT]",
            help="perubahan terakhir (siapa, lewat mana, sebelum → sesudah)",
            allowed=ADMIN_OR_SUPER, handler=riwayat_command, takes_args=True),
]
