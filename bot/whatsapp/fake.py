"""A ChatGateway for tests: records what was sent, injects incoming messages.

`inject()` builds an IncomingMessage and awaits the registered handler, so when
it returns the message has been processed completely (replies included).
`set_connected(False)` makes every send raise a retryable SendError, like a
real connection that dropped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timezone

from core.chat_port import ConnectionState, Document, IncomingMessage, MessageHandler, SendError, SendResult


@dataclass(frozen=True)
class SentMessage:
    to: str
    text: str | None = None
    document: Document | None = None


@dataclass
class FakeGateway:
    name: str = "fake"
    connected: bool = True
    lid_map: dict[str, str] = field(default_factory=dict)     # "…@lid" → "62…"
    sent: list[SentMessage] = field(default_factory=list)
    handler: MessageHandler | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def start(self, on_message: MessageHandler) -> None:
        self.handler = on_message

    async def stop(self) -> None:
        self.handler = None

    def is_connected(self) -> bool:
        return self.connected

    def set_connected(self, value: bool) -> None:
        self.connected = value

    def connection_state(self) -> ConnectionState:
        return ConnectionState(connected=self.connected, logged_in=self.connected, detail="fake")

    async def phone_for_lid(self, lid: str) -> str | None:
        return self.lid_map.get(lid)

    async def send_text(self, to: str, text: str) -> SendResult:
        if not self.connected:
            raise SendError("fake gateway is disconnected", retryable=True)
        self.sent.append(SentMessage(to=to, text=text))
        return SendResult(message_id=f"FAKE{next(self._ids)}")

    async def send_document(self, to: str, document: Document) -> SendResult:
        if not self.connected:
            raise SendError("fake gateway is disconnected", retryable=True)
        self.sent.append(SentMessage(to=to, document=document))
        return SendResult(message_id=f"FAKE{next(self._ids)}")

    # -- test helpers -------------------------------------------------------

    def message(self, text: str, *, phone: str | None = "6281100000001", lid: str | None = None,
                chat: str | None = None, group: bool = False, message_id: str | None = None,
                timestamp: datetime | None = None) -> IncomingMessage:
        if chat is None:
            chat = f"{phone}@s.whatsapp.net" if phone else (lid or "unknown@lid")
        return IncomingMessage(
            chat_id=chat,
            sender_phone=phone,
            sender_lid=lid,
            is_group=group or chat.endswith("@g.us"),
            text=text,
            message_id=message_id or f"IN{next(self._ids)}",
            timestamp=timestamp or datetime.now(timezone.utc),
        )

    async def inject(self, text: str, **kwargs):
        """Deliver a message to the handler and return what the handler returned."""
        assert self.handler is not None, "start() the gateway first"
        return await self.handler(self.message(text, **kwargs))

    def texts(self, to: str | None = None) -> list[str]:
        return [m.text for m in self.sent if m.text is not None and (to is None or m.to == to)]

    def take(self) -> list[SentMessage]:
        out, self.sent = self.sent, []
        return out
