"""`cicero demo`: see Cicero work with no WhatsApp pairing, RapidAPI key or database."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.commands.common import CliContext


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="a self-contained demo: embedded database, fake RapidAPI, HTTP API and console chat",
        description="Seeds three clients and ~300 personnel, collects today's posts from a fake RapidAPI, "
        "starts the HTTP API and lets you chat as an admin in the terminal.",
    )
    p.add_argument("--data-dir", help="embedded PostgreSQL data directory (default: a new temporary one)")
    p.add_argument("--api-port", type=int, default=8000, help="HTTP API port (default 8000)")
    p.add_argument("--fast-clock", action="store_true",
                   help="replay a whole day's schedule from 06:00 WIB in a few minutes")
    p.add_argument("--speed", type=float, default=240.0, help="fast-clock speed factor (default 240: ~4 minutes)")
    p.set_defaults(handler=demo)


async def demo(ctx: CliContext) -> int:
    from bot.demo import run_demo

    data_dir = Path(ctx.args.data_dir) if ctx.args.data_dir else Path(tempfile.mkdtemp(prefix="cicero-demo-")) / "pg"
    return await run_demo(ctx.settings, ctx.console, data_dir=data_dir, api_port=ctx.args.api_port,
                          fast=ctx.args.fast_clock, speed=ctx.args.speed)
