"""Passwords (argon2id) and tokens (JWT HS256) for the HTTP API.

Tokens are checked against the injectable clock, not the wall clock, so tests
can move time with `ManualClock`. A token names its kind (`dashboard` account or
`client_operator` login), its role and client scope. Every token is re-checked
on every request (`bot/api/deps.get_principal`): a dashboard token against its
account (deactivation, scope and role changes apply at once), an operator token
against its client (deactivated client, or a number that is no longer its
operator's → 401), and every token can be revoked by logout (`api_revoked_tokens`).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

# passwords and roles are defined once (core.passwords, db.dashboard_accounts); the API uses them from here
from core.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password  # noqa: F401
from db.dashboard_accounts import ADMIN_ROLE, DIRECTORATE_ROLES  # noqa: F401

ISSUER = "cicero"
ALGORITHM = "HS256"
KIND_DASHBOARD = "dashboard"
KIND_CLIENT_OPERATOR = "client_operator"



class TokenError(Exception):
    """A token that must be refused; `reason` is missing_token | expired_token | invalid_token."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


PASSWORD_EPOCH_CLAIM = "pwe"   # dashboard tokens: the password generation they were issued under


@dataclass(frozen=True)
class Principal:
    """Who is calling, as read from a verified token (and, for accounts, the database)."""

    kind: str
    subject: str                 # account id or client id
    username: str | None
    role: str
    client_ids: tuple[str, ...]
    jti: str
    expires_at: datetime
    password_epoch: int = 0      # the account's password generation when the token was issued (claim `pwe`)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN_ROLE

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.subject}"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: datetime


def issue_token(
    secret: str, *, now: datetime, lifetime: timedelta, kind: str, subject: str, role: str,
    client_ids: list[str], username: str | None = None, extra: dict | None = None,
) -> IssuedToken:
    jti = secrets.token_urlsafe(16)
    expires = now + lifetime
    claims = {
        "iss": ISSUER, "sub": f"{kind}:{subject}", "typ": kind, "role": role, "client_ids": list(client_ids),
        "client_id": client_ids[0] if client_ids else None, "username": username,
        "iat": int(now.timestamp()), "exp": int(expires.timestamp()), "jti": jti, **(extra or {}),
    }
    return IssuedToken(jwt.encode(claims, secret, algorithm=ALGORITHM), jti, expires.astimezone(timezone.utc))


def read_token(secret: str, token: str, *, now: datetime) -> Principal:
    """Verify signature, issuer, shape and expiry (against `now`); raise TokenError otherwise."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                     "require": ["exp", "sub", "jti", "typ", "iss"]},
        )
    except jwt.PyJWTError:
        raise TokenError("invalid_token", "Token tidak valid; silakan login ulang") from None
    try:
        kind = claims["typ"]
        prefix, subject = str(claims["sub"]).split(":", 1)
        exp = datetime.fromtimestamp(int(claims["exp"]), tz=timezone.utc)
        client_ids = tuple(str(c) for c in (claims.get("client_ids") or []))
        role = str(claims.get("role") or "")
        password_epoch = claims.get(PASSWORD_EPOCH_CLAIM, 0)
        if type(password_epoch) is not int:
            raise TypeError("password epoch")
    except (KeyError, ValueError, TypeError):
        raise TokenError("invalid_token", "Token tidak valid; silakan login ulang") from None
    if kind not in (KIND_DASHBOARD, KIND_CLIENT_OPERATOR) or prefix != kind or not subject:
        raise TokenError("invalid_token", "Token tidak valid; silakan login ulang")
    if now >= exp:
        raise TokenError("expired_token", "Sesi sudah berakhir; silakan login ulang")
    return Principal(kind, subject, claims.get("username"), role, client_ids, str(claims["jti"]), exp,
                     password_epoch)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (a bare token is accepted too)."""
    if not authorization or not authorization.strip():
        return None
    parts = authorization.strip().split(None, 1)
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1].strip() or None
    return parts[0] if len(parts) == 1 and parts[0].count(".") == 2 else None
