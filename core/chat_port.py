"""The WhatsApp port: what the rest of Cicero knows about chat.

A leaf module (standard library only), so handlers and jobs may import these
types without importing the bot. Adapters in `bot/whatsapp/`:
`neonize_adapter.py` (real WhatsApp), `console.py` (terminal chat), `fake.py`
(tests). Every adapter implements the whole protocol.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Awaitable, Callable, Protocol

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"


class DocumentError(Exception):
    """A received document cannot be read: too large, gone, or not fetched before the deadline.

    The message is Indonesian and may be shown to the sender as is.
    """


Download = Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class ReceivedDocument:
    """A file someone sent (e.g. an .xlsx of personnel). The bytes are fetched only on `read`.

    `size` is what the sender's client declared (None when unknown); `read`
    refuses before downloading when that is over the cap, and checks again
    after. The transport's `download` raises DocumentError for its own failures.
    """

    filename: str
    mimetype: str
    size: int | None
    download: Download = field(repr=False, compare=False)

    async def read(self, *, max_bytes: int, timeout: float) -> bytes:
        if self.size is not None and self.size > max_bytes:
            raise DocumentError(too_large(self.size, max_bytes))
        try:
            data = await asyncio.wait_for(self.download(), timeout=timeout)
        except asyncio.TimeoutError:
            raise DocumentError(f"dokumen tidak selesai diunduh dalam {timeout:g} detik; kirim ulang") from None
        if len(data) > max_bytes:
            raise DocumentError(too_large(len(data), max_bytes))
        return data


def too_large(size: int, max_bytes: int) -> str:
    return f"dokumen terlalu besar ({size / 1_000_000:.1f} MB, maksimal {max_bytes / 1_000_000:.1f} MB)"


@dataclass(frozen=True)
class IncomingMessage:
    chat_id: str                 # "62…@s.whatsapp.net", "…@lid" or "…@g.us"
    sender_phone: str | None     # "62…" digits when known
    sender_lid: str | None       # "…@lid" when known
    is_group: bool
    text: str
    message_id: str
    timestamp: datetime          # aware
    push_name: str | None = None
    document: ReceivedDocument | None = None   # a file sent with the message (`text` is then its caption)

    @property
    def sender_key(self) -> str:
        """Stable identity of the sender for sessions: phone if known, else LID."""
        return self.sender_phone or self.sender_lid or self.chat_id


@dataclass(frozen=True)
class Document:
    data: bytes
    filename: str
    mimetype: str
    caption: str | None = None


@dataclass(frozen=True)
class SendResult:
    message_id: str              # WhatsApp's id of the sent message


class SendError(Exception):
    """The gateway could not send; `retryable` says whether to try again later."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


MessageHandler = Callable[[IncomingMessage], Awaitable[object]]  # the inbound pipeline (bot/inbound.py)


class ChatGateway(Protocol):
    """What Cicero needs from a WhatsApp connection."""

    name: str

    async def start(self, on_message: MessageHandler) -> None:
        """Connect and deliver every incoming message to `on_message`."""
        ...

    async def stop(self) -> None: ...

    def is_connected(self) -> bool: ...

    async def send_text(self, to: str, text: str) -> SendResult:
        """`to` is a 62… number, a …@s.whatsapp.net / …@lid JID or a …@g.us group."""
        ...

    async def send_document(self, to: str, document: Document) -> SendResult: ...

    async def phone_for_lid(self, lid: str) -> str | None:
        """The 62… number behind a `…@lid` sender, from the transport's store; None if unknown."""
        ...

    async def group_name(self, group_id: str) -> str | None:
        """The subject of a `…@g.us` group this account is in; None when unknown."""
        ...

    def connection_state(self) -> "ConnectionState":
        """Connected / logged in / since when, for `status` and health checks."""
        ...

    def add_connected_listener(self, callback: Callable[[], None]) -> None:
        """Call `callback` (synchronously) every time the connection comes up (the outbox drains then)."""
        ...


@dataclass
class ConnectionState:
    connected: bool = False
    logged_in: bool = False
    since: datetime | None = None
    detail: str = ""
    extra: dict = field(default_factory=dict)
