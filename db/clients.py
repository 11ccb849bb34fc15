"""Queries for `clients`: the directorates and Polres whose posts we watch."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.formats import clean_text, normalize_client_id, normalize_group_id, normalize_optional_phone, normalize_username
from db.pool import Executor

CLIENT_TYPES = ("org", "direktorat")


@dataclass
class Client:
    id: str
    name: str
    type: str
    active: bool = True
    instagram: str | None = None
    instagram_active: bool = True
    tiktok: str | None = None
    tiktok_active: bool = True
    tiktok_secuid: str | None = None
    group_ids: list[str] = field(default_factory=list)
    operator_phone: str | None = None
    super_phones: list[str] = field(default_factory=list)
    regional_id: str | None = None
    parent_id: str | None = None

    @property
    def is_directorate(self) -> bool:
        return self.type == "direktorat"

    @property
    def role_name(self) -> str:
        """A directorate's id doubles as the role its personnel carry (DITBINMAS → ditbinmas)."""
        return self.id.lower()

    @property
    def fetches_instagram(self) -> bool:
        return self.active and self.instagram_active and bool(self.instagram)

    @property
    def fetches_tiktok(self) -> bool:
        return self.active and self.tiktok_active and bool(self.tiktok)


_COLUMNS = [
    "id", "name", "type", "active", "instagram", "instagram_active", "tiktok", "tiktok_active",
    "tiktok_secuid", "group_ids", "operator_phone", "super_phones", "regional_id", "parent_id",
]


def client_from_row(row) -> Client:
    return Client(**{c: row[c] for c in _COLUMNS})


def validated_client(client: Client) -> Client:
    """Return a copy with every field normalised; FormatError/ValueError names the bad field."""
    if client.type not in CLIENT_TYPES:
        raise ValueError(f"type: harus salah satu dari {', '.join(CLIENT_TYPES)}")
    name = clean_text(client.name, field="name: nama client", max_chars=120)
    if not name:
        raise ValueError("name: nama client wajib diisi")
    return Client(
        id=normalize_client_id(client.id),
        name=name,
        type=client.type,
        active=client.active,
        instagram=normalize_username(client.instagram),
        instagram_active=client.instagram_active,
        tiktok=normalize_username(client.tiktok),
        tiktok_active=client.tiktok_active,
        tiktok_secuid=(client.tiktok_secuid or None),
        group_ids=sorted({normalize_group_id(g) for g in client.group_ids}),
        operator_phone=normalize_optional_phone(client.operator_phone),
        super_phones=sorted({p for p in (normalize_optional_phone(x) for x in client.super_phones) if p}),
        regional_id=(client.regional_id or None),
        parent_id=normalize_client_id(client.parent_id) if client.parent_id else None,
    )


_INSERT = f"INSERT INTO clients ({', '.join(_COLUMNS)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(_COLUMNS)))})"
_REPLACE = f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in _COLUMNS[1:])}, updated_at = now()"


async def upsert_client(db: Executor, client: Client) -> Client:
    """Insert or replace a client after validation; returns the stored client.

    Channels change clients through `jobs.client_changes` (audited); this is its write.
    """
    c = validated_client(client)
    row = await db.fetchrow(f"{_INSERT} {_REPLACE} RETURNING *", *[getattr(c, col) for col in _COLUMNS])
    return client_from_row(row)


async def insert_client(db: Executor, client: Client) -> Client | None:
    """Insert a new client after validation; None when the id exists already (nothing is changed)."""
    c = validated_client(client)
    row = await db.fetchrow(f"{_INSERT} ON CONFLICT (id) DO NOTHING RETURNING *", *[getattr(c, col) for col in _COLUMNS])
    return client_from_row(row) if row else None


async def get_client_for_update(db: Executor, client_id: str) -> Client | None:
    """The client row, locked until the end of the caller's transaction (one writer at a time)."""
    row = await db.fetchrow("SELECT * FROM clients WHERE id = upper($1) FOR UPDATE", client_id.strip())
    return client_from_row(row) if row else None


async def get_client(db: Executor, client_id: str) -> Client | None:
    row = await db.fetchrow("SELECT * FROM clients WHERE id = upper($1)", client_id.strip())
    return client_from_row(row) if row else None


async def list_clients(db: Executor, *, active_only: bool = False, type: str | None = None) -> list[Client]:
    rows = await db.fetch(
        """
        SELECT * FROM clients
        WHERE ($1::bool IS FALSE OR active) AND ($2::text IS NULL OR type = $2)
        ORDER BY type DESC, id
        """,
        active_only,
        type,
    )
    return [client_from_row(r) for r in rows]


async def active_clients(db: Executor) -> list[Client]:
    return await list_clients(db, active_only=True)


async def clients_by_ids(db: Executor, ids: list[str]) -> list[Client]:
    rows = await db.fetch("SELECT * FROM clients WHERE id = ANY($1::text[]) ORDER BY id", [i.upper() for i in ids])
    return [client_from_row(r) for r in rows]


async def clients_with_group(db: Executor, group_id: str) -> list[Client]:
    """The clients that have this WhatsApp group as a task group."""
    rows = await db.fetch("SELECT * FROM clients WHERE $1 = ANY (group_ids) ORDER BY id", group_id)
    return [client_from_row(r) for r in rows]


async def satker_of_directorate(db: Executor, directorate: Client) -> list[Client]:
    """The org clients whose personnel carry the directorate's role, plus children by parent_id."""
    rows = await db.fetch(
        """
        SELECT DISTINCT c.* FROM clients c
        WHERE c.active AND c.id <> $1 AND (
            c.parent_id = $1
            OR EXISTS (SELECT 1 FROM personnel p WHERE p.client_id = c.id AND p.active AND $2 = ANY (p.roles))
        )
        ORDER BY c.id
        """,
        directorate.id,
        directorate.role_name,
    )
    return [client_from_row(r) for r in rows]


async def set_tiktok_secuid(db: Executor, client_id: str, secuid: str) -> None:
    await db.execute("UPDATE clients SET tiktok_secuid = $2, updated_at = now() WHERE id = $1", client_id, secuid)

