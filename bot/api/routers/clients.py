"""GET /api/clients, /api/clients/profile, /api/clients/{id}; POST /api/clients (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from bot.api.deps import ApiDeps, client_in_scope, get_deps, get_principal, may_see, requested_client_id
from bot.api.errors import COMMON_ERRORS, ApiError
from bot.api.render import client_profile
from bot.api.schemas import ClientListResponse, ClientProfileResponse, ClientResponse, CreateClientBody
from bot.api.routers.users import api_actor
from bot.api.security import Principal
from db.clients import Client, get_client, list_clients
from core.formats import FormatError, normalize_client_id
from jobs import client_changes

router = APIRouter(prefix="/api/clients", tags=["clients"], responses=COMMON_ERRORS)


@router.get("", response_model=ClientListResponse, summary="Clients visible to this token")
async def clients(principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    visible = [c for c in await list_clients(deps.db) if may_see(principal, c)]
    return {"success": True, "data": [client_profile(c) for c in visible]}


@router.get("/profile", response_model=ClientProfileResponse, summary="Profile of the login client")
async def profile(
    client_id: str | None = Query(None, max_length=64), role: str | None = Query(None, max_length=64),
    scope: str | None = Query(None, max_length=32), regional_id: str | None = Query(None, max_length=64),
    principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps),
):
    cid = requested_client_id(principal, client_id, scope=scope, role=role)
    client = await client_in_scope(deps, principal, cid)
    if regional_id and regional_id.strip() and (client.regional_id or "").upper() != regional_id.strip().upper():
        raise ApiError(404, f"client {client.id} tidak berada di regional {regional_id.strip().upper()}",
                       "client_not_found")
    return {"success": True, "client": client_profile(client)}


@router.get("/{client_id}", response_model=ClientResponse, summary="One client")
async def one_client(client_id: str, principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    client = await client_in_scope(deps, principal, client_id[:64])
    return {"success": True, "data": client_profile(client)}


@router.post("", response_model=ClientResponse, status_code=201, summary="Create a client (admin only)")
async def create_client(body: CreateClientBody, principal: Principal = Depends(get_principal),
                        deps: ApiDeps = Depends(get_deps)):
    if not principal.is_admin:
        raise ApiError(403, "Hanya admin yang boleh menambah client", "admin_only")
    try:
        cid = normalize_client_id(body.client_id)
    except FormatError as exc:
        raise ApiError(422, str(exc), "validation_error") from None
    if await get_client(deps.db, cid) is not None:
        raise ApiError(409, f"client {cid} sudah ada", "client_exists")
    kind = (body.client_type or "org").strip().lower()
    if kind not in ("org", "direktorat"):
        raise ApiError(422, "client_type harus org atau direktorat", "validation_error")
    if body.parent_client_id and await get_client(deps.db, body.parent_client_id) is None:
        raise ApiError(422, f"parent_client_id {body.parent_client_id} tidak ditemukan", "validation_error")
    try:
        change = await client_changes.create_client(deps.db, api_actor(principal), Client(
            id=cid, name=body.nama, type=kind, instagram=body.client_insta, tiktok=body.client_tiktok,
            operator_phone=body.client_operator, regional_id=(body.regional_id or "").strip().upper() or None,
            parent_id=body.parent_client_id,
        ))
    except client_changes.ClientExists:
        raise ApiError(409, f"client {cid} sudah ada", "client_exists") from None
    except (FormatError, ValueError) as exc:
        raise ApiError(422, str(exc), "validation_error") from None
    return JSONResponse({"success": True, "data": client_profile(change.after)}, status_code=201)
