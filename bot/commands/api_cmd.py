"""`cicero api` (the HTTP API on its own) and `cicero dashboard-users add|list|set-password`."""

from __future__ import annotations

import asyncio
import getpass
import os
import signal

import asyncpg

from bot.api.deps import ApiDeps
from bot.api.part import ApiPart, check_api_settings
from bot.api.security import ADMIN_ROLE, MIN_PASSWORD_LENGTH, hash_password
from bot.commands.common import CliContext, UserError, database, esc, table
from db.clients import clients_by_ids
from db.dashboard_accounts import (
    account_for_login, create_account, list_accounts, set_account_active, set_account_clients, set_password_hash,
)
from core.formats import FormatError, normalize_optional_phone
from core.clock import SystemClock

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
    add.add_argument("--role", required=True, help="operator, admin, ditbinmas, ditlantas, bidhumas, …")
    add.add_argument("--client", action="append", default=[], help="client the account may see; repeatable")
    add.add_argument("--whatsapp", help="the account holder's WhatsApp number")
    add.set_defaults(handler=add_account)
    lst = sub.add_parser("list", help="list accounts (never shows passwords)")
    lst.set_defaults(handler=list_dashboard_accounts)
    pw = sub.add_parser("set-password", help="set a new password (asked, or from $" + PASSWORD_ENV + ")")
    pw.add_argument("username")
    pw.set_defaults(handler=set_account_password)
    st = sub.add_parser("set", help="change an account's clients or active flag")
    st.add_argument("username")
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


def _read_password(confirm: bool = True) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Ulangi password: ") != password:
            raise UserError("password tidak sama")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password minimal {MIN_PASSWORD_LENGTH} karakter")
    return password


async def _check_clients(db, ids: list[str]) -> list[str]:
    wanted = sorted({c.strip().upper() for c in ids if c.strip()})
    found = {c.id for c in await clients_by_ids(db, wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise UserError(f"client tidak ditemukan: {', '.join(missing)}")
    return wanted


async def add_account(ctx: CliContext) -> int:
    a = ctx.args
    username = a.username.strip()
    if not username or any(ch.isspace() for ch in username):
        raise UserError("username tidak boleh kosong atau berisi spasi")
    role = a.role.strip().lower()
    if not role:
        raise UserError("--role wajib diisi")
    if role != ADMIN_ROLE and not a.client:
        raise UserError("akun selain admin harus punya minimal satu --client")
    try:
        whatsapp = normalize_optional_phone(a.whatsapp)
    except FormatError as exc:
        raise UserError(str(exc)) from None
    password = _read_password()
    async with database(ctx) as db:
        client_ids = await _check_clients(db.pool, a.client)
        password_hash = await asyncio.to_thread(hash_password, password)
        try:
            async with db.pool.acquire() as conn, conn.transaction():
                account = await create_account(conn, username=username, password_hash=password_hash, role=role,
                                               whatsapp=whatsapp, client_ids=client_ids)
        except asyncpg.UniqueViolationError:
            raise UserError(f"username {username} sudah dipakai") from None
    ctx.console.print(f"created dashboard account {esc(account.username)} (id {account.id}, role {esc(account.role)}, "
                      f"clients {esc(', '.join(account.client_ids) or '-')})")
    return 0


async def list_dashboard_accounts(ctx: CliContext) -> int:
    async with database(ctx) as db:
        accounts = await list_accounts(db.pool)
    rows = [[a.id, a.username, a.role, ", ".join(a.client_ids) or "-", a.whatsapp or "-", "yes" if a.active else "no"]
            for a in accounts]
    ctx.console.print(table(f"{len(accounts)} dashboard account(s)",
                            ["id", "username", "role", "clients", "whatsapp", "active"], rows))
    return 0


async def _account_or_error(db, username: str):
    found = await account_for_login(db, username)
    if found is None:
        raise UserError(f"akun {username} tidak ditemukan")
    return found[0]


async def set_account_password(ctx: CliContext) -> int:
    password = _read_password()
    async with database(ctx) as db:
        account = await _account_or_error(db.pool, ctx.args.username)
        await set_password_hash(db.pool, account.id, await asyncio.to_thread(hash_password, password))
    ctx.console.print(f"password of {esc(account.username)} changed")
    return 0


async def change_account(ctx: CliContext) -> int:
    a = ctx.args
    async with database(ctx) as db:
        account = await _account_or_error(db.pool, a.username)
        async with db.pool.acquire() as conn, conn.transaction():
            if a.client is not None:
                await set_account_clients(conn, account.id, await _check_clients(conn, a.client))
            if a.active is not None:
                await set_account_active(conn, account.id, a.active == "yes")
    ctx.console.print(f"updated {esc(account.username)}")
    return 0
