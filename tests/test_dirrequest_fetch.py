"""dirrequest options 12–16: manual fetches through the real collection cycle against the fake RapidAPI."""

from __future__ import annotations

from datetime import date, time, datetime

import pytest
from pydantic import SecretStr

from bot.collection import open_collector
from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from handlers import dirrequest
from handlers.menus import TEXT_HINT
from jobs.collect_now import TEXT_BUSY, CollectionBusy
from core.clock import JAKARTA, ManualClock
from jobs.sources.fake_rapidapi import FakeAccount, FakePost, FakeRapidApi, Scenario
from tests.support.factories import Factory, wib
from tests.support.recording_reporter import RecordingReporter
from tests.support.chat import start_chat

ADMIN = "6281100000001"
DAY = date(2026, 11, 25)


def at(hour, minute=0):
    return datetime.combine(DAY, time(hour, minute), tzinfo=JAKARTA)


@pytest.fixture
async def fake_api():
    scenario = Scenario(accounts=[
        FakeAccount("instagram", "ditbinmas", posts=[
            FakePost("IGA", at(8), "Sambang warga", engagers=["budi", "ani", "warga1"]),
            FakePost("IGB", at(11), "Patroli", engagers=["ani"]),
        ]),
        FakeAccount("tiktok", "ditbinmas", posts=[
            FakePost("7000000000000000001", at(9), "Video", engagers=["budi.tt", "warga2"]),
        ]),
    ])
    fake = FakeRapidApi(scenario)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def chat(pool, settings, fake_api):
    s = settings.model_copy(update={
        "instagram": settings.instagram.model_copy(update={"base_url": fake_api.base_url, "key": SecretStr("k"),
                                                            "backoff_base_seconds": 0}),
        "tiktok": settings.tiktok.model_copy(update={"base_url": fake_api.base_url, "key": SecretStr("k"),
                                                      "backoff_base_seconds": 0}),
    })
    f = Factory(pool)
    await f.client("DITBINMAS", type="direktorat", name="DIREKTORAT BINMAS", instagram="ditbinmas",
                   tiktok="ditbinmas")
    await f.person("1", client_id="DITBINMAS", name="BUDI", instagram="budi", tiktok="budi.tt", roles=["ditbinmas"])
    await f.person("2", client_id="DITBINMAS", name="ANI", instagram="ani", roles=["ditbinmas"])
    gateway = FakeGateway()
    clock = ManualClock(wib(2026, 11, 25, 12))
    reporter = RecordingReporter()
    async with open_collector(s, pool, clock, reporter) as collector:  # the service's collection path
        router = Router(settings=s, pool=pool, clock=clock, reporter=reporter, gateway=gateway,
                        commands=dirrequest.COMMANDS, collection=collector.collect)
        await start_chat(gateway, router)
        await gateway.inject("dirrequest", phone=ADMIN)
        await gateway.inject("1", phone=ADMIN)
        gateway.take()
        yield gateway


async def run(gateway, number):
    await gateway.inject(str(number), phone=ADMIN)
    out = [m.text for m in gateway.take() if m.text]
    assert out[0].startswith("⏳ Mengambil") and out[-1] == TEXT_HINT
    return out[1:-1]


async def test_option_16_fetches_everything_and_sends_the_task_list(chat, pool):
    (reply,) = await run(chat, 16)
    assert "📋 *Daftar Tugas — DIREKTORAT BINMAS*" in reply
    assert "📸 Instagram: *2* unggahan" in reply and "🎵 TikTok: *1* video" in reply
    assert "✅ +2 unggahan Instagram baru" in reply and "https://www.instagram.com/p/IGA/" in reply
    assert "https://www.tiktok.com/@ditbinmas/video/7000000000000000001" in reply
    assert await pool.fetchval("SELECT count(*) FROM engagements") == 6
    (reply,) = await run(chat, 16)  # nothing new the second time
    assert "baru" not in reply


async def test_options_12_to_15_reply_when_finished(chat, fake_api):
    (reply,) = await run(chat, 12)
    assert reply.startswith("✅ Selesai mengambil konten & likes Instagram *DIREKTORAT BINMAS*")
    assert "*Jumlah konten hari ini:* 2" in reply and "*Total likes tercatat:* 4" in reply
    assert fake_api.calls("ig_posts") and not fake_api.calls("tt_posts")  # Instagram only, as asked
    fake_api.scenario.post("IGB")[1].engagers.append("budi")
    (reply,) = await run(chat, 13)
    assert "*Total likes tercatat:* 5" in reply
    (reply,) = await run(chat, 14)
    assert "konten & komentar TikTok" in reply and "*Total komentar tercatat:* 2" in reply
    instagram_calls = len(fake_api.calls("ig_posts")) + len(fake_api.calls("ig_likes"))
    (reply,) = await run(chat, 15)
    assert reply.startswith("✅ Selesai mengambil komentar TikTok")
    assert len(fake_api.calls("ig_posts")) + len(fake_api.calls("ig_likes")) == instagram_calls  # TikTok only
    await chat.inject("5", phone=ADMIN)
    report = [m.text for m in chat.take() if m.text][0]
    assert "- Melaksanakan lengkap: 2 pers" in report


async def test_failed_fetch_is_reported_and_the_menu_stays(chat, fake_api):
    fake_api.fail("ig_posts", "500", times=None)
    replies = await run(chat, 12)
    assert any("gagal" in r or "Sebagian" in r for r in replies), replies


async def test_a_menu_fetch_goes_through_the_services_collector_and_its_busy_guard(pool, settings):
    calls = []

    async def busy_collector(client_ids=None, *, phase=None, platforms=None, trigger="admin"):
        calls.append((client_ids, phase, tuple(platforms or ()), trigger))
        raise CollectionBusy(TEXT_BUSY)

    f = Factory(pool)
    await f.client("DITBINMAS", type="direktorat", name="DIREKTORAT BINMAS")
    gateway = FakeGateway()
    router = Router(settings=settings, pool=pool, clock=ManualClock(wib(2026, 11, 25, 12)),
                    reporter=RecordingReporter(), gateway=gateway, commands=dirrequest.COMMANDS,
                    collection=busy_collector)
    await start_chat(gateway, router)
    for text in ("dirrequest", "1"):
        await gateway.inject(text, phone=ADMIN)
    gateway.take()
    await gateway.inject("13", phone=ADMIN)
    replies = [m.text for m in gateway.take() if m.text]
    assert calls == [(["DITBINMAS"], "engagement_only", ("instagram",), "admin")]
    assert replies[1] == TEXT_BUSY and replies[-1] == TEXT_HINT
