"""A forgotten dashboard password: a one-time code over WhatsApp, then a new password.

    asked = await request_reset(pool, username=…, contact=…, ip=…, now=…, secret=…)
    await confirm_reset(pool, token="42-583910", password=…, now=…, secret=…)

- **Request** (`username` + the account's WhatsApp number): when both match an
  active account, a 6-digit code is made, only its HMAC is stored, and the code
  goes to that number through the outbox as `ID-CODE` (the dashboard's reset
  page sends just the token, so the token names its request). A request that
  matches nothing looks the same to the caller (no account enumeration). Earlier
  open codes of the account stop working.
- **Limits**: `ACCOUNT_LIMIT` requests per account and `ADDRESS_LIMIT` per
  client address within their windows (every request counts, matched or not);
  more → `jobs.rate_limits.TooMany` with the seconds to wait.
- **Confirm**: the code is good for `CODE_TTL`, once, and for `MAX_TRIES`
  wrong tries (each wrong try is committed before the refusal). The new
  password is set through `jobs.account_changes.set_dashboard_password`
  (validated, audited without the password) in the transaction that spends the code.

The outbox row holds the code in its text until it is sent; the code is
one-time and expires after 15 minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from core.clock import JAKARTA
from core.formats import FormatError, normalize_phone
from db import password_resets as resets
from db.audit import Actor
from db.dashboard_accounts import account_by_username
from jobs.account_changes import AccountError, set_dashboard_password
from jobs.outbox import enqueue
from jobs.rate_limits import Limit, TooMany

CODE_TTL = timedelta(minutes=15)
MAX_TRIES = 5
ACCOUNT_LIMIT = Limit(3, timedelta(hours=1))      # requests per account per window
ADDRESS_LIMIT = Limit(10, timedelta(hours=1))     # requests per client address per window
KIND = "password_reset"
_TOKEN = re.compile(r"^\s*(\d{1,12})\s*-\s*(\d{6})\s*$")

TEXT_CODE = ("🔐 *Reset password dashboard Cicero*\nAkun: {username}\nKode reset: *{token}*\n"
             "Berlaku sampai pukul {until} (15 menit), sekali pakai. Masukkan kode ini di halaman Reset Password "
             "dashboard. Abaikan pesan ini bila Anda tidak memintanya; jangan bagikan kode kepada siapa pun.")


class ResetError(ValueError):
    """A code that cannot be used; the message says why (Indonesian), `reason` is machine-readable."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ResetRequested:
    reset_id: int
    username: str
    expires_at: datetime


def code_hash(secret: str, account_id: int, code: str) -> str:
    return hmac.new(secret.encode(), f"{account_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def request_reset(pool: asyncpg.Pool, *, username: str, contact: str, ip: str | None, now: datetime,
                        secret: str) -> ResetRequested | None:
    """Send a code when username and WhatsApp number match an active account; None when nothing matched."""
    if ip:
        wait = ADDRESS_LIMIT.wait(await resets.requests_of_ip_since(pool, ip, ADDRESS_LIMIT.since(now)), now)
        if wait:
            raise TooMany("permintaan reset password", wait)
    account = await account_by_username(pool, username)
    try:
        phone = normalize_phone(contact)
    except FormatError:
        phone = None
    if account is None or not account.active or not account.whatsapp or account.whatsapp != phone:
        await resets.create_reset(pool, None, code_hash=None, at=now, expires_at=now, ip=ip)
        return None
    wait = ACCOUNT_LIMIT.wait(await resets.requests_of_account_since(pool, account.id, ACCOUNT_LIMIT.since(now)), now)
    if wait:
        raise TooMany("permintaan reset password", wait)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    expires = now + CODE_TTL
    async with pool.acquire() as conn, conn.transaction():
        await resets.retire_open_resets(conn, account.id, at=now)
        reset_id = await resets.create_reset(conn, account.id, code_hash=code_hash(secret, account.id, code), at=now,
                                             expires_at=expires, ip=ip)
        until = expires.astimezone(JAKARTA)
        await enqueue(conn, recipient=account.whatsapp, kind=KIND, idempotency_key=f"pwreset:{reset_id}", now=now,
                      body=TEXT_CODE.format(username=account.username, token=f"{reset_id}-{code}",
                                            until=f"{until:%H.%M} WIB"))
    return ResetRequested(reset_id, account.username, expires)


def parse_token(token: str) -> tuple[int, str]:
    m = _TOKEN.match(token or "")
    if not m:
        raise ResetError("Kode reset tidak valid (contoh: 42-583910)", "invalid_code")
    return int(m.group(1)), m.group(2)


async def confirm_reset(pool: asyncpg.Pool, *, token: str, password: str, now: datetime, secret: str) -> str:
    """Spend the code and set the new password; returns the account's username. ResetError otherwise."""
    reset_id, code = parse_token(token)
    async with pool.acquire() as conn, conn.transaction():
        reset = await resets.get_reset(conn, reset_id, for_update=True)
        if reset is None or reset.account_id is None:
            raise ResetError("Kode reset tidak valid (contoh: 42-583910)", "invalid_code")
        if reset.used_at is not None:
            raise ResetError("Kode reset sudah dipakai; minta kode baru", "used_code")
        if reset.attempts >= MAX_TRIES:
            raise ResetError("Terlalu banyak percobaan kode yang salah; minta kode baru", "too_many_tries")
        if now >= reset.expires_at:
            raise ResetError("Kode reset sudah kedaluwarsa (berlaku 15 menit); minta kode baru", "expired_code")
        wrong = not hmac.compare_digest(reset.code_hash or "", code_hash(secret, reset.account_id, code))
        if wrong:
            tries = await resets.record_wrong_code(conn, reset.id)
        else:
            username = await conn.fetchval("SELECT username FROM dashboard_accounts WHERE id = $1", reset.account_id)
            try:
                async with conn.transaction():   # a bad password leaves the code unspent
                    await set_dashboard_password(conn, Actor(username, "api"), username, password)
            except AccountError as exc:
                raise ResetError(str(exc), "validation_error") from None
            await resets.mark_used(conn, reset.id, at=now)
            await resets.retire_open_resets(conn, reset.account_id, at=now)
    if wrong:
        left = MAX_TRIES - tries
        raise ResetError(f"Kode reset salah; sisa {left} percobaan" if left > 0
                         else "Kode reset salah; kode ini tidak dapat dipakai lagi, minta kode baru", "wrong_code")
    return username
