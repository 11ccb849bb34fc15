"""POST /api/auth/login (client id + operator WhatsApp), /dashboard-login (username + password), /logout."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Request

from bot.api.deps import ApiDeps, get_deps, get_principal, operator_login_role
from bot.api.errors import COMMON_ERRORS, ApiError
from bot.api.login import Attempt, ThrottlePolicy, check_throttle, log_attempt
from bot.api.schemas import (
    clean_text,
    DashboardLoginBody, DashboardLoginResponse, OkResponse, OperatorLoginBody, OperatorLoginResponse,
)
from bot.api.security import (
    ADMIN_ROLE, KIND_CLIENT_OPERATOR, MIN_PASSWORD_LENGTH, KIND_DASHBOARD, PASSWORD_EPOCH_CLAIM, Principal, hash_password,
    issue_token, needs_rehash,
    verify_password_async,
)
from db.clients import get_client
from db.dashboard_accounts import account_for_login, account_session, set_password_hash
from core.formats import FormatError, normalize_client_id, normalize_phone
from db.login_log import revoke_token

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=COMMON_ERRORS)


def _attempt(request: Request, login_type: str, actor: str) -> Attempt:
    agent = request.headers.get("user-agent")
    return Attempt(login_type, clean_text(actor), request.client.host if request.client else None,
                   clean_text(agent) if agent else None)


@router.post("/login", response_model=OperatorLoginResponse, summary="Login by client id and operator WhatsApp number")
async def operator_login(body: OperatorLoginBody, request: Request, deps: ApiDeps = Depends(get_deps)):
    now = deps.clock.now()
    try:
        client_id = normalize_client_id(body.client_id)
    except FormatError:
        client_id = body.client_id.strip().upper()[:64]
    attempt = _attempt(request, KIND_CLIENT_OPERATOR, f"client:{client_id}")
    await check_throttle(deps.db, attempt, ThrottlePolicy.from_settings(deps.settings.api), now)

    async def fail(reason: str, message: str):
        await log_attempt(deps.db, attempt, success=False, reason=reason, now=now)
        raise ApiError(401, message, reason)

    client = await get_client(deps.db, client_id)
    if client is None or not client.active:
        await fail("unknown_client", "Login gagal: client_id tidak ditemukan")
    try:
        phone = normalize_phone(body.client_operator)
    except FormatError:
        await fail("bad_operator", "Login gagal: nomor operator tidak valid")
    allowed = {p for p in [client.operator_phone, *client.super_phones] if p}
    if phone not in allowed:
        await fail("bad_operator", "Login gagal: nomor bukan operator client ini")
    role = operator_login_role(client)
    issued = issue_token(deps.jwt_secret, now=now, lifetime=deps.token_lifetime, kind=KIND_CLIENT_OPERATOR,
                         subject=client.id, role=role, client_ids=[client.id], username=phone,
                         extra={"nama": client.name})
    await log_attempt(deps.db, attempt, success=True, reason=None, now=now)
    return {"success": True, "token": issued.token,
            "client": {"client_id": client.id, "nama": client.name, "role": role,
                       "client_type": "DIREKTORAT" if client.is_directorate else "ORG"}}


@router.post("/dashboard-login", response_model=DashboardLoginResponse, summary="Dashboard login (username + password)")
async def dashboard_login(body: DashboardLoginBody, request: Request, deps: ApiDeps = Depends(get_deps)):
    now = deps.clock.now()
    username = body.username.strip()
    attempt = _attempt(request, KIND_DASHBOARD, f"dashboard:{username.lower()[:100]}")
    await check_throttle(deps.db, attempt, ThrottlePolicy.from_settings(deps.settings.api), now)

    async def fail(status: int, reason: str, message: str):
        await log_attempt(deps.db, attempt, success=False, reason=reason, now=now)
        raise ApiError(status, message, reason)

    found = await account_for_login(deps.db, username)
    account, password_hash = found if found else (None, None)
    if not await verify_password_async(password_hash, body.password) or account is None:
        await fail(401, "bad_credentials", "Login gagal: username atau password salah")
    if not account.active:
        await fail(403, "inactive_account", "Akun belum disetujui atau dinonaktifkan")
    session = await account_session(deps.db, account.id, "")
    role = session.role  # the role it acts with (one directorate → it)
    if not account.client_ids and role != ADMIN_ROLE:
        await fail(403, "no_clients", "Akun belum memiliki client yang diizinkan")
    if needs_rehash(password_hash) and len(body.password) >= MIN_PASSWORD_LENGTH:
        await set_password_hash(deps.db, account.id, await asyncio.to_thread(hash_password, body.password),
                                new_password=False)
    issued = issue_token(deps.jwt_secret, now=now, lifetime=deps.token_lifetime, kind=KIND_DASHBOARD,
                         subject=str(account.id), role=role, client_ids=account.client_ids,
                         username=account.username,
                         extra={"user_id": str(account.id), PASSWORD_EPOCH_CLAIM: session.password_epoch})
    await log_attempt(deps.db, attempt, success=True, reason=None, now=now)
    return {"success": True, "token": issued.token,
            "user": {"user_id": str(account.id), "username": account.username,
                     "client_id": account.client_ids[0] if account.client_ids else None,
                     "role": role, "client_ids": account.client_ids}}


@router.post("/logout", response_model=OkResponse, summary="End this token's session")
async def logout(principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    await revoke_token(deps.db, jti=principal.jti, actor=principal.actor, expires_at=principal.expires_at,
                       at=deps.clock.now())
    return {"success": True, "message": "Logout berhasil"}
