"""`cicero api` (the HTTP API on its own) and `cicero dashboard-users add|list|set-password`."""

from __future__ import annotations

import asyncio
import getpass
import os
import signal
import sys

from bot.api.deps import ApiDeps
from bot.api.part import ApiPart, check_api_settings
from bot.commands.common import CliContext, UserError, cli_actor, database, esc, table
from db.dashboard_accounts import list_accounts
from core.clock import SystemClock
from jobs.account_changes import (
    AccountError, change_dashboard_account, create_dashboard_account, set_dashboard_password, valid_password,
)

PASSWORD_ENV = "CICERO_DASHBOARD_PASSWORD"


def register(subparsers) -> None:
    p = subparsers.add_parser("api", help="serve only the HTTP API for the dashboard")
    p.add_argument("--host", help="override [api] host")
    p.add_argument("--port", type=int, help="override [api] port")
    p.set_defaults(handler=serve_api)

    d = subparsers.add_parser("dashboard-users", help="manage web dashboard accounts")
    sub = d.add_subparsers(dest="dashboard_users_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create an account (password asked, or from $" + PASSWORD_ENV + ")")
    add.add_argument("username")
    add.add_argument("--role", required=True,
                     help="admin, operator, or a directorate role (ditbinmas, ditlantas, bidhumas, … or the id of "
                          "a directorate client in lower case)")
    add.add_argument("--client", action="append", default=[], help="client the account may see; repeatable")
    add.add_argument("--whatsapp", help="the account holder's WhatsApp number")
    add.add_argument("--generate-password", action="store_true",
                     help="generate a password and print it once (no terminal prompt, no environment variable)")
    add.set_defaults(handler=add_account)
    lst = sub.add_parser("list", help="list accounts (never shows passwords)")
    lst.set_defaults(handler=list_dashboard_accounts)
    pw = sub.add_parser("set-password", help="set a new password (asked, or from $" + PASSWORD_ENV + ")")
    pw.add_argument("username")
    pw.add_argument("--generate-password", action="store_true", help="generate a password and print it once")
    pw.set_defaults(handler=set_account_password)
    st = sub.add_parser("set", help="change an account's role, clients or active flag")
    st.add_argument("username")
    st.add_argument("--role", help="new role (validated like `add --role`)")
    st.add_argument("--client", action="append", default=None, help="replace the client list; repeatable")
    st.add_argument("--active", choices=["yes", "no"])
    st.set_defaults(handler=change_account)


async def serve_api(ctx: CliContext) -> int:
    settings = ctx.settings
    check_api_settings(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover
            pass
    async with database(ctx) as db:
        deps = ApiDeps(settings=settings, db=db.pool, clock=SystemClock(settings.tz))
        part = ApiPart(deps, host=ctx.args.host, port=ctx.args.port)
        try:
            await part.start()
        except RuntimeError as exc:
            raise UserError(str(exc)) from None
        ctx.console.print(f"HTTP API on {esc(part.base_url)} (docs: {esc(part.base_url)}/docs) — Ctrl-C to stop")
        try:
            await stop.wait()
        finally:
            await part.stop()
    ctx.console.print("stopped cleanly")
    return 0


def _read_password(ctx: CliContext, *, confirm: bool = True) -> str | None:
    """The password from $CICERO_DASHBOARD_PASSWORD or the terminal; None with --generate-password."""
    if getattr(ctx.args, "generate_password", False):
        return None
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise UserError(f"no terminal to ask the password: set ${PASSWORD_ENV} or pass --generate-password")
        try:
            password = getpass.getpass("Password: ")
            if confirm and getpass.getpass("Ulangi password: ") != password:
                raise UserError("password tidak sama")
        except EOFError:
            raise UserError(f"no password given: set ${PASSWORD_ENV} or pass --generate-password") from None
    try:
        return valid_password(password)
    except AccountError as exc:
        raise UserError(str(exc)) from None


def _show_generated(ctx: CliContext, username: str, password: str, given: str | None) -> None:
    if given is None:
        ctx.console.print(f"generated password for {esc(username)} (shown once, not stored): [bold]{password}[/]",
                          highlight=False)


async def add_account(ctx: CliContext) -> int:
    a = ctx.args
    password = _read_password(ctx)
    async with database(ctx) as db:
        try:
            created = await create_dashboard_account(db.pool, cli_actor(), username=a.username, role=a.role,
                                                     whatsapp=a.whatsapp, client_ids=a.client, password=password)
        except AccountError as exc:
            raise UserError(str(exc)) from None
    account = created.account
    ctx.console.print(f"created dashboard account {esc(account.username)} (id {account.id}, role {esc(account.role)}, "
                      f"clients {esc(', '.join(account.client_ids) or '-')})")
    _show_generated(ctx, account.username, created.password, password)
    return 0


async def list_dashboard_accounts(ctx: CliContext) -> int:
    async with database(ctx) as db:
        accounts = await list_accounts(db.pool)
    rows = [[a.id, a.username, a.role, ", ".join(a.client_ids) or "-", a.whatsapp or "-", "yes" if a.active else "no"]
            for a in accounts]
    ctx.console.print(table(f"{len(accounts)} dashboard account(s)",
                            ["id", "username", "role", "clients", "whatsapp", "active"], rows))
    return 0


async def set_account_password(ctx: CliContext) -> int:
    password = _read_password(ctx)
    async with database(ctx) as db:
        try:
            changed = await set_dashboard_password(db.pool, cli_actor(), ctx.args.username, password)
        except AccountError as exc:
            raise UserError(str(exc)) from None
    ctx.console.print(f"password of {esc(changed.account.username)} changed")
    _show_generated(ctx, changed.account.username, changed.password, password)
    return 0


async def change_account(ctx: CliContext) -> int:
    a = ctx.args
    async with database(ctx) as db:
        try:
            account = await change_dashboard_account(
                db.pool, cli_actor(), a.username, role=a.role, client_ids=a.client,
                active=None if a.active is None else a.active == "yes")
        except AccountError as exc:
            raise UserError(str(exc)) from None
    ctx.console.print(f"updated {esc(account.username)}: role {esc(account.role)}, "
                      f"clients {esc(', '.join(account.client_ids) or '-')}, active {'yes' if account.active else 'no'}")
    return 0
