"""PUT /api/users/{nrp}/roles (set a person's roles) and PUT /api/user_roles/update (change an NRP everywhere).

Both act on a person the token may see (`users._visible_person`); role changes follow the rules of
`bot/api/people.py`, and every write goes through `jobs/personnel_changes.py` (audited).
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Depends

from bot.api.deps import ApiDeps, get_deps, get_principal
from bot.api.errors import COMMON_ERRORS, ApiError
from bot.api.people import checked_roles
from bot.api.render import user_row
from bot.api.routers.users import _visible_person, api_actor
from bot.api.schemas_pages import RenameBody, RolesBody, UserChangeResponse
from bot.api.security import Principal
from core.formats import FormatError, normalize_nrp
from db.api_queries import directory_row
from db.clients import get_client
from db.personnel import get_personnel
from jobs.personnel_changes import NrpTaken, rename_personnel, save_personnel

def _nrp_of(raw: str, field: str, length: int) -> str:
    try:
        return normalize_nrp(raw, length=length)
    except FormatError as exc:
        raise ApiError(422, f"{field}: {exc}", "validation_error") from None


users = APIRouter(prefix="/api/users", tags=["users"], responses=COMMON_ERRORS)
user_roles = APIRouter(prefix="/api/user_roles", tags=["users"], responses=COMMON_ERRORS)


@users.put("/{user_id}/roles", response_model=UserChangeResponse, summary="Set a person's roles")
async def set_roles(user_id: str, body: RolesBody, principal: Principal = Depends(get_principal),
                    deps: ApiDeps = Depends(get_deps)):
    person = await _visible_person(deps, principal, user_id)
    client = await get_client(deps.db, person.client_id)
    roles = await checked_roles(deps, principal, client, person.roles, body.roles)
    await save_personnel(deps.db, api_actor(principal), [replace(person, roles=roles)], action="personnel.roles")
    return {"success": True, "message": "Peran personel diperbarui",
            "data": user_row(await directory_row(deps.db, person.nrp))}


@user_roles.put("/update", response_model=UserChangeResponse,
                summary="Change a person's NRP everywhere it is referenced (one transaction)")
async def rename(body: RenameBody, principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    length = deps.settings.personnel.nrp_length
    old, new = _nrp_of(body.old_user_id, "old_user_id", length), _nrp_of(body.new_user_id, "new_user_id", length)
    if old != new and await get_personnel(deps.db, old) is None and await get_personnel(deps.db, new) is not None:
        # the dashboard renames with PUT /api/users/{old} first, then calls this: already done
        person = await _visible_person(deps, principal, new)
        return {"success": True, "message": f"NRP sudah {new}",
                "data": user_row(await directory_row(deps.db, person.nrp))}
    await _visible_person(deps, principal, old)
    try:
        renamed = await rename_personnel(deps.db, api_actor(principal), old, new)
    except NrpTaken as exc:
        raise ApiError(409, str(exc), "user_exists") from None
    if not renamed:
        raise ApiError(404, f"user {old} tidak ditemukan", "user_not_found")
    return {"success": True, "message": f"NRP {old} diganti menjadi {new}",
            "data": user_row(await directory_row(deps.db, new))}
