"""The admin console through the real router and the fake gateway, as a person types it.

    chat = await console_chat(pool, settings, clock)
    replies = await chat.say("klien")                       # texts sent back to that chat
    await chat.say("grup", chat=GROUP, group=True)           # in a group chat
    await chat.send_file(xlsx_bytes, "personel.xlsx", caption="import POLRES_A")
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.router import Router
from bot.whatsapp.fake import FakeGateway, SentMessage
from handlers.registry import all_commands
from tests.support.chat import start_chat
from tests.support.recording_reporter import RecordingReporter

ADMIN = "6281100000001"          # in the `settings` fixture's [whatsapp] admins


@dataclass
class ConsoleChat:
    gateway: FakeGateway
    router: Router
    phone: str = ADMIN
    elsewhere: list[SentMessage] = field(default_factory=list)   # what the bot sent to other chats

    def _replies(self, target: str) -> list[str]:
        sent = self.gateway.take()
        self.elsewhere += [m for m in sent if m.to != target]
        return [m.text if m.document is None else (m.document.caption or "") for m in sent if m.to == target]

    async def say(self, text: str, *, phone: str | None = None, chat: str | None = None,
                  group: bool = False) -> list[str]:
        """Send `text` and return what the bot sent back to that chat (texts, captions)."""
        phone = phone or self.phone
        target = chat or f"{phone}@s.whatsapp.net"
        self.last_outcome = await self.gateway.inject(text, phone=phone, chat=target, group=group)
        return self._replies(target)

    async def send_file(self, data: bytes, filename: str, *, caption: str = "", phone: str | None = None,
                        declared_size: int | None = None) -> list[str]:
        phone = phone or self.phone
        target = f"{phone}@s.whatsapp.net"
        self.last_outcome = await self.gateway.inject_document(data, filename, caption=caption, phone=phone,
                                                               declared_size=declared_size)
        return self._replies(target)

    async def walk(self, *texts: str, phone: str | None = None) -> list[str]:
        """Several messages in a row; the replies to the last one."""
        replies: list[str] = []
        for text in texts:
            replies = await self.say(text, phone=phone)
        return replies


async def console_chat(pool, settings, clock, *, collection=None, gateway: FakeGateway | None = None) -> ConsoleChat:
    gateway = gateway or FakeGateway()
    router = Router(settings=settings, pool=pool, clock=clock, reporter=RecordingReporter(), gateway=gateway,
                    commands=all_commands(), collection=collection)
    await start_chat(gateway, router)
    return ConsoleChat(gateway, router)
