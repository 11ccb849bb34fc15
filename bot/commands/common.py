"""Shared pieces of the command line: context, logging, settings, database, tables.

Everything printed through rich is markup-escaped (`esc`, `table`), so text
such as `[whatsapp] admins` keeps its square brackets; only the styles written
in this code (`[red]…[/]`) are markup.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import warnings
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import AsyncIterator
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from db.audit import Actor
from core.settings import LoadedSettings, Settings, config_path_from, load_settings
from db.pool import Database, open_database


class UserError(Exception):
    """Bad command-line input; printed as one line."""


@dataclass
class CliContext:
    args: argparse.Namespace
    debug: bool = False
    console: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))
    loaded: LoadedSettings | None = None

    @property
    def settings(self) -> Settings:
        assert self.loaded is not None, "command declared needs_settings=False"
        return self.loaded.settings

    def setup_logging(self, level_name: str = "INFO", tz: ZoneInfo | None = None) -> None:
        """Log to stderr at `[general] log_level` (`--debug` means DEBUG whatever the setting).

        Timestamps are ISO (`2026-12-02 16:37:40`) in `tz` (the configured zone).
        On a terminal the lines are rich's columns; otherwise (systemd/journald,
        a pipe) one plain line per record, never wrapped.
        """
        level = logging.DEBUG if self.debug else getattr(logging, level_name.upper(), logging.INFO)
        logging.basicConfig(level=level, handlers=[log_handler(tz, rich_tracebacks=self.debug)], force=True)
        quiet_library_noise()


LOG_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
NOISY_LOGGERS = ("pgserver", "asyncio", "httpx", "httpcore", "aio_pika", "aiormq", "apscheduler", "uvicorn.access")


def log_time(tz: ZoneInfo | None):
    def render(when: datetime) -> Text:
        return Text((when.astimezone(tz) if tz else when).strftime(LOG_TIME_FORMAT))

    return render


class _ZonedFormatter(logging.Formatter):
    def __init__(self, tz: ZoneInfo | None):
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.tz).strftime(LOG_TIME_FORMAT)


def log_handler(tz: ZoneInfo | None, *, rich_tracebacks: bool = False) -> logging.Handler:
    """rich columns on a terminal, plain `2026-12-02 16:37:40 INFO    name: text` lines elsewhere."""
    if sys.stderr.isatty():
        return RichHandler(console=Console(stderr=True), show_path=False, rich_tracebacks=rich_tracebacks,
                           log_time_format=log_time(tz))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ZonedFormatter(tz))
    return handler


def quiet_library_noise() -> None:
    """Silence warnings a Cicero user cannot act on.

    * platformdirs (imported by pgserver) warns when `XDG_RUNTIME_DIR` is unset
      and falls back to a temporary directory, which is fine for us;
    * neonize warns that ffmpeg is missing: Cicero sends text and documents only.
    """
    warnings.filterwarnings("ignore", message=r".*XDG_RUNTIME_DIR.*")
    logging.getLogger("neonize.utils.ffmpeg").setLevel(logging.ERROR)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def esc(value: object) -> str:
    """`value` as text that rich prints literally (square brackets kept)."""
    return escape(str(value))


def cli_actor() -> Actor:
    """Who a CLI change is recorded as in the audit log: the operating-system user."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(f"cli:{name}", "cli")


def load_cli_settings(cli_path: str | None, console: Console) -> LoadedSettings:
    path = config_path_from(cli_path)
    loaded = load_settings(path)
    if not loaded.file_found:
        console.print(
            f"[yellow]warning:[/] {esc(path)} not found; using defaults and CICERO_* environment variables "
            "(copy config.example.toml to config.toml to configure)",
            highlight=False,
        )
    return loaded


@asynccontextmanager
async def database(ctx: CliContext, *, migrate: bool = True) -> AsyncIterator[Database]:
    async with open_database(ctx.settings, migrate=migrate) as db:
        yield db


def cell(value: object) -> Text:
    """A table cell printed literally; a `Text` passes through (styled cells such as doctor's marks)."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value))


def table(title: str | None, columns: list[str], rows: list[list[object]]) -> Table:
    """A table whose cells are literal text; too wide for the terminal, cells wrap (long ids are
    folded onto the next line) instead of being cut with "…"."""
    t = Table(title=Text(title) if title else None, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[cell(v) for v in r])
    return t
