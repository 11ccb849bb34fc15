"""POST /api/auth/dashboard-register and /api/auth/dashboard-password-reset/request|confirm (no token needed).

- register: an inactive account and a WhatsApp approval request to every admin
  (`jobs/dashboard_signup.py`); the answer says it waits (`status: false`).
- reset request: the same answer whether or not username and number matched
  (no account enumeration); a code goes to the account's WhatsApp number.
- reset confirm: the code (`token`, e.g. `42-583910`) and the new password twice.
Limits per address (and per account for resets) answer 429 with `Retry-After`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from bot.api.deps import ApiDeps, get_deps
from bot.api.errors import COMMON_ERRORS, ApiError
from bot.api.schemas_pages import (
    MessageResponse, RegisterBody, RegisterResponse, ResetConfirmBody, ResetRequestBody,
)
from db.audit import Actor
from db.dashboard_accounts import account_by_username
from jobs.dashboard_signup import RegistrationError, SignupRequest, register
from jobs.password_reset import ResetError, confirm_reset, request_reset
from jobs.rate_limits import TooMany

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=COMMON_ERRORS)

TEXT_REGISTERED = "Registrasi berhasil, menunggu persetujuan admin. Anda akan diberi tahu lewat WhatsApp."
TEXT_RESET_SENT = ("Jika username dan nomor WhatsApp cocok dengan akun aktif, kode reset sudah dikirim ke WhatsApp "
                   "tersebut (berlaku 15 menit).")
TEXT_RESET_DONE = "Password berhasil diperbarui; silakan login dengan password baru."


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _too_many(exc: TooMany) -> ApiError:
    return ApiError(429, str(exc), exc.reason, headers={"Retry-After": str(exc.retry_after_seconds)})


@router.post("/dashboard-register", response_model=RegisterResponse, status_code=201,
             summary="Register a dashboard account (inactive until an admin approves in WhatsApp)")
async def dashboard_register(body: RegisterBody, request: Request, deps: ApiDeps = Depends(get_deps)):
    if body.confirmPassword is not None and body.confirmPassword != body.password:
        raise ApiError(422, "Konfirmasi password tidak sesuai", "validation_error")
    if await account_by_username(deps.db, body.username) is not None:
        raise ApiError(409, f"username {body.username.strip()} sudah dipakai", "account_exists")
    clients = [*(body.client_ids or []), *([body.client_id] if body.client_id else [])]
    role = (body.role or "operator").strip().lower()
    if not clients and role != "operator":
        clients = [role.upper()]        # a directorate role without a client means that directorate
    req = SignupRequest(body.username, body.password, body.whatsapp or body.contact or "", role, clients,
                        _address(request))
    try:
        reg = await register(deps.db, Actor(body.username.strip(), "api"), req, admins=deps.settings.whatsapp.admins,
                             now=deps.clock.now())
    except TooMany as exc:
        raise _too_many(exc) from None
    except RegistrationError as exc:
        raise ApiError(422, str(exc), "validation_error") from None
    data = {"registration_id": reg.id, "dashboard_user_id": str(reg.account_id), "username": reg.username,
            "role": reg.role, "client_ids": reg.client_ids}
    return JSONResponse({"success": True, "status": False, "message": TEXT_REGISTERED,
                         "dashboard_user_id": str(reg.account_id), "data": data}, status_code=201)


@router.post("/dashboard-password-reset/request", response_model=MessageResponse,
             summary="Send a one-time reset code to the account's WhatsApp number")
async def password_reset_request(body: ResetRequestBody, request: Request, deps: ApiDeps = Depends(get_deps)):
    try:
        await request_reset(deps.db, username=body.username, contact=body.contact, ip=_address(request),
                            now=deps.clock.now(), secret=deps.jwt_secret)
    except TooMany as exc:
        raise _too_many(exc) from None
    return {"success": True, "message": TEXT_RESET_SENT}


@router.post("/dashboard-password-reset/confirm", response_model=MessageResponse,
             summary="Set a new password with the code sent on WhatsApp")
async def password_reset_confirm(body: ResetConfirmBody, deps: ApiDeps = Depends(get_deps)):
    confirmation = body.confirmPassword if body.confirmPassword is not None else body.password_confirmation
    if confirmation is not None and confirmation != body.password:
        raise ApiError(422, "Konfirmasi password tidak sesuai", "validation_error")
    try:
        await confirm_reset(deps.db, token=body.token, password=body.password, now=deps.clock.now(),
                            secret=deps.jwt_secret)
    except ResetError as exc:
        raise ApiError(422 if exc.reason == "validation_error" else 400, str(exc), exc.reason) from None
    return {"success": True, "message": TEXT_RESET_DONE}
