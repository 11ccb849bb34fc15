"""A Polres world for the personnel and operator menus, with the router wired like the service.

POLRES_A (operator OPERATOR_A): BUDI (bound to BUDI_PHONE, instagram budi, tiktok
budi.tt), ANI (unbound, instagram ani), CICI (bound to CICI_PHONE, no usernames).
POLRES_B (operator OPERATOR_B): DODI (instagram dodi). Today = 2026-11-25 WIB.
The fake RapidAPI serves POLRES_A's posts of today: Instagram IGA (08.00, liked
by budi, ani, cici.rahma, warga) and IGB (11.00, liked by budi), TikTok V1
(09.00, commented by budi.tt). Nothing is stored until a collection runs.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time

from bot.collection import open_collector
from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from core.clock import JAKARTA, ManualClock
from handlers.registry import all_commands
from jobs.sources.fake_rapidapi import FakeAccount, FakePost, FakeRapidApi, Scenario
from tests.support.chat import start_chat
from tests.support.factories import Factory, wib
from tests.support.fetch_env import settings_on_fake
from tests.support.recording_reporter import RecordingReporter

NOW = wib(2026, 11, 25, 14, 5)
OPERATOR_A = "6281211110000"
OPERATOR_B = "6281222220000"
BUDI_PHONE = "6281300000001"
CICI_PHONE = "6281300000003"
NEW_PHONE = "6281399990001"
V1 = "7000000000000000001"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(NOW.date(), time(hour, minute), tzinfo=JAKARTA)


def scenario() -> Scenario:
    return Scenario(accounts=[
        FakeAccount("instagram", "polresa", posts=[
            FakePost("IGA", at(8), "Sambang warga", engagers=["budi", "ani", "cici.rahma", "warga"]),
            FakePost("IGB", at(11), "Patroli", engagers=["budi"]),
        ]),
        FakeAccount("tiktok", "polresa", posts=[FakePost(V1, at(9), "Video", engagers=["budi.tt"])]),
    ])


async def build_people(pool) -> Factory:
    f = Factory(pool)
    await f.client("POLRES_A", name="POLRES A", instagram="polresa", tiktok="polresa", operator_phone=OPERATOR_A)
    await f.client("POLRES_B", name="POLRES B", instagram="polresb", tiktok="polresb", operator_phone=OPERATOR_B)
    await f.person("87001001", client_id="POLRES_A", name="BUDI", rank="BRIPDA", division="SAT BINMAS",
                   instagram="budi", tiktok="budi.tt", whatsapp=BUDI_PHONE)
    await f.person("87001002", client_id="POLRES_A", name="ANI", rank="AIPTU", division="SAT BINMAS", instagram="ani")
    await f.person("87001003", client_id="POLRES_A", name="CICI", rank="IPDA", division="SAT SAMAPTA",
                   whatsapp=CICI_PHONE)
    await f.person("87002001", client_id="POLRES_B", name="DODI", rank="BRIPTU", division="SAT BINMAS", instagram="dodi")
    return f


@dataclass
class World:
    gateway: FakeGateway
    router: Router
    clock: ManualClock
    reporter: RecordingReporter
    collector: object
    settings: object

    async def say(self, text: str, phone: str) -> list[str]:
        """Send `text` from `phone`; the texts the bot sent back to that chat."""
        self.gateway.take()
        await self.gateway.inject(text, phone=phone)
        return [m.text for m in self.gateway.take() if m.text is not None and m.to == f"{phone}@s.whatsapp.net"]

    async def last(self, text: str, phone: str) -> str:
        replies = await self.say(text, phone)
        assert replies, f"no reply to {text!r}"
        return replies[-1]

    async def collect(self) -> None:
        result = await self.collector.collect(["POLRES_A"], trigger="manual")
        assert result.status == "ok", result


@asynccontextmanager
async def self_service_world(pool, settings):
    """The world above, a router with every registered command, the real collector on the fake RapidAPI."""
    fake = FakeRapidApi(scenario())
    await fake.start()
    try:
        s = settings_on_fake(settings, fake.base_url)
        await build_people(pool)
        gateway, clock, reporter = FakeGateway(), ManualClock(NOW), RecordingReporter()
        async with open_collector(s, pool, clock, reporter) as collector:
            router = Router(settings=s, pool=pool, clock=clock, reporter=reporter, gateway=gateway,
                            commands=all_commands(), collection=collector.collect)
            await start_chat(gateway, router)
            yield World(gateway, router, clock, reporter, collector, s)
    finally:
        await fake.stop()
