"""The admin log: every admin gets it through the outbox, errors deduplicated, one summary per cycle."""

import asyncio
from datetime import datetime

import pytest

from bot.adminlog import AdminLog
from db.outbox import messages_in_order
from core.clock import JAKARTA, ManualClock

ADMIN_1 = "6281100000001"
ADMIN_2 = "6281100000002"
ADMIN_GROUP = "120363000000009999@g.us"


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 2, 17, 6, 5, tzinfo=JAKARTA))


@pytest.fixture
def admin_log(pool, settings, clock):
    settings.whatsapp.admins = [ADMIN_1, ADMIN_2]
    settings.whatsapp.admin_groups = [ADMIN_GROUP]
    return AdminLog(pool, settings, clock)


async def bodies(pool, recipient=ADMIN_1):
    return [m.body for m in await messages_in_order(pool, recipient=recipient)]


async def test_every_admin_and_admin_group_gets_each_message(pool, admin_log):
    await admin_log.info("Pengambilan manual selesai", client_id="POLRES_BLITAR")
    rows = await messages_in_order(pool)
    assert sorted(r.recipient for r in rows) == sorted([ADMIN_1, ADMIN_2, ADMIN_GROUP])
    assert all(r.kind == "admin_log" and r.status == "pending" for r in rows)
    assert "ℹ️ *INFO* · 17/02 06.05 WIB\nPengambilan manual selesai\n• client_id: POLRES_BLITAR" == rows[0].body


async def test_same_error_is_sent_once_per_window_with_a_repeat_count(pool, admin_log, clock, caplog):
    await admin_log.error("RapidAPI Instagram menolak kunci (401)")
    for _ in range(4):
        clock.advance(minutes=5)
        await admin_log.error("RapidAPI Instagram menolak kunci (401)")
    assert len(await bodies(pool)) == 1
    await admin_log.error("Database lambat")  # a different error is not held back
    assert len(await bodies(pool)) == 2
    clock.advance(minutes=10)  # 06:35: 30 minutes after the first delivery
    await admin_log.error("RapidAPI Instagram menolak kunci (401)")
    sent = await bodies(pool)
    assert len(sent) == 3
    assert "terjadi lagi 4× sejak 06.05 WIB" in sent[-1]
    assert caplog.text.count("RapidAPI Instagram menolak kunci") >= 6  # every occurrence is on the console


async def test_info_lines_inside_a_batch_become_one_summary(pool, admin_log):
    async with admin_log.batch("Pengambilan 06:05"):
        async def client_job(cid):
            await admin_log.info(f"{cid}: 3 IG, 1 TikTok")
        await asyncio.gather(*(client_job(c) for c in ("A", "B", "C")))
        await admin_log.warning("B: TikTok tidak menjawab")
        await admin_log.error("C: gagal total")
    sent = await bodies(pool)
    assert len(sent) == 2  # the error at once, then one summary
    assert sent[0].startswith("❌ *GALAT*")
    summary = sent[1]
    assert summary.startswith("❌ *Ringkasan: Pengambilan 06:05*")
    assert "1 galat, 1 peringatan" in summary
    for line in ("• A: 3 IG, 1 TikTok", "• B: 3 IG, 1 TikTok", "⚠️ B: TikTok tidak menjawab", "❌ C: gagal total"):
        assert line in summary


async def test_cycle_summary_is_one_message(pool, admin_log):
    await admin_log.cycle_summary("Siklus 17:05", ["POLRES_A: +2 IG", "POLRES_B: tidak berubah"])
    [body] = await bodies(pool)
    assert body.startswith("✅ *Ringkasan: Siklus 17:05*") and "POLRES_B: tidak berubah" in body


async def test_never_raises_when_the_database_is_gone(pool, settings, clock, caplog):
    settings.whatsapp.admins = [ADMIN_1]
    log = AdminLog(pool, settings, clock)
    await pool.close()
    await log.error("apa pun")  # must not raise
    await log.cycle_summary("x", ["y"])
    assert "admin log: queueing a message failed: InterfaceError" in caplog.text


async def test_no_admins_means_console_only(pool, settings, clock):
    settings.whatsapp.admins = []
    settings.whatsapp.admin_groups = []
    log = AdminLog(pool, settings, clock)
    await log.error("hanya di konsol")
    assert await messages_in_order(pool) == []


async def test_started_as_a_part_unbatched_info_is_one_digest(pool, admin_log):
    admin_log.flush_seconds = 3600
    await admin_log.start()
    try:
        await admin_log.info("Siklus 06:05 dimulai")
        await admin_log.warning("POLRES_B: TikTok kosong")
        await admin_log.info("Siklus 06:05 selesai")
        assert await bodies(pool) == []  # buffered
        await admin_log.error("Database lambat")  # errors are never buffered
        assert len(await bodies(pool)) == 1
    finally:
        await admin_log.stop()  # flushes
    sent = await bodies(pool)
    assert len(sent) == 2
    assert "Log operasional" in sent[1] and "Siklus 06:05 dimulai" in sent[1] and "⚠️ POLRES_B" in sent[1]
