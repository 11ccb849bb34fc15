"""`cicero doctor`: check configuration, database, WhatsApp session, RapidAPI and broker."""

from __future__ import annotations

from rich.text import Text

from bot.commands.common import CliContext, table
from bot.doctor import FAIL, OK, WARN, run_checks

_MARK = {OK: Text("ok", style="green"), WARN: Text("warn", style="yellow"), FAIL: Text("FAIL", style="red")}


def register(subparsers) -> None:
    p = subparsers.add_parser("doctor", help="check everything Cicero needs and print what to fix")
    p.set_defaults(handler=doctor)


async def doctor(ctx: CliContext) -> int:
    loaded = ctx.loaded
    checks = await run_checks(loaded.settings, loaded.file_found, str(loaded.path))
    ctx.console.print(table("cicero doctor", ["check", "status", "detail", "what to do"],
                            [[c.name, _MARK[c.status], c.detail, c.fix] for c in checks]))
    failed = [c for c in checks if c.status == FAIL]
    ctx.console.print("[red]problems found[/]" if failed else "[green]no blocking problems[/]")
    return 1 if failed else 0
