"""`cicero config check`: print the effective configuration, secrets masked."""

from __future__ import annotations

from bot.commands.common import CliContext, esc, table
from bot.api.part import generated_secret_path
from core.settings import Settings, effective_rows, jwt_secret_state


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
    note = jwt_secret_note(loaded.settings)
    if note:
        ctx.console.print(f"[yellow]note:[/] {esc(note)}")
    ctx.console.print("[green]configuration OK[/]")
    return 0


def jwt_secret_note(settings: Settings) -> str | None:
    """What happens with the JWT secret, in the same words as the table ("not set", "the example value")."""
    state = jwt_secret_state(settings.api)
    development = settings.is_development
    if state == "(not set)":
        if development:
            return "api.jwt_secret is not set: development uses the built-in example secret"
        return (f"api.jwt_secret is not set: `cicero run` generates a random one in {generated_secret_path(settings)} "
                "and keeps it (set CICERO_API__JWT_SECRET to choose your own)")
    if state == "(the example value)":
        return ("api.jwt_secret is the example value (allowed in development)" if development
                else "api.jwt_secret is the example value: the API will refuse to start")
    return None
