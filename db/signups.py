"""Queries for `dashboard_registrations`: self-registered dashboard accounts waiting for an admin.

A registration is opened in the same transaction that creates the (inactive)
account and queues the admins' WhatsApp approval request; an admin answers
`ya ID` or `tidak ID` and `decide` records the answer once. The writes that
follow an answer (activating the account, telling the applicant) belong to
`jobs/dashboard_signup.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor


@dataclass(frozen=True)
class Registration:
    id: int
    account_id: int
    username: str
    role: str
    whatsapp: str | None
    client_ids: list[str]
    requested_at: datetime
    decision: str | None          # approved | refused | None (pending)
    decided_by: str | None
    decided_at: datetime | None

    @property
    def pending(self) -> bool:
        return self.decision is None


_SELECT = """
    SELECT r.id, r.account_id, a.username, a.role, a.whatsapp,
           coalesce(array(SELECT client_id FROM dashboard_account_clients WHERE account_id = a.id
                          ORDER BY client_id), '{}'::text[]) AS client_ids,
           r.requested_at, r.decision, r.decided_by, r.decided_at
    FROM dashboard_registrations r JOIN dashboard_accounts a ON a.id = r.account_id
"""


def _registration(r) -> Registration:
    return Registration(r["id"], r["account_id"], r["username"], r["role"], r["whatsapp"], list(r["client_ids"]),
                        r["requested_at"], r["decision"], r["decided_by"], r["decided_at"])


async def open_registration(db: Executor, account_id: int, *, at: datetime, ip: str | None) -> int:
    return await db.fetchval(
        "INSERT INTO dashboard_registrations (account_id, requested_at, ip) VALUES ($1, $2, $3) RETURNING id",
        account_id, at, ip,
    )


async def get_registration(db: Executor, registration_id: int, *, for_update: bool = False) -> Registration | None:
    """One registration with its account; `for_update` locks the row (call inside a transaction)."""
    lock = " FOR UPDATE OF r" if for_update else ""
    row = await db.fetchrow(_SELECT + " WHERE r.id = $1" + lock, registration_id)
    return _registration(row) if row else None


async def pending_registrations(db: Executor, *, limit: int = 50) -> list[Registration]:
    rows = await db.fetch(_SELECT + " WHERE r.decision IS NULL ORDER BY r.requested_at, r.id LIMIT $1", limit)
    return [_registration(r) for r in rows]


async def decide(db: Executor, registration_id: int, *, approved: bool, by: str, at: datetime) -> bool:
    """Record the answer; False when the registration was already decided (nothing changes)."""
    return await db.fetchval(
        """UPDATE dashboard_registrations SET decision = $2, decided_by = $3, decided_at = $4
           WHERE id = $1 AND decision IS NULL RETURNING true""",
        registration_id, "approved" if approved else "refused", by, at,
    ) or False


async def registrations_from_ip_since(db: Executor, ip: str, since: datetime) -> list[datetime]:
    rows = await db.fetch(
        "SELECT requested_at FROM dashboard_registrations WHERE ip = $1 AND requested_at >= $2 ORDER BY requested_at",
        ip, since,
    )
    return [r["requested_at"] for r in rows]
