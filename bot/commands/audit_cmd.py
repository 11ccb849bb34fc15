"""`cicero audit [--client ID] [--since WHEN] [--limit N]`: the audit log, newest first.

Every change to clients, personnel, exceptions, dashboard accounts and groups —
from WhatsApp, the CLI or the API — is one row (`db/audit.py`). The WhatsApp
console's `riwayat` shows the same rows.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

from bot.commands.common import CliContext, UserError, database, table
from core.clock import SystemClock, day_range
from db.audit import audit_rows

_RELATIVE = re.compile(r"^(\d{1,4})([hd])$")


def register(subparsers) -> None:
    p = subparsers.add_parser("audit", help="who changed what: the audit log, newest first")
    p.add_argument("--client", help="only changes of this client id")
    p.add_argument("--since", help="YYYY-MM-DD (a Jakarta day), or 24h / 7d back from now")
    p.add_argument("--limit", type=int, default=50, help="newest N rows (default 50, at most 1000)")
    p.set_defaults(handler=audit_cmd)


def since_moment(raw: str | None, now: datetime, tz) -> datetime | None:
    if not raw:
        return None
    text = raw.strip().lower()
    m = _RELATIVE.match(text)
    if m:
        amount = int(m.group(1))
        return now - (timedelta(hours=amount) if m.group(2) == "h" else timedelta(days=amount))
    try:
        return day_range(date.fromisoformat(text), tz)[0]
    except ValueError:
        raise UserError(f"--since {raw!r}: use YYYY-MM-DD, or a span such as 24h or 7d") from None


def _values(values: dict | None) -> str:
    if not values:
        return "-"
    text = json.dumps(values, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


async def audit_cmd(ctx: CliContext) -> int:
    a = ctx.args
    if not 1 <= a.limit <= 1000:
        raise UserError("--limit must be between 1 and 1000")
    tz = ctx.settings.tz
    since = since_moment(a.since, SystemClock(tz).now(), tz)
    async with database(ctx) as db:
        rows = await audit_rows(db.pool, client_id=a.client.strip().upper() if a.client else None, since=since,
                                limit=a.limit)
    data = [[r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), r.actor, r.channel, r.action, r.entity_id,
             r.client_id or "-", _values(r.before), _values(r.after), r.note or ""] for r in rows]
    ctx.console.print(table(f"{len(rows)} audit row(s), newest first",
                            ["at (WIB)", "who", "channel", "action", "what", "client", "before", "after", "note"],
                            data))
    return 0
