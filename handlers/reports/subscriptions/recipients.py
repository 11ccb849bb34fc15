"""Recipient specs → WhatsApp chats, resolved at send time from the client record.

`group` is every group of the client, `super_admins` its super-admin numbers,
`operators` its operator number, `admins` the `[whatsapp] admins`, and
`group:<id>@g.us` / `number:<62…>` name one chat. A spec that gives nothing
("client tidak punya grup") is a note; when no spec gives anything the
subscription cannot be sent and the notes are the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from core.settings import Settings
from db.clients import Client

_MISSING = {
    "group": "client tidak punya grup",
    "super_admins": "client tidak punya nomor super admin",
    "operators": "client tidak punya nomor operator",
    "admins": "tidak ada nomor admin ([whatsapp] admins)",
}


@dataclass(frozen=True)
class Recipients:
    chats: tuple[str, ...]                # 62… numbers and …@g.us groups, in spec order, no duplicates
    notes: tuple[str, ...] = ()           # specs that resolved to nothing, and why

    @property
    def reason(self) -> str | None:
        """Why nothing can be sent (None when there is at least one chat)."""
        if self.chats:
            return None
        return "; ".join(self.notes) or "tidak ada penerima"


def chats_of(spec: str, client: Client | None, settings: Settings) -> list[str]:
    if spec == "admins":
        return list(settings.whatsapp.admins)
    if spec.startswith(("group:", "number:")):
        return [spec.partition(":")[2]]
    if client is None:
        return []
    if spec == "group":
        return list(client.group_ids)
    if spec == "super_admins":
        return list(client.super_phones)
    if spec == "operators":
        return [client.operator_phone] if client.operator_phone else []
    return []


def resolve_recipients(specs: Sequence[str], client: Client | None, settings: Settings) -> Recipients:
    """The chats `specs` name now, and a note for each spec that names none."""
    chats: dict[str, None] = {}
    notes: list[str] = []
    for spec in specs:
        found = chats_of(spec, client, settings)
        if not found:
            notes.append(_MISSING.get(spec, f"penerima {spec} tidak dikenal"))
        chats.update(dict.fromkeys(found))
    return Recipients(tuple(chats), tuple(notes))
