"""Which clients a sender may run the operator menu for.

A client's operator and super-admin numbers (`Identity.operator_client_ids`, `super_client_ids`),
the clients of the sender's active dashboard accounts with role `operator`,
and every active client for an admin. Checked again on every message of the
menu (the identity is resolved per message), so a number that stops being the
operator of a client loses the menu at its next message.
"""

from __future__ import annotations

from db.clients import Client, clients_by_ids, list_clients
from db.pool import Executor
from handlers.identity import Identity


def operated_client_ids(identity: Identity) -> tuple[str, ...]:
    """Client ids this sender operates (without the admin's "every client")."""
    ids = [*identity.operator_client_ids, *identity.super_client_ids]
    for account in identity.dashboard_accounts:
        if account.role.lower() == "operator":
            ids += account.client_ids
    return tuple(dict.fromkeys(i.upper() for i in ids))


async def operator_clients(db: Executor, identity: Identity) -> list[Client]:
    """The active clients the sender may run the operator menu for, by id."""
    if identity.is_admin:
        return await list_clients(db, active_only=True)
    ids = operated_client_ids(identity)
    return [c for c in await clients_by_ids(db, list(ids)) if c.active] if ids else []


async def may_operate(db: Executor, identity: Identity, client_id: str) -> Client | None:
    """The client when the sender may operate it now, else None."""
    return next((c for c in await operator_clients(db, identity) if c.id == client_id), None)
