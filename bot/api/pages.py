"""Which client a dashboard page means: the token's own (home), or the owner of an account handle (post pages).

- `page_client`: the `client_id` of the query, else the `X-Client-Id` header,
  else the token's client (its first one, the `user.client_id` the login
  returned) — the home page sends no client id at all. Always scope-checked.
- `handle_owner`: the client whose Instagram/TikTok account is `username`. A
  handle of no client is 404 (JSON, naming it); a handle of clients the token
  may not see is 403, like any other client outside the scope.
"""

from __future__ import annotations

from fastapi import Request

from bot.api.deps import ApiDeps, client_in_scope
from bot.api.errors import ApiError
from bot.api.security import Principal
from core.formats import FormatError, normalize_username
from db.api_queries import clients_with_account
from db.clients import Client

PLATFORM_LABEL = {"instagram": "Instagram", "tiktok": "TikTok"}


async def page_client(deps: ApiDeps, principal: Principal, request: Request, client_id: str | None) -> Client:
    cid = (client_id or "").strip() or (request.headers.get("x-client-id") or "").strip()[:64]
    if not cid and principal.client_ids:
        cid = principal.client_ids[0]
    if not cid:
        raise ApiError(422, "client_id wajib diisi", "validation_error")
    return await client_in_scope(deps, principal, cid)


async def handle_owner(deps: ApiDeps, principal: Principal, platform: str, username: str) -> Client:
    label = PLATFORM_LABEL[platform]
    try:
        handle = normalize_username(username)
    except FormatError:
        handle = None
    if not handle:
        raise ApiError(422, f"username {label} tidak valid", "validation_error")
    owners = await clients_with_account(deps.db, platform, handle)
    if not owners:
        raise ApiError(404, f"akun {label} @{handle} tidak terdaftar sebagai akun client Cicero", "account_not_found")
    for cid in owners:
        try:
            return await client_in_scope(deps, principal, cid)
        except ApiError as exc:
            if exc.status != 403:
                raise
    raise ApiError(403, f"akun {label} @{handle} bukan milik client yang diizinkan untuk akun ini", "forbidden_client")


async def posts_owner(deps: ApiDeps, principal: Principal, request: Request, platform: str, *,
                      username: str | None, client_id: str | None) -> Client:
    """A post page's client: by `username` when given (the compare form), else by `client_id` / the token."""
    if username and username.strip():
        return await handle_owner(deps, principal, platform, username)
    return await page_client(deps, principal, request, client_id)
