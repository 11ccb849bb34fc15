"""`cicero config check`: print the effective configuration, secrets masked."""

from __future__ import annotations

from bot.commands.common import CliContext, table
from core.settings import effective_rows


def register(subparsers) -> None:
    p = subparsers.add_parser("config", help="inspect the configuration")
    sub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="validate config.toml + env and print the effective values")
    check.set_defaults(handler=check_config)


def check_config(ctx: CliContext) -> int:
    loaded = ctx.loaded
    source = str(loaded.path) if loaded.file_found else f"{loaded.path} (not found: defaults + env)"
    rows = [[s, k, v] for s, k, v in effective_rows(loaded.settings)]
    ctx.console.print(table(f"Effective configuration — {source}", ["section", "key", "value"], rows))
    api = loaded.settings.api
    if api.uses_example_secret():
        if loaded.settings.is_development:
            note = "api.jwt_secret is the example value (allowed in development)"
        elif "jwt_secret" in api.model_fields_set or api.jwt_secret_file:
            note = "api.jwt_secret is the example value: the API will refuse to start"
        else:
            note = "api.jwt_secret is not set: a random secret is generated and kept beside the data directory"
        ctx.console.print(f"[yellow]note:[/] {note}")
    ctx.console.print("[green]configuration OK[/]")
    return 0
