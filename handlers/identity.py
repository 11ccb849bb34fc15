"""Who is talking: the roles a WhatsApp number holds, resolved once per message.

`resolve_identity(settings, pool, phone=…, lid=…)` reads the admin numbers
from settings, the active dashboard accounts with that WhatsApp number, the
clients whose operator or super-admin number it is, and the active personnel
row holding that number (`personnel`). A number with none of these is
`unregistered`: it may only bind itself to an NRP (`handlers/personnel`). The
transport has already turned a LID sender into its phone number where it could
(`bot/inbound.py`).
Scope checks (which clients a person may see) live here, beside the identity.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.formats import FormatError, normalize_phone
from core.settings import Settings
from db.pool import Executor
from db.chat_identity import (
    active_dashboard_accounts_by_whatsapp, active_personnel_by_whatsapp, client_ids_operated_by,
)


class Role(str, enum.Enum):
    ADMIN = "admin"            # a number in [whatsapp] admins
    OPERATOR = "operator"      # clients.operator_phone or one of clients.super_phones
    DASHBOARD = "dashboard"    # an active dashboard_accounts row with this whatsapp number
    PERSONNEL = "personnel"    # an active personnel row with this whatsapp number (of an active client)
    UNREGISTERED = "unregistered"  # a phone number with none of the above: may only bind itself by NRP


ADMIN_ONLY = frozenset({Role.ADMIN})
ANY_KNOWN = frozenset({Role.ADMIN, Role.OPERATOR, Role.DASHBOARD, Role.PERSONNEL})


@dataclass(frozen=True)
class DashboardAccount:
    id: int
    username: str
    role: str                               # dashboard role: admin, operator, ditbinmas, …
    client_ids: tuple[str, ...] = ()        # from dashboard_account_clients


@dataclass(frozen=True)
class Identity:
    """The resolved sender. `roles` is empty when no number is known, {UNREGISTERED} for an unknown one."""

    phone: str | None                       # 62… digits, None when only a LID is known
    lid: str | None                         # "…@lid" when known
    roles: frozenset[Role] = frozenset()
    dashboard_accounts: tuple[DashboardAccount, ...] = ()   # active accounts with this number
    operator_client_ids: tuple[str, ...] = ()               # clients this number operates (operator or super)
    personnel_nrp: str | None = None                        # the active person with this number
    personnel_client_id: str | None = None                  # … and their client

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_operator(self) -> bool:
        return Role.OPERATOR in self.roles

    @property
    def is_dashboard(self) -> bool:
        return Role.DASHBOARD in self.roles

    @property
    def is_personnel(self) -> bool:
        return Role.PERSONNEL in self.roles

    @property
    def known(self) -> bool:
        """Whether the number holds a role (an unregistered number is not known)."""
        return bool(self.roles - {Role.UNREGISTERED})

    @property
    def label(self) -> str:
        """How the sender is named in logs and audit rows."""
        return self.phone or self.lid or "unknown"

    def may(self, allowed: frozenset[Role]) -> bool:
        return bool(self.roles & allowed)


def phone_or_none(raw: str | None) -> str | None:
    """The normalised 62… number, or None for an empty or implausible one."""
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except FormatError:
        return None


async def resolve_identity(settings: Settings, pool: Executor, *, phone: str | None, lid: str | None) -> Identity:
    """Every role `phone` holds; a missing number has no roles, an unknown one only UNREGISTERED."""
    phone = phone_or_none(phone)
    if phone is None:
        return Identity(phone=None, lid=lid)
    roles: set[Role] = set()
    if phone in settings.whatsapp.admins:
        roles.add(Role.ADMIN)
    accounts = await active_dashboard_accounts_by_whatsapp(pool, phone)
    if accounts:
        roles.add(Role.DASHBOARD)
    operated = await client_ids_operated_by(pool, phone)
    if operated:
        roles.add(Role.OPERATOR)
    person = await active_personnel_by_whatsapp(pool, phone)
    if person is not None:
        roles.add(Role.PERSONNEL)
    if not roles:
        roles.add(Role.UNREGISTERED)
    return Identity(
        phone=phone,
        lid=lid,
        roles=frozenset(roles),
        dashboard_accounts=tuple(DashboardAccount(a.id, a.username, a.role, a.client_ids) for a in accounts),
        operator_client_ids=tuple(operated),
        personnel_nrp=person.nrp if person else None,
        personnel_client_id=person.client_id if person else None,
    )
