"""A scripted ChatGateway for outbox tests: records sends, can be disconnected or made to fail."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.chat_port import Document, SendError, SendResult


@dataclass
class Sent:
    to: str
    text: str
    message_id: str
    document: Document | None = None


@dataclass
class RecordingGateway:
    name: str = "fake"
    connected: bool = True
    sent: list[Sent] = field(default_factory=list)
    fail_next: list[SendError | Exception] = field(default_factory=list)  # raised by the next sends, in order
    crash_after_send: bool = False  # simulate a process dying right after WhatsApp accepted the message

    async def start(self, on_message) -> None:
        self.connected = True

    async def stop(self) -> None:
        self.connected = False

    def is_connected(self) -> bool:
        return self.connected

    async def send_text(self, to: str, text: str) -> SendResult:
        return self._record(to, text, None)

    async def send_document(self, to: str, document: Document) -> SendResult:
        return self._record(to, document.caption or "", document)

    def _record(self, to: str, text: str, document: Document | None) -> SendResult:
        if not self.connected:
            raise SendError("not connected", retryable=True)
        if self.fail_next:
            raise self.fail_next.pop(0)
        message_id = f"WAID{len(self.sent) + 1:05d}"
        self.sent.append(Sent(to=to, text=text, message_id=message_id, document=document))
        if self.crash_after_send:
            raise SimulatedCrash("process died after WhatsApp accepted the message")
        return SendResult(message_id=message_id)

    def texts_to(self, to: str) -> list[str]:
        return [s.text for s in self.sent if s.to == to]


class SimulatedCrash(BaseException):
    """Escapes every `except Exception`, like a killed process."""
