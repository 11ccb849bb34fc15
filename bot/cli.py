"""The `cicero` command: parses arguments and hands each subcommand a CliContext.

Subcommands live in `bot/commands/<name>.py`, each with a `register(subparsers)`
function that adds its parser and sets `handler=`. Every known failure
(configuration, database, bad input) becomes one clear message and a non-zero
exit code; `--debug` adds the traceback for the unexpected ones.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Sequence

from rich.markup import escape

from bot.api.part import ApiPortBusy
from bot.commands import COMMAND_MODULES
from bot.commands.common import CliContext, UserError, esc, load_cli_settings
from core.settings import ConfigError
from db.pool import DatabaseUnavailable
from db.embedded import EmbeddedDatabaseError

EXIT_USER_ERROR = 2
EXIT_CONFIG = 3
EXIT_DATABASE = 4  # also: the API port cannot be listened on (a needed resource is unavailable)
EXIT_UNAVAILABLE = EXIT_DATABASE
EXIT_UNEXPECTED = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cicero",
        description="Cicero: Instagram/TikTok attendance operations over WhatsApp.",
    )
    parser.add_argument("--config", help="path to config.toml (default: $CICERO_CONFIG or ./config.toml)")
    parser.add_argument("--debug", action="store_true", help="verbose logs and tracebacks for unexpected errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USER_ERROR
    ctx = CliContext(args=args, debug=args.debug)
    ctx.setup_logging()
    try:
        if getattr(args, "needs_settings", True):
            ctx.loaded = load_cli_settings(args.config, ctx.console)
            ctx.setup_logging(ctx.settings.general.log_level, ctx.settings.tz)
        result = args.handler(ctx)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except ConfigError as exc:
        ctx.console.print(f"[bold red]Konfigurasi tidak valid[/] ({esc(exc.path or 'environment')}):", highlight=False)
        for problem in exc.problems:
            ctx.console.print(f"  • {problem}", highlight=False, markup=False)
        return EXIT_CONFIG
    except (DatabaseUnavailable, EmbeddedDatabaseError) as exc:
        ctx.console.print(f"[bold red]Database error:[/] {esc(exc)}", highlight=False)
        return EXIT_DATABASE
    except ApiPortBusy as exc:
        ctx.console.print(f"[bold red]Unavailable:[/] {escape(str(exc))}", highlight=False)
        return EXIT_UNAVAILABLE
    except UserError as exc:
        ctx.console.print(f"[bold red]Error:[/] {esc(exc)}", highlight=False)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        ctx.console.print("interrupted")
        return 130
    except Exception as exc:  # last-resort boundary: one line, traceback only with --debug
        if ctx.debug:
            ctx.console.print_exception()
        else:
            ctx.console.print(
                f"[bold red]Unexpected error:[/] {exc.__class__.__name__}: {esc(exc)}\n"
                "Run again with --debug for the traceback.",
                highlight=False,
            )
        return EXIT_UNEXPECTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
