"""`cicero reports list|catalog|add|set|remove|send-now|seed`: the scheduled report subscriptions.

Changes are audited as the operating-system user (`cli:<user>`). `send-now`
queues to the outbox, which the running service delivers; `--dry-run` prints
the message(s) and recipients and queues nothing.
"""

from __future__ import annotations

from bot.commands.common import CliContext, UserError, cli_actor, database, esc, table
from core.chat_port import Document
from core.clock import SystemClock
from db.report_subscriptions import (
    PERIODS, RECIPIENT_WORDS, SubscriptionError, add_subscription, remove_subscription, update_subscription,
)
from handlers.reports.catalog import REPORTS
from handlers.reports.subscriptions import send_now, subscription_status
from handlers.reports.subscriptions.defaults import seed_defaults
from handlers.reports.subscriptions.timing import time_label

MAX_ID = 2 ** 63 - 1
TO_HELP = f"recipient: {', '.join(RECIPIENT_WORDS)}, group:<id>@g.us or number:<62…>; repeatable"


def subscription_id(raw: str) -> int:
    """`12` or `#12`; UserError (exit 2) for anything else."""
    text = raw.strip().lstrip("#")
    if len(text) > 19 or not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise UserError(f"{raw[:30]!r} is not a subscription id (a positive number)")
    return int(text)


def register(subparsers) -> None:
    p = subparsers.add_parser("reports", help="scheduled report subscriptions: list, add, change, send now")
    p.set_defaults(handler=list_cmd, client=None)
    sub = p.add_subparsers(dest="reports_command", metavar="ACTION")

    lst = sub.add_parser("list", help="every subscription, its state (or why it is inactive) and next run")
    lst.add_argument("--client", help="only this client's subscriptions")
    lst.set_defaults(handler=list_cmd)

    sub.add_parser("catalog", help="the report action ids a subscription can name").set_defaults(handler=catalog_cmd)

    add = sub.add_parser("add", help="add a subscription")
    add.add_argument("--report", required=True, help="report action id (see `cicero reports catalog`)")
    add.add_argument("--client", required=True, help="client id the report is about")
    add.add_argument("--to", action="append", default=[], required=True, help=TO_HELP)
    add.add_argument("--at", action="append", default=[], required=True,
                     help="time HH:MM (Asia/Jakarta) or a five-field cron; repeatable")
    add.add_argument("--period", default="today", help=f"one of {', '.join(PERIODS)} (default today)")
    add.add_argument("--skip-if-empty", action="store_true", help="send nothing when the period has nothing")
    add.add_argument("--inactive", action="store_true", help="add it switched off")
    add.set_defaults(handler=add_cmd)

    st = sub.add_parser("set", help="change a subscription (only the options given)")
    st.add_argument("id")
    st.add_argument("--report")
    st.add_argument("--client")
    st.add_argument("--to", action="append", help=TO_HELP + " (replaces the recipients)")
    st.add_argument("--at", action="append", help="replaces the times; detaches a default from [reports]")
    st.add_argument("--period")
    st.add_argument("--active", choices=["yes", "no"])
    st.add_argument("--skip-if-empty", choices=["yes", "no"])
    st.set_defaults(handler=set_cmd)

    rm = sub.add_parser("remove", help="delete a subscription (a removed default is not seeded again)")
    rm.add_argument("id")
    rm.set_defaults(handler=remove_cmd)

    now = sub.add_parser("send-now", help="build and queue one subscription's report now")
    now.add_argument("id")
    now.add_argument("--dry-run", action="store_true", help="print the message(s) and recipients, queue nothing")
    now.set_defaults(handler=send_now_cmd)

    sub.add_parser("seed", help="seed the [reports] defaults now (the service does it at start and hourly)"
                   ).set_defaults(handler=seed_cmd)


