"""Reading neonize's protobuf JIDs and timestamps: plain attribute access, so no neonize import here.

Used by `neonize_adapter.py` (the one module that imports neonize).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from core.formats import FormatError, normalize_phone

if TYPE_CHECKING:  # the protobuf type, for annotations only
    from neonize.proto.Neonize_pb2 import JID


def jid_present(jid: JID) -> bool:
    """A protobuf JID is always truthy; this says whether it actually holds an id."""
    return bool(jid.User) and not jid.IsEmpty


def jid_string(jid: JID) -> str:
    """`user@server` without the device part (what chats and recipients are keyed by)."""
    return f"{jid.User}@{jid.Server}" if jid.User else jid.Server


def phone_from_jid(jid: JID) -> str | None:
    if not jid_present(jid) or jid.Server != "s.whatsapp.net":
        return None
    try:
        return normalize_phone(jid.User)
    except FormatError:
        return None


def event_time(ts: int) -> datetime:
    """`Info.Timestamp` of a message event is Unix milliseconds (other events use seconds)."""
    seconds = ts / 1000 if ts > 100_000_000_000 else ts
    return datetime.fromtimestamp(seconds, tz=timezone.utc)
