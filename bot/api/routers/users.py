"""GET /api/users/list, /api/users/{id}; POST /api/users/create; PUT /api/users/{id} (a new `user_id` renames).

There is no unscoped listing: the list is always one client (or one directorate
with its role holders) the token may see. Writes take named fields only.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from bot.api.deps import ApiDeps, client_in_scope, get_deps, get_principal, may_see, requested_client_id
from bot.api.errors import COMMON_ERRORS, ApiError
from bot.api.people import checked_roles, save_with_nrp
from bot.api.render import user_row
from bot.api.schemas import CreateUserBody, UpdateUserBody, UserListResponse, UserResponse
from bot.api.security import DIRECTORATE_ROLES, Principal
from db.api_queries import directory, directory_row
from db.clients import get_client
from core.formats import (
    FormatError, clean_personnel_text, normalize_nrp, normalize_optional_phone, normalize_username,
)
from db.audit import Actor
from db.personnel import Personnel, get_personnel
from jobs.personnel_changes import save_personnel

router = APIRouter(prefix="/api/users", tags=["users"], responses=COMMON_ERRORS)


def api_actor(principal: Principal) -> Actor:
    """A dashboard change in the audit log: the account's username, or the operator login's client."""
    return Actor(principal.username or principal.actor, "api")


def _nrp(deps: ApiDeps, raw: str) -> str:
    try:
        return normalize_nrp(raw, length=deps.settings.personnel.nrp_length)
    except FormatError as exc:
        raise ApiError(422, str(exc), "validation_error") from None


def _user_not_found(nrp: str) -> ApiError:
    return ApiError(404, f"user {nrp[:30]} tidak ditemukan", "user_not_found")


async def _visible_person(deps: ApiDeps, principal: Principal, user_id: str) -> Personnel:
    """The person if the caller may see them; 404 otherwise — also for another client's person, so the
    answer never tells whether (or where) an NRP exists outside the caller's scope."""
    try:
        nrp = normalize_nrp(user_id, length=deps.settings.personnel.nrp_length)
    except FormatError:
        raise _user_not_found(user_id) from None
    person = await get_personnel(deps.db, nrp)
    if person is None:
        raise _user_not_found(nrp)
    try:
        await client_in_scope(deps, principal, person.client_id)
    except ApiError as exc:
        if exc.status == 403:
            raise _user_not_found(nrp) from None
        raise
    return person


@router.get("/list", response_model=UserListResponse, summary="Personnel of one client (or directorate)")
async def list_users(
    client_id: str | None = Query(None, max_length=64), role: str | None = Query(None, max_length=64),
    scope: str | None = Query(None, max_length=32), regional_id: str | None = Query(None, max_length=64),
    principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps),
):
    client = await client_in_scope(deps, principal, requested_client_id(principal, client_id, scope=scope, role=role))
    wants_org = (scope or "").strip().lower() == "org"
    holder_role = client.role_name if client.is_directorate and not wants_org else None
    rows = await directory(deps.db, client_ids=[client.id], role=holder_role,
                           regional_id=(regional_id or "").strip() or None)
    return {"success": True, "data": [user_row(r) for r in rows], "total": len(rows)}


@router.get("/{user_id}", response_model=UserResponse, summary="One person")
async def get_user(user_id: str, principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    person = await _visible_person(deps, principal, user_id)
    return {"success": True, "data": user_row(await directory_row(deps.db, person.nrp))}


_TEXT_FIELDS = {"name": "nama", "rank": "title", "division": "divisi", "position": "jabatan"}


def _normalised(body, existing: Personnel | None, client_id: str) -> Personnel:
    try:
        insta = normalize_username(body.insta) if body.insta is not None else None
        tiktok = normalize_username(body.tiktok) if body.tiktok is not None else None
        whatsapp = normalize_optional_phone(body.whatsapp) if body.whatsapp is not None else None
        text = {f: clean_personnel_text(f, getattr(body, key)) for f, key in _TEXT_FIELDS.items()}
    except FormatError as exc:
        raise ApiError(422, str(exc), "validation_error") from None
    base = existing or Personnel(nrp="", name="", client_id=client_id)
    return replace(
        base,
        name=text["name"] or base.name,
        rank=text["rank"] if body.title is not None else base.rank,
        division=text["division"] if body.divisi is not None else base.division,
        position=text["position"] if body.jabatan is not None else base.position,
        instagram=insta if body.insta is not None else base.instagram,
        tiktok=tiktok if body.tiktok is not None else base.tiktok,
        whatsapp=whatsapp if body.whatsapp is not None else base.whatsapp,
    )


@router.post("/create", response_model=UserResponse, status_code=201,
             summary="Create a person (or update one already in a visible client)")
async def create_user(body: CreateUserBody, principal: Principal = Depends(get_principal),
                      deps: ApiDeps = Depends(get_deps)):
    client = await client_in_scope(deps, principal, body.client_id)
    nrp = _nrp(deps, body.user_id)
    existing = await get_personnel(deps.db, nrp)
    if existing is not None:
        owner = await get_client(deps.db, existing.client_id)
        if owner is None or not may_see(principal, owner):
            raise ApiError(409, f"user_id {nrp} sudah terdaftar di client lain", "user_exists")
    person = _normalised(body, existing, client.id)
    person = replace(person, nrp=nrp, client_id=client.id, active=True)
    if not person.name:
        raise ApiError(422, "nama wajib diisi", "validation_error")
    if body.roles is not None:
        person = replace(person, roles=await checked_roles(deps, principal, client, person.roles, body.roles))
    if principal.role in DIRECTORATE_ROLES and principal.role not in person.roles:
        person = replace(person, roles=sorted({*person.roles, principal.role}))
    await save_personnel(deps.db, api_actor(principal), [person], action="personnel.update")
    row = user_row(await directory_row(deps.db, nrp))
    return JSONResponse({"success": True, "data": row}, status_code=200 if existing else 201)


@router.put("/{user_id}", response_model=UserResponse, summary="Update named fields of a person")
async def update_user(user_id: str, body: UpdateUserBody, principal: Principal = Depends(get_principal),
                      deps: ApiDeps = Depends(get_deps)):
    person = await _visible_person(deps, principal, user_id)
    new_nrp = _nrp(deps, body.user_id) if body.user_id is not None and body.user_id.strip() else person.nrp
    updated = _normalised(body, person, person.client_id)
    if body.status is not None:
        updated = replace(updated, active=body.status)
    await save_with_nrp(deps.db, api_actor(principal), person.nrp, replace(updated, nrp=new_nrp))
    return {"success": True, "data": user_row(await directory_row(deps.db, new_nrp))}
