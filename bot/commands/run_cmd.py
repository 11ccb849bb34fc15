"""`cicero run`: the long-running service."""

from __future__ import annotations

from bot.app import run_service
from bot.commands.common import CliContext


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help="run the service (WhatsApp, scheduler, outbox, HTTP API)")
    p.add_argument("--pair-phone", help="pair WhatsApp by pair code for this number instead of a QR code")
    p.set_defaults(handler=run)


async def run(ctx: CliContext) -> int:
    return await run_service(ctx.settings, ctx.console, options={"pair_phone": ctx.args.pair_phone})
