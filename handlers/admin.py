"""Admin chat commands: help, status, jadwal, fetch. (Bodies land shortly.)"""

from __future__ import annotations

from handlers.context import Command

COMMANDS: list[Command] = []
