"""Talking to `dirrequest` through the router and the fake WhatsApp transport (as an admin)."""

from __future__ import annotations

from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from handlers import dirrequest
from handlers.menus import TEXT_HINT
from tests.support.chat import start_chat
from tests.support.recording_reporter import RecordingReporter

ADMIN = "6281100000001"


async def dirrequest_chat(pool, settings, clock) -> FakeGateway:
    gateway = FakeGateway()
    router = Router(settings=settings, pool=pool, clock=clock, reporter=RecordingReporter(), gateway=gateway,
                    commands=dirrequest.COMMANDS)
    await start_chat(gateway, router)
    return gateway


async def say(gateway, text, phone=ADMIN):
    gateway.take()
    await gateway.inject(text, phone=phone)
    return gateway.take()


def texts(sent) -> list[str]:
    return [m.text for m in sent if m.text is not None]


async def open_menu(gateway, client="DITBINMAS") -> str:
    await say(gateway, "dirrequest")
    return texts(await say(gateway, client))[-1]


async def option(gateway, *replies: str):
    """Send a menu number (and a period choice); return (report texts without the closing hint, documents)."""
    sent = []
    for reply in replies:
        sent = await say(gateway, reply)
    out = texts(sent)
    assert out and out[-1] == TEXT_HINT, "after every report a one-line hint"
    return out[:-1], [m.document for m in sent if m.document is not None]