def _yes(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


async def list_cmd(ctx: CliContext) -> int:
    tz = ctx.settings.tz
    now = SystemClock(tz).now()
    client = ctx.args.client.strip().upper()[:64] if ctx.args.client else None
    async with database(ctx) as db:
        states = await subscription_status(db.pool, ctx.settings, now, client_id=client)
    rows = []
    for s in states:
        sub = s.subscription
        last = s.last_fire
        rows.append([
            sub.id, sub.report, s.title, sub.client_id, ", ".join(sub.recipients),
            ", ".join(time_label(t) for t in sub.times) + (" (from settings)" if sub.times_setting else ""),
            sub.period, "yes" if sub.skip_if_empty else "no",
            "active" if s.active else f"inactive: {s.inactive_reason}",
            s.next_run.astimezone(tz).strftime("%Y-%m-%d %H:%M") if s.next_run else "-",
            f"{last.slot_at.astimezone(tz):%m-%d %H:%M} {last.outcome}" if last else "-",
        ])
    ctx.console.print(table(f"report subscriptions ({len(rows)})",
                            ["id", "report", "title", "client", "to", "times (WIB)", "period", "skip empty",
                             "state", "next run", "last fire"], rows))
    if not rows:
        ctx.console.print("none yet: the service seeds the [reports] defaults at start, or run "
                          "`cicero reports seed`", markup=False)
    return 0


async def catalog_cmd(ctx: CliContext) -> int:
    rows = [[spec.id, spec.title, "yes" if spec.directorate_only else ""] for spec in REPORTS.values()]
    ctx.console.print(table("report action ids", ["id", "title", "directorate only"], rows))
    return 0


async def add_cmd(ctx: CliContext) -> int:
    a = ctx.args
    try:
        async with database(ctx) as db, db.pool.acquire() as conn, conn.transaction():
            sub = await add_subscription(conn, report=a.report, client_id=a.client, recipients=a.to, times=a.at,
                                         period=a.period, active=not a.inactive, skip_if_empty=a.skip_if_empty,
                                         actor=cli_actor(), known_reports=REPORTS,
                                         now=SystemClock(ctx.settings.tz).now())
    except SubscriptionError as exc:
        raise UserError(exc.english) from None
    ctx.console.print(f"added subscription [bold]#{sub.id}[/]: {esc(sub.report)} of {esc(sub.client_id)} to "
                      f"{esc(', '.join(sub.recipients))} at {esc(', '.join(sub.times))}")
    return 0


async def set_cmd(ctx: CliContext) -> int:
    a = ctx.args
    sid = subscription_id(a.id)
    try:
        async with database(ctx) as db, db.pool.acquire() as conn, conn.transaction():
            sub = await update_subscription(conn, sid, actor=cli_actor(), known_reports=REPORTS,
                                            now=SystemClock(ctx.settings.tz).now(), report=a.report,
                                            client_id=a.client, recipients=a.to, times=a.at, period=a.period,
                                            active=_yes(a.active), skip_if_empty=_yes(a.skip_if_empty))
    except SubscriptionError as exc:
        raise UserError(exc.english) from None
    if sub is None:
        raise UserError(f"no report subscription #{sid}")
    ctx.console.print(f"saved subscription [bold]#{sub.id}[/] ({'active' if sub.active else 'switched off'})")
    return 0


async def remove_cmd(ctx: CliContext) -> int:
    sid = subscription_id(ctx.args.id)
    async with database(ctx) as db, db.pool.acquire() as conn, conn.transaction():
        sub = await remove_subscription(conn, sid, actor=cli_actor(), now=SystemClock(ctx.settings.tz).now())
    if sub is None:
        raise UserError(f"no report subscription #{sid}")
    ctx.console.print(f"removed subscription #{sub.id} ({esc(sub.report)} of {esc(sub.client_id)})")
    return 0


def _describe(part) -> str:
    if isinstance(part, Document):
        caption = f" — {part.caption}" if part.caption else ""
        return f"[file] {part.filename} ({len(part.data):,} bytes){caption}"
    return part


async def send_now_cmd(ctx: CliContext) -> int:
    a = ctx.args
    sid = subscription_id(a.id)
    async with database(ctx) as db:
        result = await send_now(db.pool, ctx.settings, sid, SystemClock(ctx.settings.tz).now(), dry_run=a.dry_run)
    if result.error:
        raise UserError(result.error)
    ctx.console.print(f"recipients: {esc(', '.join(result.recipients))}")
    if result.skipped_empty:
        ctx.console.print("nothing to report in the period and the subscription skips empty reports: "
                          "nothing queued", markup=False)
        return 0
    if a.dry_run:
        for i, part in enumerate(result.messages, 1):
            ctx.console.rule(f"message {i} of {len(result.messages)}")
            ctx.console.print(_describe(part), markup=False, highlight=False)
        ctx.console.print("dry run: nothing queued", markup=False)
        return 0
    ctx.console.print(f"queued {result.queued} message(s) for {len(result.recipients)} recipient(s)"
                      + (" (already queued this minute)" if not result.queued else "")
                      + "; the running service sends them", markup=False)
    return 0


async def seed_cmd(ctx: CliContext) -> int:
    async with database(ctx) as db:
        result = await seed_defaults(db.pool, ctx.settings, SystemClock(ctx.settings.tz).now())
    ctx.console.print(f"defaults: {result.added} added, {result.retimed} re-timed from [reports]", markup=False)
    return 0
