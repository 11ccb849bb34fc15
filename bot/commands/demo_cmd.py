"""`cicero demo`: see Cicero work with no WhatsApp pairing, RapidAPI key or database."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from bot.commands.common import CliContext, esc
from db.embedded import stop_embedded


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="a self-contained demo: embedded database, fake RapidAPI, HTTP API and console chat",
        description="Seeds three clients and ~300 personnel, collects today's posts from a fake RapidAPI, "
        "starts the HTTP API and lets you chat as an admin in the terminal.",
    )
    p.add_argument("--data-dir", help="embedded PostgreSQL data directory, kept (default: a temporary one, removed on exit)")
    p.add_argument("--api-port", type=int, default=8000, help="HTTP API port (default 8000)")
    p.add_argument("--fast-clock", action="store_true",
                   help="replay a whole day's schedule from 06:00 WIB in a few minutes")
    p.add_argument("--speed", type=float, default=240.0, help="fast-clock speed factor (default 240: ~4 minutes)")
    p.set_defaults(handler=demo)


async def demo(ctx: CliContext) -> int:
    from bot.demo import run_demo

    if ctx.args.data_dir:
        return await run_demo(ctx.settings, ctx.console, data_dir=Path(ctx.args.data_dir),
                              api_port=ctx.args.api_port, fast=ctx.args.fast_clock, speed=ctx.args.speed)
    scratch = Path(tempfile.mkdtemp(prefix="cicero-demo-"))
    try:
        return await run_demo(ctx.settings, ctx.console, data_dir=scratch / "pg", api_port=ctx.args.api_port,
                              fast=ctx.args.fast_clock, speed=ctx.args.speed)
    finally:
        await asyncio.to_thread(remove_scratch, scratch)
        ctx.console.print(f"removed the demo's temporary directory {esc(scratch)}", highlight=False)


def remove_scratch(scratch: Path) -> None:
    """Stop the demo's embedded PostgreSQL, then delete its temporary directory."""
    stop_embedded(scratch / "pg")
    shutil.rmtree(scratch, ignore_errors=True)
