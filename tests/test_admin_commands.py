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
from handlers import admin, jadwal, status
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
                    commands=[*admin.COMMANDS, *status.COMMANDS, *jadwal.COMMANDS], collection=collection)
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
    gateway = await make_chat(pool, settings, clock)
    (text,) = await ask(gateway, "status")
    assert text.startswith("📊 *Status Cicero* — 17/02/2026 pukul 09.10 WIB")
    assert "WhatsApp: ✅ terhubung" in text
    assert "Database: ✅ OK" in text
    assert "• ambil posting + engagement: terakhir pukul 09.05 WIB ⚠️ sebagian; berikutnya pukul 09.30 WIB" in text
    assert ("• perbarui likes/komentar: terakhir 16/02 pukul 21.30 WIB ❌ gagal; berikutnya pukul 17.30 WIB"
            in text)

    gateway.connection_state = lambda: ConnectionState(connected=False, detail="Disconnected")
    (text,) = await ask(gateway, "status")
    assert "WhatsApp: ❌ tidak terhubung (terputus)" in text


async def test_status_counts_pending_sending_sent_today_and_dead_messages(pool, settings, clock):
    """The newcomer's case: 9 messages went out today and `status` must say so."""
    group = "120363000000000001@g.us"
    for i in range(14):
        await enqueue(pool, recipient=group, kind="task_change", body=f"m{i}", idempotency_key=f"k{i}")
    await pool.execute("UPDATE outbox SET status = 'sent', sent_at = $1 WHERE id <= 9", at(8, 0))
    await pool.execute("UPDATE outbox SET status = 'sent', sent_at = $1 WHERE id = 10", at(20, 0, day=16))
    await pool.execute("UPDATE outbox SET status = 'sending' WHERE id = 11")
    await pool.execute("UPDATE outbox SET status = 'dead' WHERE id = 12")
    gateway = await make_chat(pool, settings, clock)
    (text,) = await ask(gateway, "status")
    assert "Outbox: 2 menunggu dikirim, 1 sedang dikirim, 9 terkirim hari ini, 1 gagal permanen" in text


async def test_status_with_the_schedule_disabled(pool, settings, clock):
    s = settings.model_copy(update={"schedule": settings.schedule.model_copy(update={"enabled": False})})
    gateway = await make_chat(pool, s, clock)
    (text,) = await ask(gateway, "status")
    assert "terakhir belum pernah; berikutnya jadwal nonaktif" in text


async def scheduled_run(pool, phase, status, when, errors=(), note=None, trigger="schedule"):
    job = "fetch_posts" if phase == "post_fetch" else "fetch_engagement"
    await pool.execute(
        """INSERT INTO job_runs (job, phase, trigger, status, started_at, finished_at, errors, note)
           VALUES ($1, $2, $3, $4, $5, $5, $6::jsonb, $7)""",
        job, phase, trigger, status, when, list(errors), note)


async def test_jadwal_shows_what_ran_failed_was_skipped_or_missed(pool, settings, clock):
    await scheduled_run(pool, "post_fetch", "ok", at(6, 5).replace(second=2))
    await scheduled_run(pool, "post_fetch", "partial", at(6, 30).replace(second=3),
                        errors=[{"client_id": "POLRES_B", "error": "tiktok user polresb: HTTP 404: not found"}])
    rate_limited = "rate limited (HTTP 429); gave up after 4 attempt(s)"
    await scheduled_run(pool, "post_fetch", "failed", at(7, 5).replace(second=1), errors=[
        {"client_id": "POLRES_A", "error": f"instagram posts of polresa: {rate_limited}"},
        {"client_id": "POLRES_B", "error": f"instagram posts of polresb: {rate_limited}"}])
    await scheduled_run(pool, "post_fetch", "skipped", at(7, 30),
                        note="another collection run holds the lock; this scheduled run is skipped")
    # 08:05 and 08:30: the service was down, nothing ran; 09:05 ran; a manual run is not a scheduled one
    await scheduled_run(pool, "post_fetch", "ok", at(8, 40), trigger="admin")
    await scheduled_run(pool, "post_fetch", "ok", at(9, 5).replace(second=4))
    gateway = await make_chat(pool, settings, clock)
    (text,) = await ask(gateway, "Jadwal")
    assert text.startswith("🗓️ *Jadwal hari ini* — Selasa, 17/02/2026")
    lines = text.splitlines()
    assert "✓ 06.05 — ambil posting + engagement" in lines
    assert ("✓ 06.30 — ambil posting + engagement — sebagian: 1 client gagal: POLRES_B "
            "(TikTok: akun tidak ditemukan di RapidAPI (HTTP 404))") in lines
    assert ("✗ 07.05 — ambil posting + engagement — gagal: 2 client gagal: POLRES_A, POLRES_B "
            "(Instagram: kuota RapidAPI habis atau terlalu banyak permintaan (HTTP 429), menyerah setelah 4 "
            "percobaan)") in lines
    assert "✗ 07.30 — ambil posting + engagement — dilewati: pengambilan lain masih berjalan" in lines
    assert "– 08.05 — ambil posting + engagement (terlewat)" in lines
    assert "– 08.30 — ambil posting + engagement (terlewat)" in lines
    assert "✓ 09.05 — ambil posting + engagement" in lines
    assert "▶ 09.30 — ambil posting + engagement" in lines
    assert "• 17.30 — perbarui likes/komentar" in lines
    assert "• 22.00 — perbarui likes/komentar" in lines
    assert lines[-1] == "✓ sudah berjalan  ✗ gagal/dilewati  – terlewat  ▶ berikutnya"
    assert "slot" not in text and "post_fetch" not in text and "HTTP 429)" in text


