"""The one write path for dashboard accounts: create, change role / clients / active flag, set a password.

Every channel calls these — the CLI (`cicero dashboard-users …`), the WhatsApp
admin console (`akun`) and the dashboard's own register/approve flow — so the
rules hold everywhere: a username of 3–64 letters, digits, `.`, `_` or `-`; a
role from `known_roles` (no `operatr` typo granting a directorate menu); an
account other than `admin` names at least one existing client; every change
writes one audit row (`db/audit.py`) in the same transaction, never the
password or its hash.

    created = await create_dashboard_account(pool, actor, username="op_blitar", role="operator",
                                             whatsapp="0812…", client_ids=["POLRES_BLITAR"])
    created.password     # the generated password: deliver it once, privately, then forget it

`AccountError` carries an Indonesian message naming what is wrong.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import asyncpg

from core.formats import FormatError, normalize_optional_phone
from core.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, generate_password, hash_password
from db.audit import Actor, record_change
from db.clients import clients_by_ids, list_clients
from db.dashboard_accounts import (
    ADMIN_ROLE, DIRECTORATE_ROLES, OPERATOR_ROLE, DashboardAccount, account_by_username, create_account, get_account,
    set_account_active, set_account_clients, set_account_role, set_password_hash,
)
from db.pool import Executor, transaction

_USERNAME = re.compile(r"[A-Za-z0-9._-]{3,64}")
MAX_ACCOUNT_CLIENTS = 200


class AccountError(ValueError):
    """A dashboard-account change that cannot be made; the message says why (Indonesian)."""


@dataclass(frozen=True)
class CreatedAccount:
    account: DashboardAccount
    password: str                 # the new password in plain text: shown or sent once, never stored


async def known_roles(db: Executor) -> list[str]:
    """`admin`, `operator`, the directorate roles, and the role of every directorate client in the database."""
    directorates = {c.role_name for c in await list_clients(db, type="direktorat")}
    return [ADMIN_ROLE, OPERATOR_ROLE, *sorted(DIRECTORATE_ROLES | directorates)]


def valid_username(raw: str) -> str:
    username = (raw or "").strip()
    if not _USERNAME.fullmatch(username):
        raise AccountError("username harus 3–64 karakter: huruf, angka, titik, _ atau - (tanpa spasi)")
    return username


async def valid_role(db: Executor, raw: str) -> str:
    role = (raw or "").strip().lower()
    roles = await known_roles(db)
    if role not in roles:
        raise AccountError(f"peran {raw.strip() or '(kosong)'!r} tidak dikenal; pilih salah satu: {', '.join(roles)}")
    return role


async def valid_clients(db: Executor, role: str, raw_ids: list[str]) -> list[str]:
    wanted = sorted({c.strip().upper() for c in raw_ids if c.strip()})
    if len(wanted) > MAX_ACCOUNT_CLIENTS:
        raise AccountError(f"terlalu banyak client (maksimal {MAX_ACCOUNT_CLIENTS})")
    found = {c.id for c in await clients_by_ids(db, wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise AccountError(f"client tidak ditemukan: {', '.join(missing)}")
    if role != ADMIN_ROLE and not wanted:
        raise AccountError("akun selain admin harus punya minimal satu client")
    return wanted


def valid_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(f"password harus {MIN_PASSWORD_LENGTH}–{MAX_PASSWORD_LENGTH} karakter")
    return password


def _audited(account: DashboardAccount | None) -> dict | None:
    if account is None:
        return None
    return {"username": account.username, "role": account.role, "whatsapp": account.whatsapp,
            "active": account.active, "client_ids": list(account.client_ids)}


async def _audit(conn: Executor, actor: Actor, action: str, before: DashboardAccount | None,
                 after: DashboardAccount, note: str | None = None) -> None:
    client_id = after.client_ids[0] if len(after.client_ids) == 1 else None
    await record_change(conn, actor, action=action, entity="dashboard_account", entity_id=after.username,
                        client_id=client_id, before=_audited(before), after=_audited(after), note=note)


async def create_dashboard_account(db: Executor, actor: Actor, *, username: str, role: str,
                                   whatsapp: str | None, client_ids: list[str],
                                   password: str | None = None, active: bool = True,
                                   note: str | None = None) -> CreatedAccount:
    """Validate, create and audit an account; with no `password` one is generated (see CreatedAccount).

    `active=False` creates it disabled (a registration waiting for an admin's approval). Given the pool
    it opens its own transaction; given a connection it runs inside the caller's (the dashboard's
    self-registration creates the account and queues its approval request in one transaction)."""
    username = valid_username(username)
    try:
        phone = normalize_optional_phone(whatsapp)
    except FormatError as exc:
        raise AccountError(f"nomor WhatsApp: {exc}") from None
    password = valid_password(password) if password is not None else generate_password()
    password_hash = await asyncio.to_thread(hash_password, password)
    async with transaction(db) as conn:
        role = await valid_role(conn, role)
        ids = await valid_clients(conn, role, client_ids)
        try:
            async with conn.transaction():  # a savepoint: the taken-username error leaves the rest usable
                account = await create_account(conn, username=username, password_hash=password_hash, role=role,
                                               whatsapp=phone, client_ids=ids, active=active)
        except asyncpg.UniqueViolationError:
            raise AccountError(f"username {username} sudah dipakai") from None
        await _audit(conn, actor, "dashboard_account.create", None, account, note)
    return CreatedAccount(account, password)


async def find_account(db: Executor, username: str) -> DashboardAccount:
    account = await account_by_username(db, username)
    if account is None:
        raise AccountError(f"akun {username.strip()} tidak ditemukan")
    return account


async def change_dashboard_account(db: Executor, actor: Actor, username: str, *, role: str | None = None,
                                   client_ids: list[str] | None = None,
                                   active: bool | None = None, note: str | None = None) -> DashboardAccount:
    """Change an account's role, clients and/or active flag (validated together), audited
    (pool: its own transaction; connection: the caller's)."""
    async with transaction(db) as conn:
        before = await find_account(conn, username)
        new_role = await valid_role(conn, role) if role is not None else before.role
        ids = await valid_clients(conn, new_role, client_ids if client_ids is not None else before.client_ids)
        if new_role != before.role:
            await set_account_role(conn, before.id, new_role)
        if ids != sorted(before.client_ids):
            await set_account_clients(conn, before.id, ids)
        if active is not None and active != before.active:
            await set_account_active(conn, before.id, active)
        after = await get_account(conn, before.id)
        action = "dashboard_account.update"
        if active is not None and active != before.active and new_role == before.role and ids == before.client_ids:
            action = "dashboard_account.activate" if active else "dashboard_account.deactivate"
        await _audit(conn, actor, action, before, after, note)
    return after


async def set_dashboard_password(db: Executor, actor: Actor, username: str,
                                 password: str | None = None) -> CreatedAccount:
    """A new password (given, or generated when None); the audit row says that it changed, never what to
    (pool: its own transaction; connection: the caller's)."""
    password = valid_password(password) if password is not None else generate_password()
    password_hash = await asyncio.to_thread(hash_password, password)
    async with transaction(db) as conn:
        account = await find_account(conn, username)
        await set_password_hash(conn, account.id, password_hash, new_password=True)   # ends its sessions
        await record_change(conn, actor, action="dashboard_account.password", entity="dashboard_account",
                            entity_id=account.username, note="password diganti")
    return CreatedAccount(account, password)
