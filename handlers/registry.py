"""The one table of chat commands: every handler module's `COMMANDS`, in help order.

To add a module: import it below and append its `COMMANDS`. Trigger words must
be unique across modules; `check_registry` (run by the router at start-up and
by the tests) raises on a duplicate.
"""

from __future__ import annotations

from handlers import (
    admin, console, dashboard_approvals, dirrequest, greeting, jadwal, laporan, operator, personnel, status,
)
from handlers.context import Command
from handlers.menus import Menu


def all_commands() -> list[Command]:
    commands: list[Command] = []
    commands += admin.COMMANDS
    commands += status.COMMANDS
    commands += jadwal.COMMANDS
    commands += laporan.COMMANDS
    commands += dirrequest.COMMANDS
    commands += operator.COMMANDS
    commands += personnel.COMMANDS
    commands += greeting.COMMANDS
    commands += console.COMMANDS
    commands += dashboard_approvals.COMMANDS
    # other modules append their COMMANDS here
    check_registry(commands)
    return commands


def all_menus(commands: list[Command]) -> dict[str, Menu]:
    return {c.menu.id: c.menu for c in commands if c.menu is not None}


def check_registry(commands: list[Command]) -> None:
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for c in commands:
        if c.id in ids:
            raise ValueError(f"duplicate command id {c.id!r}")
        ids.add(c.id)
        for t in c.triggers:
            if t in seen:
                raise ValueError(f"trigger {t!r} is used by both {seen[t]!r} and {c.id!r}")
            seen[t] = c.id
