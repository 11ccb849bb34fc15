"""`cicero posts add|remove|list`: manual task posts of a client (when the API missed one, or one must go)."""

from __future__ import annotations

from datetime import date

from bot.commands.common import CliContext, UserError, cli_actor, database, table
from core.clock import SystemClock, day_range
from jobs.manual_posts import ManualPostError, add_manual_post, remove_manual_post, task_list


def register(subparsers) -> None:
    p = subparsers.add_parser("posts", help="a client's task posts: add one by URL, remove one, list them")
    sub = p.add_subparsers(dest="posts_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="make a post a task of the client (Instagram post/reel or TikTok video URL)")
    add.add_argument("url")
    add.add_argument("--client", required=True, metavar="ID")
    add.set_defaults(handler=add_post)
    rm = sub.add_parser("remove", help="take a post off the client's tasks, with a reason")
    rm.add_argument("url")
    rm.add_argument("--client", required=True, metavar="ID")
    rm.add_argument("--reason", required=True)
    rm.set_defaults(handler=remove_post)
    ls = sub.add_parser("list", help="the client's task posts of a day, with who added or removed them")
    ls.add_argument("--client", required=True, metavar="ID")
    ls.add_argument("--date", help="YYYY-MM-DD (default: today, Asia/Jakarta)")
    ls.set_defaults(handler=list_posts)


async def add_post(ctx: CliContext) -> int:
    async with database(ctx) as db:
        try:
            out = await add_manual_post(db.pool, ctx.args.client, ctx.args.url, cli_actor(),
                                        now=SystemClock(ctx.settings.tz).now())
        except ManualPostError as exc:
            raise UserError(str(exc)) from None
    when = out.posted_at.astimezone(ctx.settings.tz)
    ctx.console.print(f"{out.ref.platform} {out.ref.post_id}: {out.note} ({out.client_id}, task of "
                      f"{when:%Y-%m-%d}); likes/comments are fetched at the next collection run", highlight=False)
    return 0


async def remove_post(ctx: CliContext) -> int:
    async with database(ctx) as db:
        try:
            out = await remove_manual_post(db.pool, ctx.args.client, ctx.args.url, ctx.args.reason, cli_actor(),
                                           now=SystemClock(ctx.settings.tz).now())
        except ManualPostError as exc:
            raise UserError(str(exc)) from None
    ctx.console.print(f"{out.ref.platform} {out.ref.post_id}: {out.note} ({out.client_id})", highlight=False)
    return 0


async def list_posts(ctx: CliContext) -> int:
    tz = ctx.settings.tz
    try:
        day = date.fromisoformat(ctx.args.date) if ctx.args.date else SystemClock(tz).now().date()
    except ValueError:
        raise UserError(f"--date {ctx.args.date!r} is not a date (expected YYYY-MM-DD)") from None
    start, end = day_range(day, tz)
    async with database(ctx) as db:
        try:
            rows = await task_list(db.pool, ctx.args.client, start, end)
        except ManualPostError as exc:
            raise UserError(str(exc)) from None
    ctx.console.print(table(
        f"Task posts of {ctx.args.client.upper()} on {day.isoformat()}",
        ["platform", "post", "posted", "source", "added", "removed", "caption"],
        [[r.platform, r.post_id, f"{r.posted_at.astimezone(tz):%H:%M}", r.source,
          f"{r.added_by} {r.first_seen_at.astimezone(tz):%Y-%m-%d %H:%M}" if r.added_by else "-",
          f"{r.removed_at.astimezone(tz):%H:%M} by {r.removed_by or 'API listing'}: {r.removed_reason}"
          if r.removed_at else "-", (r.caption or "")[:40]] for r in rows],
    ))
    live = sum(1 for r in rows if r.removed_at is None)
    ctx.console.print(f"{live} task(s), {len(rows) - live} removed", highlight=False)
    return 0
