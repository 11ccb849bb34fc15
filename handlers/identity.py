"""Who is talking: the roles a WhatsApp number holds, resolved once per message.

`resolve_identity(settings, pool, phone=…, lid=…)` reads the admin numbers
from settings, the active dashboard accounts with that WhatsApp number, the
clients whose operator (`operator_phone`) or super-admin (`super_phones`)
number it is, and the active personnel row holding that number (`personnel`).
A number with none of these is `unregistered`: it may only bind itself to an
NRP (`handlers/personnel`). The transport has already turned a LID sender into
its phone number where it could (`bot/inbound.py`).

Scope checks live here, beside the identity, so every handler asks the same
question the same way: `manageable_client_ids` / `may_manage` (which clients
the admin console may change for this person: an admin all, a super-admin
only their own) and `may_view_client` (which clients' recaps a person may see:
the rule of the HTTP API, `bot/api/deps.may_see`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.formats import FormatError, normalize_phone
from core.settings import Settings
from db.pool import Executor
from db.audit import Actor
from db.chat_identity import (
    active_dashboard_accounts_by_whatsapp, active_personnel_by_whatsapp, client_ids_operated_by,
    client_ids_supervised_by,
)
from db.clients import Client
from db.dashboard_accounts import ADMIN_ROLE


class Role(str, enum.Enum):
    ADMIN = "admin"            # a number in [whatsapp] admins
    OPERATOR = "operator"      # clients.operator_phone
    SUPER_ADMIN = "super_admin"  # one of clients.super_phones: the admin console for that client only
    DASHBOARD = "dashboard"    # an active dashboard_accounts row with this whatsapp number
    PERSONNEL = "personnel"    # an active personnel row with this whatsapp number (of an active client)
    UNREGISTERED = "unregistered"  # a phone number with none of the above: may only bind itself by NRP


ADMIN_ONLY = frozenset({Role.ADMIN})
ANY_KNOWN = frozenset({Role.ADMIN, Role.OPERATOR, Role.SUPER_ADMIN, Role.DASHBOARD, Role.PERSONNEL})
ADMIN_OR_SUPER = frozenset({Role.ADMIN, Role.SUPER_ADMIN})


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
    operator_client_ids: tuple[str, ...] = ()               # clients whose operator this number is
    super_client_ids: tuple[str, ...] = ()                  # clients whose super-admin this number is
    personnel_nrp: str | None = None                        # the active person with this number
    personnel_client_id: str | None = None                  # … and their client

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_operator(self) -> bool:
        return Role.OPERATOR in self.roles

    @property
    def is_super_admin(self) -> bool:
        return Role.SUPER_ADMIN in self.roles

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

    @property
    def actor(self) -> Actor:
        """Who a change from this chat is recorded as in the audit log."""
        return Actor(self.label, "whatsapp")

    # -- scope ------------------------------------------------------------------------------

    @property
    def manageable_client_ids(self) -> tuple[str, ...] | None:
        """Clients the admin console may change for this person: None = every client (an admin)."""
        if self.is_admin:
            return None
        return self.super_client_ids

    def may_manage(self, client_id: str | None) -> bool:
        """Whether the admin console may change this client (its personnel, imports, requests)."""
        scope = self.manageable_client_ids
        return scope is None or (client_id or "").upper() in scope

    @property
    def sees_every_client(self) -> bool:
        """An admin number, or a dashboard account with the admin role (as in the HTTP API)."""
        return self.is_admin or any(a.role.lower() == ADMIN_ROLE for a in self.dashboard_accounts)

    @property
    def viewable_client_ids(self) -> frozenset[str]:
        """The clients this person could log in to the dashboard for: its accounts' clients and the
        clients it operates or supervises (the API's `client_operator` login)."""
        named = {c.upper() for a in self.dashboard_accounts for c in a.client_ids}
        return frozenset(named | set(self.super_client_ids) | set(self.operator_client_ids))

    def may_view_client(self, client: Client) -> bool:
        """The HTTP API's rule: a client is visible when named, or when its parent is named."""
        if self.sees_every_client:
            return True
        scope = self.viewable_client_ids
        return client.id in scope or (client.parent_id is not None and client.parent_id in scope)


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
    supervised = await client_ids_supervised_by(pool, phone)
    if supervised:
        roles.add(Role.SUPER_ADMIN)
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
        super_client_ids=tuple(supervised),
        personnel_nrp=person.nrp if person else None,
        personnel_client_id=person.client_id if person else None,
    )
