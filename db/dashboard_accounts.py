"""Queries for `dashboard_accounts` and `dashboard_account_clients`: web dashboard logins.

Password hashes are produced and checked by the caller (argon2, in `bot/api/security.py`);
this module only stores them. `DashboardAccount` never carries the hash, so it can be
logged or returned without leaking it; `account_for_login` returns the hash separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from db.pool import Executor

# Dashboard roles. `admin` sees every client; `operator` is a Polres account; a directorate role
# (the directorate client's id in lower case) opens its recaps. `jobs.account_changes.known_roles`
# adds the directorate clients that exist in the database.
ADMIN_ROLE = "admin"
OPERATOR_ROLE = "operator"
DIRECTORATE_ROLES = frozenset({"ditbinmas", "ditintelkam", "ditlantas", "ditsamapta", "bidhumas"})


@dataclass(frozen=True)
class DashboardAccount:
    id: int
    username: str
    role: str
    whatsapp: str | None
    active: bool
    client_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AccountSession:
    """What an authenticated request re-reads about its account (one statement)."""

    active: bool
    role: str
    client_ids: list[str]
    revoked: bool
    password_epoch: int = 0      # tokens issued under an older password generation are refused


_SELECT = """
    SELECT a.id, a.username, a.role, a.whatsapp, a.active,
           coalesce(array_agg(ac.client_id ORDER BY ac.client_id) FILTER (WHERE ac.client_id IS NOT NULL),
                    '{}'::text[]) AS client_ids
    FROM dashboard_accounts a LEFT JOIN dashboard_account_clients ac ON ac.account_id = a.id
"""


def _account(row) -> DashboardAccount:
    return DashboardAccount(row["id"], row["username"], row["role"], row["whatsapp"], row["active"],
                            list(row["client_ids"]))


async def account_for_login(db: Executor, username: str) -> tuple[DashboardAccount, str] | None:
    """The account whose username matches case-insensitively, with its password hash."""
    row = await db.fetchrow(
        _SELECT + " WHERE lower(a.username) = lower($1) GROUP BY a.id", username.strip()
    )
    if row is None:
        return None
    password_hash = await db.fetchval("SELECT password_hash FROM dashboard_accounts WHERE id = $1", row["id"])
    return _account(row), password_hash


async def get_account(db: Executor, account_id: int) -> DashboardAccount | None:
    row = await db.fetchrow(_SELECT + " WHERE a.id = $1 GROUP BY a.id", account_id)
    return _account(row) if row else None


async def account_by_username(db: Executor, username: str) -> DashboardAccount | None:
    """The account whose username matches case-insensitively (never its hash)."""
    row = await db.fetchrow(_SELECT + " WHERE lower(a.username) = lower($1) GROUP BY a.id", username.strip())
    return _account(row) if row else None


async def list_accounts(db: Executor) -> list[DashboardAccount]:
    rows = await db.fetch(_SELECT + " GROUP BY a.id ORDER BY lower(a.username)")
    return [_account(r) for r in rows]


async def create_account(
    db: Executor, *, username: str, password_hash: str, role: str, whatsapp: str | None, client_ids: list[str],
    active: bool = True,
) -> DashboardAccount:
    """Insert an account and its client scope; raises asyncpg.UniqueViolationError for a taken username.
    `active=False`: a self-registered account that waits for an admin's approval."""
    account_id = await db.fetchval(
        """INSERT INTO dashboard_accounts (username, password_hash, role, whatsapp, active)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        username, password_hash, role, whatsapp, active,
    )
    await set_account_clients(db, account_id, client_ids)
    return await get_account(db, account_id)


async def set_account_clients(db: Executor, account_id: int, client_ids: list[str]) -> None:
    await db.execute("DELETE FROM dashboard_account_clients WHERE account_id = $1", account_id)
    await db.executemany(
        "INSERT INTO dashboard_account_clients (account_id, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [(account_id, c) for c in client_ids],
    )


async def set_password_hash(db: Executor, account_id: int, password_hash: str, *, new_password: bool) -> None:
    """Store a password hash. `new_password`: the password itself changed, which ends the account's sessions
    (its `password_epoch` goes up); False for a re-hash of the same password at login."""
    await db.execute(
        """UPDATE dashboard_accounts SET password_hash = $2, updated_at = now(),
                  password_epoch = password_epoch + CASE WHEN $3 THEN 1 ELSE 0 END
           WHERE id = $1""",
        account_id, password_hash, new_password,
    )


async def set_account_role(db: Executor, account_id: int, role: str) -> None:
    await db.execute("UPDATE dashboard_accounts SET role = $2, updated_at = now() WHERE id = $1", account_id, role)


async def set_account_active(db: Executor, account_id: int, active: bool) -> None:
    await db.execute("UPDATE dashboard_accounts SET active = $2, updated_at = now() WHERE id = $1", account_id, active)


async def account_session(db: Executor, account_id: int, jti: str) -> AccountSession | None:
    """Current role, client scope and revocation state of a token's account, or None if it is gone.

    The role is the one the account acts with: an account whose only client is a
    directorate takes that directorate's role (`DITBINMAS` → `ditbinmas`), whatever
    role it was stored with, as the original's dashboard login did — so an
    account carried over as `admin` with one directorate client is that
    directorate, not a full admin.
    """
    row = await db.fetchrow(
        """
        SELECT a.active,
               coalesce((SELECT lower(min(c.id)) FROM dashboard_account_clients ac
                         JOIN clients c ON c.id = ac.client_id WHERE ac.account_id = a.id
                         HAVING count(*) = 1 AND bool_and(c.type = 'direktorat')), a.role) AS role,
               coalesce(array(SELECT client_id FROM dashboard_account_clients WHERE account_id = a.id
                              ORDER BY client_id), '{}'::text[]) AS client_ids,
               EXISTS (SELECT 1 FROM api_revoked_tokens WHERE jti = $2) AS revoked, a.password_epoch
        FROM dashboard_accounts a WHERE a.id = $1
        """,
        account_id, jti,
    )
    if row is None:
        return None
    return AccountSession(row["active"], row["role"], list(row["client_ids"]), row["revoked"], row["password_epoch"])
