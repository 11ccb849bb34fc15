"""Personnel roles and NRP changes from the dashboard.

Roles: which exist and who may grant or take which.

A person's roles are `operator` and the directorate roles (`ditbinmas`, …, and
the role of every directorate client). `operator` is implied for every person
of an org client (`db.personnel.effective_roles`), so it is never stored for
them and cannot be taken from them. Who may change what:

- an admin: any role;
- a directorate token (its role is a directorate role): only its own role;
- anyone else (an org operator): nothing — the request must leave the roles as they are.

The person must be visible to the token (checked by the caller, as for every personnel call).

NRP changes (`save_with_nrp`): the rename (`jobs.personnel_changes.rename_personnel`, which moves
every reference) and the edited fields are written in one transaction, audited.
"""

from __future__ import annotations



from bot.api.deps import ApiDeps
from bot.api.errors import ApiError
from bot.api.security import Principal
from db.audit import Actor
from db.clients import Client
from db.dashboard_accounts import ADMIN_ROLE
from db.personnel import OPERATOR_ROLE, Personnel
from db.pool import Executor, transaction
from jobs.account_changes import known_roles
from jobs.personnel_changes import NrpTaken, rename_personnel, save_personnel

MAX_ROLE_CHARS = 64


async def person_roles(deps: ApiDeps) -> list[str]:
    """Every role a person may carry (the dashboard roles without `admin`)."""
    return [r for r in await known_roles(deps.db) if r != ADMIN_ROLE]


async def checked_roles(deps: ApiDeps, principal: Principal, client: Client, current: list[str],
                        wanted: list[str]) -> list[str]:
    """The roles to store for a person of `client` who now has `current` (stored) and is asked to have `wanted`.

    422 for an unknown role, 403 for a change the token may not make.
    """
    allowed = await person_roles(deps)
    asked = {str(r).strip().lower()[:MAX_ROLE_CHARS] for r in wanted if str(r).strip()}
    unknown = sorted(asked - set(allowed))
    if unknown:
        raise ApiError(422, f"peran tidak dikenal: {', '.join(unknown)} (pilihan: {', '.join(allowed)})",
                       "validation_error")
    if not client.is_directorate:
        asked.discard(OPERATOR_ROLE)          # implied for everyone of an org client
    changed = asked ^ set(current)
    if principal.is_admin or not changed:
        return sorted(asked)
    own = (principal.role or "").lower()
    if own in allowed and own != OPERATOR_ROLE:
        if changed <= {own}:
            return sorted(asked)
        raise ApiError(403, f"akun ini hanya boleh memberi atau mencabut peran {own}", "role_not_allowed")
    raise ApiError(403, "akun ini tidak boleh mengubah peran personel", "role_not_allowed")


async def save_with_nrp(db: Executor, actor: Actor, old_nrp: str, person: Personnel) -> None:
    """Write `person` (edited fields) under `person.nrp`, first renaming `old_nrp` to it when they differ."""
    async with transaction(db) as conn:
        if person.nrp != old_nrp:
            try:
                renamed = await rename_personnel(conn, actor, old_nrp, person.nrp)
            except NrpTaken as exc:
                raise ApiError(409, str(exc), "user_exists") from None
            if not renamed:
                raise ApiError(404, f"user {old_nrp} tidak ditemukan", "user_not_found")
        await save_personnel(conn, actor, [person], action="personnel.update")