async def test_jadwal_a_fire_time_just_due_is_not_called_missed(pool, settings):
    gateway = await make_chat(pool, settings, ManualClock(at(9, 6)))
    (text,) = await ask(gateway, "jadwal")
    assert "⏳ 09.05 — ambil posting + engagement (segera berjalan)" in text
    assert "– 06.05 — ambil posting + engagement (terlewat)" in text


def cycle(status="ok", phase="post_fetch", **kw):
    return CycleResult(job_run_id=1, phase=phase, trigger="admin", status=status, **kw)


async def test_fetch_reports_the_result_per_client(pool, settings, clock):
    await upsert_client(pool, Client(id="POLRES_A", name="A", type="org"))
    calls = []

    async def collection(client_ids=None, **kw):
        calls.append((client_ids, kw.get("phase")))
        return cycle("partial", phase=kw.get("phase") or "post_fetch", clients=[
            ClientResult("POLRES_A", "post_fetch", after=PlatformCounts(2, 1, 30, 4)),
            ClientResult("POLRES_B", "post_fetch", ok=False,
                         error="instagram posts of polresb: no RapidAPI key configured ([instagram] key or "
                               "CICERO_INSTAGRAM__KEY)"),
        ], skipped_clients=["POLRES_C"])

    gateway = await make_chat(pool, settings, clock, collection)
    started, report = await ask(gateway, "fetch polres_a")
    assert calls == [(["POLRES_A"], "post_fetch")]
    assert started == ("⏳ Mulai pukul 09.10 WIB: mengambil posting baru + likes/komentar untuk client "
                       "*POLRES_A*…")
    assert "⚠️ sebagian" in report and "Fase: ambil posting + engagement" in report
    assert "• POLRES_A: IG 2 post/30 likes, TikTok 1 post/4 komentar" in report
    assert "• POLRES_B: ❌ Instagram: kunci RapidAPI belum diatur" in report
    assert "RapidAPI key" not in report  # no English in WhatsApp
    assert "POLRES_C" in report
    await ask(gateway, "fetch")
    assert calls[-1] == (None, "post_fetch")  # at 09:10 or at 23:44: posts and engagement


async def test_fetch_likes_refreshes_engagement_only_and_says_so(pool, settings):
    await upsert_client(pool, Client(id="POLRES_A", name="A", type="org"))
    calls = []

    async def collection(client_ids=None, **kw):
        calls.append((client_ids, kw.get("phase")))
        return cycle(phase=kw["phase"], clients=[ClientResult("POLRES_A", kw["phase"])])

    gateway = await make_chat(pool, settings, ManualClock(at(23, 44)), collection)
    started, report = await ask(gateway, "fetch likes POLRES_A")
    assert calls == [(["POLRES_A"], "engagement_only")]
    assert "memperbarui likes/komentar saja (tanpa posting baru)" in started
    assert "Fase: perbarui likes/komentar" in report and "ketik *fetch* untuk mengambil posting" in report
    await ask(gateway, "fetch POLRES_A likes")
    assert calls[-1] == (["POLRES_A"], "engagement_only")
    (usage,) = await ask(gateway, "fetch a b c")
    assert usage.startswith("❌ Format: *fetch*")
    assert (await ask(gateway, "fetch ../../x")) == [usage]


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


async def test_api_health_is_degraded_while_whatsapp_is_down(pool, settings, clock):
    from bot.chat_service import ChatPart
    from tests.support.api import api_client, api_deps

    gateway = FakeGateway()
    part = ChatPart(gateway=gateway, router=None, pipeline=None)
    async with api_client(api_deps(settings, pool, clock, peers=lambda: [part])) as http:
        healthy = (await http.get("/api/health")).json()
        gateway.connection_state = lambda: ConnectionState(connected=False, logged_in=True, detail="Disconnected")
        down = (await http.get("/api/health")).json()
    assert (healthy["status"], healthy["problems"]) == ("ok", [])
    assert down["status"] == "degraded" and down["problems"] == ["whatsapp"]
    assert down["components"]["whatsapp"]["status"] == "down"
    assert down["success"] is True  # the database answers: the dashboard's data is still served
