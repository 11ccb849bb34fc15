"""Who a WhatsApp number is: dashboard accounts and client operators with that number."""

from __future__ import annotations

from dataclasses import dataclass

from db.pool import Executor


@dataclass(frozen=True)
class DashboardAccountRow:
    id: int
    username: str
    role: str
    client_ids: tuple[str, ...]


async def active_dashboard_accounts_by_whatsapp(db: Executor, phone: str) -> list[DashboardAccountRow]:
    """Active dashboard accounts whose `whatsapp` is exactly this normalised 62… number."""
    rows = await db.fetch(
        """
        SELECT a.id, a.username, a.role,
               COALESCE(array_agg(c.client_id ORDER BY c.client_id)
                        FILTER (WHERE c.client_id IS NOT NULL), '{}') AS client_ids
        FROM dashboard_accounts a
        LEFT JOIN dashboard_account_clients c ON c.account_id = a.id
        WHERE a.active AND a.whatsapp = $1
        GROUP BY a.id
        ORDER BY a.id
        """,
        phone,
    )
    return [DashboardAccountRow(r["id"], r["username"], r["role"], tuple(r["client_ids"])) for r in rows]


async def client_ids_supervised_by(db: Executor, phone: str) -> list[str]:
    """Active clients whose super_phones contain this normalised number (their super-admin)."""
    rows = await db.fetch("SELECT id FROM clients WHERE active AND $1 = ANY (super_phones) ORDER BY id", phone)
    return [r["id"] for r in rows]


async def client_ids_operated_by(db: Executor, phone: str) -> list[str]:
    """Active clients whose operator_phone is this normalised number."""
    rows = await db.fetch("SELECT id FROM clients WHERE active AND operator_phone = $1 ORDER BY id", phone)
    return [r["id"] for r in rows]


@dataclass(frozen=True)
class PersonnelContact:
    nrp: str
    client_id: str


async def active_personnel_by_whatsapp(db: Executor, phone: str) -> PersonnelContact | None:
    """The active person (of an active client) whose WhatsApp number is `phone`; the most recently
    updated one if old data gave the number to several."""
    row = await db.fetchrow(
        """SELECT p.nrp, p.client_id FROM personnel p JOIN clients c ON c.id = p.client_id AND c.active
           WHERE p.active AND p.whatsapp = $1 ORDER BY p.updated_at DESC, p.nrp LIMIT 1""",
        phone,
    )
    return PersonnelContact(row["nrp"], row["client_id"]) if row else None
