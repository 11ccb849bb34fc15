"""Shared pieces of the command line: context, logging, settings, database, tables."""

from __future__ import annotations

import argparse
import getpass
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator

from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

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

    def setup_logging(self, level_name: str = "INFO") -> None:
        """Log to stderr at `[general] log_level` (`--debug` means DEBUG whatever the setting)."""
        level = logging.DEBUG if self.debug else getattr(logging, level_name.upper(), logging.INFO)
        handler = RichHandler(console=Console(stderr=True), show_path=False, rich_tracebacks=self.debug)
        logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)
        for noisy in ("pgserver", "asyncio", "httpx", "httpcore", "aio_pika", "aiormq", "apscheduler", "uvicorn.access"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


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
            f"[yellow]warning:[/] {path} not found; using defaults and CICERO_* environment variables "
            "(copy config.example.toml to config.toml to configure)",
            highlight=False,
        )
    return loaded


@asynccontextmanager
async def database(ctx: CliContext, *, migrate: bool = True) -> AsyncIterator[Database]:
    async with open_database(ctx.settings, migrate=migrate) as db:
        yield db


def table(title: str | None, columns: list[str], rows: list[list[object]]) -> Table:
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    return t
