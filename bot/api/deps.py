"""What every request handler receives: `ApiDeps` (app-wide) and the calling `Principal`.

`ApiDeps` is built once (by `ApiPart` or a test) and stored on `app.state.deps`;
routers get it with `Depends(get_deps)` and the verified caller with
`Depends(get_principal)`. Client scoping lives here too, so every router checks
it the same way: a client is visible to an admin, to tokens that name it, and to
tokens that name a directorate it serves (its parent, or one whose role its personnel carry).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable

from fastapi import Depends, Request

from bot.api.cache import ResultCache
from bot.api.errors import ApiError
from bot.api.security import KIND_DASHBOARD, Principal, TokenError, bearer_token, read_token
from core.settings import Settings
from db.api_queries import client_serves_directorate
from db.clients import Client, get_client
from db.dashboard_accounts import account_session
from db.login_log import is_token_revoked
from db.pool import Executor
from handlers.reports.attendance import AttendanceRules
from core.clock import Clock


@dataclass
class ApiDeps:
    settings: Settings
    db: Executor
    clock: Clock
    # name -> object with optional `health()` (sync or async) returning a dict; read by /api/health
    peers: Callable[[], list[Any]] = field(default=lambda: [])
    rekap_cache_seconds: float | None = None   # None: `[api] recap_cache_seconds`
    cache: ResultCache = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.rekap_cache_seconds is None:
            self.rekap_cache_seconds = self.settings.api.recap_cache_seconds
        if self.cache is None:
            self.cache = ResultCache(self.clock, self.rekap_cache_seconds)

    @property
    def jwt_secret(self) -> str:
        return self.settings.api.jwt_secret.get_secret_value()

    @property
    def token_lifetime(self) -> timedelta:
        return timedelta(hours=self.settings.api.jwt_expiry_hours)

    @property
    def rules(self) -> AttendanceRules:
        return AttendanceRules.from_settings(self.settings.attendance)


def get_deps(request: Request) -> ApiDeps:
    return request.app.state.deps


def _unauthorized(reason: str, message: str) -> ApiError:
    return ApiError(401, message, reason, headers={"WWW-Authenticate": "Bearer"})


async def get_principal(request: Request, deps: ApiDeps = Depends(get_deps)) -> Principal:
    """The verified caller; 401 with reason missing_token / expired_token / invalid_token otherwise."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise _unauthorized("missing_token", "Token tidak ditemukan; silakan login")
    try:
        principal = read_token(deps.jwt_secret, token, now=deps.clock.now())
    except TokenError as exc:
        raise _unauthorized(exc.reason, exc.message) from None
    if principal.kind == KIND_DASHBOARD:
        try:
            account_id = int(principal.subject)
        except ValueError:
            raise _unauthorized("invalid_token", "Token tidak valid; silakan login ulang") from None
        session = await account_session(deps.db, account_id, principal.jti)
        if session is None or not session.active:
            raise _unauthorized("invalid_token", "Akun tidak aktif atau sudah dihapus; silakan login ulang")
        if session.revoked:
            raise _unauthorized("invalid_token", "Sesi sudah diakhiri (logout); silakan login ulang")
        if principal.password_epoch != session.password_epoch:
            raise _unauthorized("invalid_token", "Password akun sudah diganti; silakan login ulang")
        principal = Principal(principal.kind, principal.subject, principal.username, session.role,
                              tuple(session.client_ids), principal.jti, principal.expires_at, session.password_epoch)
    else:
        principal = await _current_operator(deps, principal)
    request.state.principal = principal
    return principal


async def _current_operator(deps: ApiDeps, principal: Principal) -> Principal:
    """An operator-login token as its client stands now: still active, the number still its operator's."""
    if await is_token_revoked(deps.db, principal.jti):
        raise _unauthorized("invalid_token", "Sesi sudah diakhiri (logout); silakan login ulang")
    client = await get_client(deps.db, principal.subject)
    if client is None or not client.active:
        raise _unauthorized("invalid_token", "Client tidak aktif atau sudah dihapus; silakan login ulang")
    if principal.username not in {p for p in [client.operator_phone, *client.super_phones] if p}:
        raise _unauthorized("invalid_token", "Nomor operator client sudah berubah; silakan login ulang")
    return Principal(principal.kind, client.id, principal.username, operator_login_role(client), (client.id,),
                     principal.jti, principal.expires_at)


def operator_login_role(client: Client) -> str:
    """The role of an operator login: a directorate's own role, else `operator`."""
    return client.role_name if client.is_directorate else "operator"


def may_see(principal: Principal, client: Client) -> bool:
    if principal.is_admin:
        return True
    scope = {c.upper() for c in principal.client_ids}
    return client.id in scope or (client.parent_id is not None and client.parent_id in scope)


def forbidden_client(client_id: str) -> ApiError:
    return ApiError(403, f"client_id {client_id} tidak diizinkan untuk akun ini", "forbidden_client")


async def client_in_scope(deps: ApiDeps, principal: Principal, client_id: str) -> Client:
    """The client if the caller may see it: 403 outside the scope (404 only for admins, who see all).

    Client rows are cached like recaps (`rekap_cache_seconds`), so a change of parent or name shows
    within that window; token scope and revocation are read on every request.
    """
    cid = client_id.strip().upper()
    client = await deps.cache.get_or_compute(("client", cid), lambda: get_client(deps.db, cid)) if cid else None
    if client is None:
        if principal.is_admin:
            raise ApiError(404, f"client {cid or '(kosong)'} tidak ditemukan", "client_not_found")
        raise forbidden_client(cid or "(kosong)")
    if not may_see(principal, client) and not await _satker_of_own_directorate(deps, principal, client):
        raise forbidden_client(client.id)
    return client


async def _satker_of_own_directorate(deps: ApiDeps, principal: Principal, client: Client) -> bool:
    """A directorate's tokens also see its satker (clients whose personnel carry the directorate's role)."""
    if not principal.client_ids:
        return False
    ids = sorted({c.upper() for c in principal.client_ids})
    return await deps.cache.get_or_compute(
        ("satker", client.id, tuple(ids)), lambda: client_serves_directorate(deps.db, client.id, ids))


def requested_client_id(principal: Principal, client_id: str | None, *, scope: str | None = None,
                        role: str | None = None) -> str:
    """The client a request is about: the query's, a directorate named by role, or the token's only client."""
    if client_id and client_id.strip():
        return client_id.strip().upper()
    if scope and scope.strip().lower() == "direktorat" and role and role.strip().lower() != "operator":
        return role.strip().upper()
    if len(principal.client_ids) == 1:
        return principal.client_ids[0].upper()
    raise ApiError(422, "client_id wajib diisi", "validation_error")


async def maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
