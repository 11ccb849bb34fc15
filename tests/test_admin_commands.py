"""Admin chat commands through the fake transport: status, jadwal, fetch (fake and real collection)."""

from __future__ import annotations

import asyncio
from datetime import datetime, time

import pytest
from pydantic import SecretStr

from bot.collection import open_collector
from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from core.chat_port import ConnectionState
from db.clients import Client, upsert_client
from handlers import admin, status
from jobs.collect_now import CollectionBusy, Collector
from core.clock import JAKARTA, ManualClock
from jobs.fetch_model import ClientResult, CycleResult, PlatformCounts
from jobs.outbox import enqueue
from tests.support.recording_reporter import RecordingReporter
from tests.support.chat import start_chat

ADMIN = "6281100000001"
CHAT = f"{ADMIN}@s.whatsapp.net"


def at(hour, minute=0, day=17):
    return datetime(2026, 2, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def clock():
    return ManualClock(at(9, 10))


async def make_chat(pool, settings, clock, collection=None):
    gateway = FakeGateway()
    router = Router(settings=settings, pool=pool, clock=clock, reporter=RecordingReporter(), gateway=gateway,
                    commands=[*admin.COMMANDS, *status.COMMANDS], collection=collection)
    await start_chat(gateway, router)
    return gateway


async def ask(gateway, text):
    await gateway.inject(text, phone=ADMIN)
    return [m.text for m in gateway.take() if m.text]


async def test_status_reports_connection_database_outbox_and_runs(pool, settings, clock):
    await pool.execute(
        """INSERT INTO job_runs (job, phase, trigger, status, started_at, finished_at) VALUES
           ('fetch_posts', 'post_fetch', 'schedule', 'ok', $1, $1),
           ('fetch_posts', 'post_fetch', 'schedule', 'partial', $2, $2),
           ('fetch_engagement', 'engagement_only', 'schedule', 'failed', $3, $3)""",
        at(8, 30), at(9, 5), at(21, 30, day=16),
    )
    for i in range(2):
        await enqueue(pool, recipient="120363000000000001@g.us", kind="task_change", body=f"m{i}",
                      idempotency_key=f"k{i}")
    await pool.execute("UPDATE outbox SET status = 'dead' WHERE idempotency_key = 'k1'")
    gateway = await make_chat(pool, settings, clock)
    (text,) = await ask(gateway, "status")
    assert "WhatsApp: ✅ terhubung" in text
    assert "Database: ✅ OK" in text
    assert "Outbox: 1 menunggu, 0 dikirim, 1 gagal permanen" in text
    assert "• ambil posting + engagement: terakhir 09.05 ⚠️ sebagian; berikutnya 09.30" in text
    assert "• perbarui likes/komentar: terakhir 16/02 21.30 ❌ gagal; berikutnya 17.30" in text

    gateway.connection_state = lambda: ConnectionState(connected=False, detail="Disconnected")
    (text,) = await ask(gateway, "status")
    assert "WhatsApp: ❌ tidak terhubung (Disconnected)" in text


async def test_status_with_the_schedule_disabled(pool, settings, clock):
    s = settings.model_copy(update={"schedule": settings.schedule.model_copy(update={"enabled": False})})
    gateway = await make_chat(pool, s, clock)
    (text,) = await ask(gateway, "status")
    assert "terakhir belum pernah; berikutnya jadwal nonaktif" in text


async def test_jadwal_marks_past_and_next_fire_times(pool, settings, clock):
    gateway = await make_chat(pool, settings, clock)
    (text,) = await ask(gateway, "Jadwal")
    assert text.startswith("🗓️ *Jadwal hari ini* — Selasa, 17/02/2026")
    assert "✓ 06.05 — ambil posting + engagement" in text
    assert "✓ 09.05 — ambil posting + engagement" in text
    assert "▶ 09.30 — ambil posting + engagement" in text
    assert "• 17.30 — perbarui likes/komentar" in text
    assert "• 22.00 — perbarui likes/komentar" in text


def cycle(status="ok", **kw):
    return CycleResult(job_run_id=1, phase="post_fetch", trigger="admin", status=status, **kw)


async def test_fetch_reports_the_result_per_client(pool, settings, clock):
    await upsert_client(pool, Client(id="POLRES_A", name="A", type="org"))
    calls = []

    async def collection(client_ids=None, **kw):
        calls.append(client_ids)
        return cycle("partial", clients=[
            ClientResult("POLRES_A", "post_fetch", after=PlatformCounts(2, 1, 30, 4)),
            ClientResult("POLRES_B", "post_fetch", ok=False, error="RapidAPI 429"),
        ], skipped_clients=["POLRES_C"])

    gateway = await make_chat(pool, settings, clock, collection)
    started, report = await ask(gateway, "fetch polres_a")
    assert calls == [["POLRES_A"]]
    assert started == "⏳ Pengambilan data untuk client *POLRES_A* dimulai…"
    assert "⚠️ sebagian" in report
    assert "• POLRES_A: IG 2 post/30 likes, TikTok 1 post/4 komentar" in report
    assert "• POLRES_B: ❌ RapidAPI 429" in report
    assert "POLRES_C" in report
    await ask(gateway, "fetch")
    assert calls == [["POLRES_A"], None]


async def test_fetch_unknown_client_busy_and_lock_skipped(pool, settings, clock):
    async def busy(client_ids=None, **kw):
        raise CollectionBusy("⏳ sedang berjalan")

    gateway = await make_chat(pool, settings, clock, busy)
    assert await ask(gateway, "fetch NOPE") == ["❌ Client *NOPE* tidak ditemukan."]
    assert (await ask(gateway, "fetch"))[-1] == "⏳ sedang berjalan"

    async def skipped(client_ids=None, **kw):
        return cycle("skipped", lock_skipped=True)

    gateway = await make_chat(pool, settings, clock, skipped)
    assert "sedang berjalan" in (await ask(gateway, "FETCH"))[-1]


async def test_fetch_without_collection_in_this_process(pool, settings, clock):
    gateway = await make_chat(pool, settings, clock, None)
    assert await ask(gateway, "fetch") == ["❌ Pengambilan data manual tidak tersedia di proses ini."]


async def test_the_collector_refuses_a_second_concurrent_requested_run_but_not_a_scheduled_one(monkeypatch):
    release = asyncio.Event()
    triggers = []

    async def slow_cycle(deps, **kw):
        triggers.append(kw["trigger"])
        if kw["trigger"] == "admin":
            await release.wait()
        return cycle()

    monkeypatch.setattr("jobs.collect_now.run_cycle", slow_cycle)
    collector = Collector(deps=object())
    first = asyncio.create_task(collector.collect(None))
    await asyncio.sleep(0)
    with pytest.raises(CollectionBusy):
        await collector.collect(["X"], trigger="manual")
    assert (await collector.collect(phase="post_fetch", trigger="schedule")).status == "ok"
    release.set()
    assert (await first).status == "ok"
    assert triggers == ["admin", "schedule"]


async def test_fetch_runs_the_real_cycle_against_the_fake_rapidapi(pool, settings):
    from jobs.sources.fake_rapidapi import FakeAccount, FakePost, FakeRapidApi, Scenario

    day = datetime(2026, 11, 25, tzinfo=JAKARTA).date()
    scenario = Scenario(accounts=[
        FakeAccount("instagram", "polresa", posts=[
            FakePost("IGA", datetime.combine(day, time(8), tzinfo=JAKARTA), "Sambang", engagers=["budi", "ani"]),
        ]),
    ])
    fake = FakeRapidApi(scenario)
    await fake.start()
    try:
        s = settings.model_copy(update={
            "instagram": settings.instagram.model_copy(update={"base_url": fake.base_url, "key": SecretStr("k"),
                                                                "backoff_base_seconds": 0}),
            "tiktok": settings.tiktok.model_copy(update={"base_url": fake.base_url, "key": SecretStr("k"),
                                                          "backoff_base_seconds": 0}),
        })
        await upsert_client(pool, Client(id="POLRES_A", name="A", type="org", instagram="polresa"))
        clock = ManualClock(datetime(2026, 11, 25, 12, 0, tzinfo=JAKARTA))
        async with open_collector(s, pool, clock, RecordingReporter()) as collector:
            gateway = await make_chat(pool, s, clock, collector.collect)
            started, report = await ask(gateway, "fetch POLRES_A")
    finally:
        await fake.stop()
    assert "✅ sukses" in report and "• POLRES_A: IG 1 post/2 likes" in report
    assert await pool.fetchval("SELECT trigger FROM job_runs ORDER BY id DESC LIMIT 1") == "admin"


def test_chat_part_health_reports_the_transport_state():
    from bot.chat_service import ChatPart

    gateway = FakeGateway()
    part = ChatPart(gateway=gateway, router=None, pipeline=None)
    assert part.health()["status"] == "ok" and part.health()["transport"] == "fake"
    gateway.connection_state = lambda: ConnectionState(connected=False, detail="LoggedOut")
    assert part.health()["status"] == "logged_out"
    gateway.connection_state = lambda: ConnectionState(connected=False, logged_in=True, detail="Disconnected")
    assert part.health()["status"] == "down"
