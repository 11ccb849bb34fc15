"""`cicero console`: chat with the bot in the terminal, running the same parts as `cicero run`."""

from __future__ import annotations

import asyncio

from bot.app import run_service
from bot.commands.common import CliContext, UserError
from core.formats import FormatError, normalize_phone


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "console",
        help="chat with the bot in the terminal (same service as `run`, console transport)",
        description="Every line you type (or pipe in) is a WhatsApp message from --as; every message the bot "
        "sends, to any chat, is printed with its recipient. Ends at end of input.",
    )
    p.add_argument("--as", dest="as_phone", metavar="62…",
                   help="the WhatsApp number to chat as (default: the first [whatsapp] admins number)")
    p.set_defaults(handler=run)


async def run(ctx: CliContext) -> int:
    raw = ctx.args.as_phone or (ctx.settings.whatsapp.admins[0] if ctx.settings.whatsapp.admins else None)
    if not raw:
        raise UserError("no number to chat as: pass --as 62… or set [whatsapp] admins")
    try:
        phone = normalize_phone(raw)
    except FormatError as exc:
        raise UserError(f"--as: {exc}") from None
    stop = asyncio.Event()
    options = {"transport": "console", "console_as": phone, "on_eof": stop.set}
    return await run_service(ctx.settings, ctx.console, options=options, stop_event=stop)
