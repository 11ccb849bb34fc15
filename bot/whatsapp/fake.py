"""The one ChatGateway for tests and benches: records what was sent, injects incoming messages.

It implements the whole `core.chat_port.ChatGateway` protocol, so production
code never needs a fallback for it:

* `inject(text, …)` builds an IncomingMessage and awaits the registered
  handler (the inbound pipeline), so when it returns the message has been
  processed completely (replies included) and the outcome is returned;
* `connected = False` (or `set_connected(False)`) makes every send raise a
  retryable SendError, like a dropped connection; `set_connected(True)` calls
  the connected listeners (the outbox sender drains at once, as with neonize);
* `fail_next` makes the next sends raise the given errors, in order;
* `crash_after_send` raises `SimulatedCrash` (a BaseException, like a killed
  process) right after a send was accepted;
* `lid_map` answers `phone_for_lid`, `group_names` answers `group_name`;
* `inject_document(data, filename, caption=…)` delivers a received file
  (`IncomingMessage.document`), as a person attaching an .xlsx would.

Sent message ids are `WAID00001`, `WAID00002`, … in send order.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from core.chat_port import (
    CSV_MIMETYPE, XLSX_MIMETYPE, ConnectionState, Document, IncomingMessage, MessageHandler, ReceivedDocument,
    SendError, SendResult,
)


class SimulatedCrash(BaseException):
    """Escapes every `except Exception`, like a killed process."""


@dataclass(frozen=True)
class SentMessage:
    to: str
    text: str | None = None          # None for a document (its caption is `document.caption`)
    document: Document | None = None
    message_id: str = ""


@dataclass
class FakeGateway:
    name: str = "fake"
    connected: bool = True
    lid_map: dict[str, str] = field(default_factory=dict)     # "…@lid" → "62…"
    group_names: dict[str, str] = field(default_factory=dict)  # "…@g.us" → subject
    sent: list[SentMessage] = field(default_factory=list)
    fail_next: list[BaseException] = field(default_factory=list)
    crash_after_send: bool = False
    handler: MessageHandler | None = None
    _listeners: list[Callable[[], None]] = field(default_factory=list)
    _in_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def start(self, on_message: MessageHandler) -> None:
        self.handler = on_message

    async def stop(self) -> None:
        self.handler = None

    def is_connected(self) -> bool:
        return self.connected

    def set_connected(self, value: bool) -> None:
        was = self.connected
        self.connected = value
        if value and not was:
            for callback in self._listeners:
                callback()

    def add_connected_listener(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def connection_state(self) -> ConnectionState:
        return ConnectionState(connected=self.connected, logged_in=self.connected, detail="fake")

    async def phone_for_lid(self, lid: str) -> str | None:
        return self.lid_map.get(lid)

    async def group_name(self, group_id: str) -> str | None:
        return self.group_names.get(group_id)

    async def send_text(self, to: str, text: str) -> SendResult:
        return self._record(SentMessage(to=to, text=text))

    async def send_document(self, to: str, document: Document) -> SendResult:
        return self._record(SentMessage(to=to, document=document))

    def _record(self, message: SentMessage) -> SendResult:
        if not self.connected:
            raise SendError("fake gateway is disconnected", retryable=True)
        if self.fail_next:
            raise self.fail_next.pop(0)
        message_id = f"WAID{len(self.sent) + 1:05d}"
        self.sent.append(SentMessage(message.to, message.text, message.document, message_id))
        if self.crash_after_send:
            raise SimulatedCrash("process died after WhatsApp accepted the message")
        return SendResult(message_id=message_id)

    # -- test helpers -------------------------------------------------------

    def message(self, text: str, *, phone: str | None = "6281100000001", lid: str | None = None,
                chat: str | None = None, group: bool = False, message_id: str | None = None,
                timestamp: datetime | None = None, document: ReceivedDocument | None = None) -> IncomingMessage:
        if chat is None:
            chat = f"{phone}@s.whatsapp.net" if phone else (lid or "unknown@lid")
        return IncomingMessage(
            chat_id=chat,
            sender_phone=phone,
            sender_lid=lid,
            is_group=group or chat.endswith("@g.us"),
            text=text,
            message_id=message_id or f"IN{next(self._in_ids)}",
            timestamp=timestamp or datetime.now(timezone.utc),
            document=document,
        )

    async def inject(self, text: str, **kwargs):
        """Deliver a message to the handler and return what the handler returned."""
        assert self.handler is not None, "start() the gateway first"
        return await self.handler(self.message(text, **kwargs))

    async def inject_document(self, data: bytes, filename: str, *, caption: str = "", mimetype: str | None = None,
                              declared_size: int | None = None, **kwargs):
        """Deliver a file (with an optional caption) as a received document; returns the handler's outcome."""
        if mimetype is None:
            mimetype = CSV_MIMETYPE if filename.lower().endswith(".csv") else XLSX_MIMETYPE

        async def download() -> bytes:
            return data

        size = len(data) if declared_size is None else declared_size
        document = ReceivedDocument(filename=filename, mimetype=mimetype, size=size, download=download)
        return await self.inject(caption, document=document, **kwargs)

    def texts(self, to: str | None = None) -> list[str]:
        """Texts (not documents) sent, optionally to one chat."""
        return [m.text for m in self.sent if m.text is not None and (to is None or m.to == to)]

    def texts_to(self, to: str) -> list[str]:
        """Everything sent to `to`, documents by their caption."""
        return [m.text if m.document is None else (m.document.caption or "") for m in self.sent if m.to == to]

    def take(self) -> list[SentMessage]:
        out, self.sent = self.sent, []
        return out
