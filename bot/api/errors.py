"""One JSON error envelope for every failure: `{success: false, message, reason?, errors?}`.

The dashboard shows `message` and, on 401/403, looks at `reason`
(`missing_token`, `expired_token`, `invalid_token` log the user out).
Nothing here ever returns HTML or a traceback. While PostgreSQL is unreachable
(`db.pool.is_database_outage`) every route answers 503 `service_unavailable`
with `Retry-After`, instead of a 500.
"""

from __future__ import annotations

import logging

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from db.pool import is_database_outage

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An expected failure with a status, an Indonesian message and an optional machine reason."""

    def __init__(self, status: int, message: str, reason: str | None = None, *, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.headers = headers or {}


class ErrorDetail(BaseModel):
    loc: list[str | int] = []
    msg: str


class ErrorBody(BaseModel):
    success: bool = False
    message: str
    reason: str | None = None
    errors: list[ErrorDetail] | None = None


def error_response(status: int, message: str, reason: str | None = None, *, errors: list | None = None,
                   headers: dict | None = None) -> JSONResponse:
    body: dict = {"success": False, "message": message}
    if reason:
        body["reason"] = reason
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers)


# Documented on every router so clients (and schemathesis) know the error shape.
COMMON_ERRORS = {
    status: {"model": ErrorBody, "description": text}
    for status, text in [
        (400, "bad request"), (401, "missing, expired, forged or revoked token"),
        (403, "client outside the token's scope or role not allowed"), (404, "not found"),
        (409, "conflict with existing data"),
        (413, "request body larger than [api] max_body_bytes"),
        (422, "invalid parameters or body"), (429, "too many failed logins"), (500, "server error"),
        (503, "database unreachable; retry after Retry-After seconds"),
    ]
}

_STATUS_MESSAGES = {
    404: "Endpoint tidak ditemukan",
    405: "Metode tidak diizinkan untuk endpoint ini",
}


def _describe_validation(exc: RequestValidationError) -> tuple[str, list[dict]]:
    errors = []
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")] or list(err.get("loc", ()))
        errors.append({"loc": [p if isinstance(p, (str, int)) else str(p) for p in loc], "msg": str(err.get("msg", ""))})
    first = errors[0] if errors else {"loc": [], "msg": "tidak valid"}
    where = ".".join(str(p) for p in first["loc"]) or "permintaan"
    return f"Parameter tidak valid: {where}: {first['msg']}", errors


TEXT_OUTAGE = "Layanan sedang terganggu (database tidak terjangkau); coba lagi sebentar lagi"
TEXT_SERVER_ERROR = "Terjadi kesalahan di server; coba lagi nanti"
# Exception types that may be a database outage; each is checked with `is_database_outage`.
OUTAGE_CANDIDATES = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


def install_error_handlers(app: FastAPI, *, retry_after_seconds: int = 30) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.reason, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, errors = _describe_validation(exc)
        return error_response(422, message, "validation_error", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = _STATUS_MESSAGES.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else "Permintaan gagal")
        if exc.status_code in (404, 405):
            message = f"{message}: {request.method} {request.url.path[:200]}"
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(asyncpg.DataError)
    async def _bad_data(request: Request, exc: asyncpg.DataError) -> JSONResponse:
        # e.g. a NUL byte or an out-of-range value that slipped past validation
        log.info("rejected input on %s: %s", request.url.path, exc.__class__.__name__)
        return error_response(422, "Input tidak valid (karakter atau nilai tidak didukung)", "validation_error")

    async def _maybe_outage(request: Request, exc: Exception) -> JSONResponse:
        if is_database_outage(exc):
            log.warning("database unreachable on %s %s: %s", request.method, request.url.path,
                        exc.__class__.__name__)
            return error_response(503, TEXT_OUTAGE, "service_unavailable",
                                  headers={"Retry-After": str(retry_after_seconds)})
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, TEXT_SERVER_ERROR, "server_error")

    for candidate in OUTAGE_CANDIDATES:
        app.add_exception_handler(candidate, _maybe_outage)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, TEXT_SERVER_ERROR, "server_error")
