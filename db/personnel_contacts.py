"""Who holds a username or a WhatsApp number, and which engagers look like a username (self-service checks).

Usernames are compared normalised (trim, one leading @, lower-case: the
attendance engine's `USERNAME_SQL`), so a row written by hand still counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.attendance import USERNAME_SQL
from db.personnel import Personnel, personnel_from_row
from db.pool import Executor


@dataclass(frozen=True)
class Holder:
    """A person holding a username or a number, with the name of their satker."""

    person: Personnel
    client_name: str


def _holder(row) -> Holder:
    return Holder(personnel_from_row(row), row["client_name"])


def _check_platform(platform: str) -> str:
    if platform not in USERNAME_SQL:
        raise ValueError(f"unknown platform {platform!r}")
    return USERNAME_SQL[platform]


async def username_holders(db: Executor, platform: str, username: str, *, except_nrp: str | None = None
                           ) -> list[Holder]:
    """Active personnel (other than `except_nrp`) whose username on `platform` is `username`."""
    column = _check_platform(platform)
    rows = await db.fetch(
        f"""SELECT p.*, c.name AS client_name FROM personnel p JOIN clients c ON c.id = p.client_id
            WHERE p.active AND {column} = $1 AND p.nrp IS DISTINCT FROM $2 ORDER BY p.nrp""",
        username, except_nrp,
    )
    return [_holder(r) for r in rows]


async def phone_holders(db: Executor, phone: str, *, except_nrp: str | None = None,
                        active_only: bool = True) -> list[Holder]:
    """Personnel (other than `except_nrp`; only active ones unless told) whose WhatsApp number is `phone`."""
    rows = await db.fetch(
        """SELECT p.*, c.name AS client_name FROM personnel p JOIN clients c ON c.id = p.client_id
           WHERE p.whatsapp = $1 AND p.nrp IS DISTINCT FROM $2 AND ($3::bool IS FALSE OR p.active)
           ORDER BY p.active DESC, p.nrp""",
        phone, except_nrp, active_only,
    )
    return [_holder(r) for r in rows]


async def similar_recent_engagers(db: Executor, platform: str, username: str, *, client_id: str,
                                  since: datetime, limit: int = 3) -> list[str]:
    """Engagers of `client_id`'s posts since `since` whose name equals `username` once dots and
    underscores are dropped (`budi_` ~ `budi`, `budi.s` ~ `budi_s`), `username` itself included
    when it engaged; names an active person already holds are left out."""
    column = _check_platform(platform)
    rows = await db.fetch(
        f"""SELECT DISTINCT e.username FROM client_posts cp
            JOIN engagements e ON e.platform = cp.platform AND e.post_id = cp.post_id
            WHERE cp.client_id = $1 AND cp.platform = $2 AND cp.posted_at >= $3
              AND translate(e.username, '._', '') = translate($4, '._', '')
              AND (e.username = $4 OR NOT EXISTS (
                  SELECT 1 FROM personnel p WHERE p.active AND {column} = e.username))
            ORDER BY e.username LIMIT $5""",
        client_id, platform, since, username, limit,
    )
    return [r["username"] for r in rows]


async def personnel_for_update(conn: Executor, nrp: str) -> Personnel | None:
    """The person's row, locked until the caller's transaction ends (check-then-write without a race)."""
    row = await conn.fetchrow("SELECT * FROM personnel WHERE nrp = $1 FOR UPDATE", nrp)
    return personnel_from_row(row) if row else None


async def lock_identifier(conn: Executor, kind: str, value: str) -> None:
    """Serialise, until the transaction ends, every writer giving `value` (a username, a number) to someone."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"personnel-{kind}:{value}")
