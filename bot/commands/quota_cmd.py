"""`cicero quota [--json]`: RapidAPI requests per key today, the day's projected total, the API's remaining quota."""

from __future__ import annotations

import json

from bot.commands.common import CliContext, database, table
from core.clock import SystemClock
from jobs.quota import quota_report


def register(subparsers) -> None:
    p = subparsers.add_parser("quota", help="RapidAPI use today per key, projected daily total, remaining quota")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=show_quota)


async def show_quota(ctx: CliContext) -> int:
    async with database(ctx, migrate=True) as db:
        lines = await quota_report(db.pool, ctx.settings, SystemClock(ctx.settings.tz).now())
    if ctx.args.json:
        print(json.dumps([{**line.__dict__, "remaining_percent": line.remaining_percent} for line in lines], indent=2))
        return 0
    rows = []
    for line in lines:
        pct = line.remaining_percent
        rows.append([line.platform, line.key_id, f"{line.requests_today:,}", f"{line.projected_today:,}",
                     "-" if line.limit_requests is None else f"{line.limit_requests:,}",
                     "-" if line.remaining is None else f"{line.remaining:,}" + (f" ({pct:.0f}%)" if pct is not None else "")])
    ctx.console.print(table("RapidAPI quota (today, Asia/Jakarta)",
                            ["platform", "key", "requests today", "projected today", "limit", "remaining"], rows))
    ctx.console.print(f"warning to the admins under {ctx.settings.fetch.quota_warn_percent:g}% remaining "
                      "and when exhausted", highlight=False)
    return 0
