"""The durable outbox: enqueue idempotency, ordered paced delivery, backoff, dead letters, crash recovery."""

from datetime import datetime, timedelta

import asyncio
import pytest

from core.chat_port import Document, SendError
from db import outbox as db_outbox
from core.clock import JAKARTA, ManualClock
from jobs.outbox import OutboxSender, backoff_seconds, enqueue
from bot.whatsapp.fake import FakeGateway, SimulatedCrash
from tests.support.recording_reporter import RecordingReporter

GROUP_A = "120363000000000001@g.us"
GROUP_B = "120363000000000002@g.us"


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 2, 17, 8, 0, tzinfo=JAKARTA))


@pytest.fixture
def gateway():
    return FakeGateway()


@pytest.fixture
def reporter():
    return RecordingReporter()


def make_sender(pool, gateway, settings, clock, reporter, **kw):
    sleeps = []

    async def fake_sleep(seconds):
        sleeps.append(seconds)
        clock.advance(seconds=seconds)

    sender = OutboxSender(pool, gateway, settings, clock, reporter, sleep=fake_sleep, **kw)
    sender.sleeps = sleeps
    return sender


async def put(pool, recipient, body, key=None, kind="task_change"):
    return await enqueue(pool, recipient=recipient, kind=kind, body=body, idempotency_key=key or f"k:{body}")


async def test_enqueue_is_idempotent_and_joins_the_callers_transaction(pool):
    assert await put(pool, GROUP_A, "halo", key="same") is True
    assert await put(pool, GROUP_A, "halo lagi", key="same") is False
    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                assert await put(conn, GROUP_A, "dibatalkan", key="rolled-back")
                raise RuntimeError("the caller's state update failed")
    rows = await db_outbox.messages_in_order(pool)
    assert [(r.body, r.status) for r in rows] == [("halo", "pending")]


async def test_enqueue_rejects_missing_recipient(pool):
    with pytest.raises(ValueError):
        await put(pool, "", "x")


async def test_sender_delivers_in_order_paced_and_records_whatsapp_ids(pool, gateway, settings, clock, reporter):
    settings.whatsapp.send_interval_seconds = 2.0
    for i in range(3):
        await put(pool, GROUP_A, f"pesan {i}")
    await put(pool, GROUP_B, "pesan B")
    sender = make_sender(pool, gateway, settings, clock, reporter)
    result = await sender.drain_once()
    assert result.sent == 4
    assert [s.text for s in gateway.sent] == ["pesan 0", "pesan 1", "pesan 2", "pesan B"]
    assert sender.sleeps == [2.0, 2.0, 2.0, 2.0]
    rows = await db_outbox.messages_in_order(pool)
    assert all(r.status == "sent" and r.wa_message_id.startswith("WAID") for r in rows)
    assert len({r.wa_message_id for r in rows}) == 4
    assert (await sender.drain_once()).sent == 0  # nothing is sent twice


async def test_documents_are_sent_as_documents(pool, gateway, settings, clock, reporter):
    doc = Document(data=b"PK\x03\x04xlsx", filename="rekap.xlsx", mimetype="application/x", caption="Rekap")
    assert await enqueue(pool, recipient="6281200000001", kind="report", body="", idempotency_key="d1", document=doc)
    await make_sender(pool, gateway, settings, clock, reporter).drain_once()
    assert gateway.sent[0].document == doc


async def test_nothing_is_claimed_while_whatsapp_is_down(pool, gateway, settings, clock, reporter):
    gateway.connected = False
    await put(pool, GROUP_A, "tertunda")
    sender = make_sender(pool, gateway, settings, clock, reporter)
    assert (await sender.drain_once()).claimed == 0
    row = (await db_outbox.messages_in_order(pool))[0]
    assert (row.status, row.attempts) == ("pending", 0)
    gateway.connected = True
    assert (await sender.drain_once()).sent == 1


async def test_retryable_failures_back_off_exponentially_then_die_with_an_admin_alert(
        pool, gateway, settings, clock, reporter):
    settings.whatsapp.send_max_attempts = 3
    await put(pool, GROUP_A, "gagal terus")
    gateway.fail_next = [SendError("timeout", retryable=True) for _ in range(3)]
    sender = make_sender(pool, gateway, settings, clock, reporter)
    assert (await sender.drain_once()).retried == 1
    row = (await db_outbox.messages_in_order(pool))[0]
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert (await sender.drain_once()).claimed == 0  # not due yet
    clock.advance(seconds=30)
    assert (await sender.drain_once()).retried == 1
    clock.advance(seconds=59)
    assert (await sender.drain_once()).claimed == 0
    clock.advance(seconds=1)
    assert (await sender.drain_once()).dead == 1
    row = (await db_outbox.messages_in_order(pool))[0]
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "timeout")
    assert gateway.sent == []
    [alert] = reporter.texts("error")
    assert f"#{row.id}" in alert and f"cicero outbox retry {row.id}" in alert
    assert "WhatsApp tidak menjawab tepat waktu (setelah 3 percobaan)" in alert and "timeout" not in alert
    assert "(pesan perubahan tugas)" in alert and "task_change" not in alert


async def test_backoff_schedule():
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 5, 8)] == [30, 60, 120, 240, 480, 3600]


async def test_permanent_failure_is_dead_at_once(pool, gateway, settings, clock, reporter):
    await put(pool, GROUP_A, "grup tidak ada")
    gateway.fail_next = [SendError("not a participant", retryable=False)]
    assert (await make_sender(pool, gateway, settings, clock, reporter).drain_once()).dead == 1
    assert (await db_outbox.messages_in_order(pool))[0].attempts == 1


async def test_a_failed_message_holds_back_later_messages_to_the_same_group_only(
        pool, gateway, settings, clock, reporter):
    await put(pool, GROUP_A, "A1")
    await put(pool, GROUP_A, "A2")
    await put(pool, GROUP_B, "B1")
    gateway.fail_next = [SendError("flaky")]
    sender = make_sender(pool, gateway, settings, clock, reporter)
    await sender.drain_once()
    assert [s.text for s in gateway.sent] == ["B1"]
    clock.advance(seconds=30)
    await sender.drain_once()
    assert gateway.texts_to(GROUP_A) == ["A1", "A2"]


async def test_requeued_dead_message_is_sent(pool, gateway, settings, clock, reporter):
    await put(pool, GROUP_A, "coba lagi")
    gateway.fail_next = [SendError("no", retryable=False)]
    sender = make_sender(pool, gateway, settings, clock, reporter)
    await sender.drain_once()
    row = (await db_outbox.messages_in_order(pool))[0]
    assert await db_outbox.requeue_dead(pool, row.id, now=clock.now()) is True
    assert await db_outbox.requeue_dead(pool, row.id, now=clock.now()) is False
    await sender.drain_once()
    assert [s.text for s in gateway.sent] == ["coba lagi"]


async def test_crash_after_claim_before_send_sends_once_after_restart(pool, gateway, settings, clock, reporter):
    await put(pool, GROUP_A, "diklaim lalu crash")
    claimed = await db_outbox.claim_next_due(pool, now=clock.now(), claimed_by="dead-process")
    assert claimed.status == "sending"
    restarted = make_sender(pool, gateway, settings, clock, reporter)
    assert (await restarted.drain_once()).claimed == 0  # the claim is still fresh: maybe alive
    clock.advance(seconds=restarted.stale_claim_seconds + 1)
    assert (await restarted.drain_once()).sent == 1
    assert (await restarted.drain_once()).claimed == 0
    assert [s.text for s in gateway.sent] == ["diklaim lalu crash"]
    row = (await db_outbox.messages_in_order(pool))[0]
    assert (row.status, row.attempts) == ("sent", 1)


async def test_crash_after_whatsapp_accepted_is_never_resent(pool, gateway, settings, clock, reporter):
    await put(pool, GROUP_A, "terkirim lalu crash")
    first = make_sender(pool, gateway, settings, clock, reporter)
    gateway.crash_after_send = True
    with pytest.raises(SimulatedCrash):
        await first.drain_once()
    gateway.crash_after_send = False
    clock.advance(seconds=first.stale_claim_seconds + 1)
    restarted = make_sender(pool, gateway, settings, clock, reporter)
    await restarted.drain_once()
    await restarted.drain_once()
    assert len(gateway.sent) == 1
    row = (await db_outbox.messages_in_order(pool))[0]
    assert row.status == "dead" and "tidak diketahui" in row.last_error
    assert any(f"#{row.id}" in t for t in reporter.texts("error"))


async def test_crash_after_recording_the_id_marks_it_sent(pool, gateway, settings, clock, reporter):
    await put(pool, GROUP_A, "id tercatat")
    claimed = await db_outbox.claim_next_due(pool, now=clock.now(), claimed_by="dead-process")
    await pool.execute("UPDATE outbox SET wa_message_id = 'WAID-X', send_started_at = $2 WHERE id = $1",
                       claimed.id, clock.now())
    clock.advance(minutes=10)
    sender = make_sender(pool, gateway, settings, clock, reporter)
    await sender.drain_once()
    assert gateway.sent == []
    assert (await db_outbox.get_message(pool, claimed.id)).status == "sent"


async def test_two_senders_never_send_the_same_message(pool, settings, clock, reporter):
    for i in range(30):
        await put(pool, f"1203630000000001{i:02d}@g.us", f"m{i}")
    gw1, gw2 = FakeGateway(), FakeGateway()
    s1 = make_sender(pool, gw1, settings, clock, reporter)
    s2 = make_sender(pool, gw2, settings, clock, reporter)
    await asyncio.gather(s1.drain_once(), s2.drain_once())
    texts = [s.text for s in gw1.sent + gw2.sent]
    assert sorted(texts) == sorted(f"m{i}" for i in range(30))


async def test_service_part_wakes_on_enqueue_and_stops_cleanly(pool, gateway, settings, clock, reporter):
    sender = OutboxSender(pool, gateway, settings, clock, reporter, poll_seconds=30)
    await sender.start()
    try:
        await put(pool, GROUP_A, "segera")
        for _ in range(200):
            if gateway.sent:
                break
            await asyncio.sleep(0.01)  # waits for the sender task, not for time
        assert [s.text for s in gateway.sent] == ["segera"]
    finally:
        await sender.stop()


async def test_health_reports_backlog_while_disconnected(pool, gateway, settings, clock, reporter):
    sender = OutboxSender(pool, gateway, settings, clock, reporter, poll_seconds=30)
    assert (await sender.health())["status"] == "down"  # not started
    gateway.connected = False
    await sender.start()
    try:
        await put(pool, GROUP_A, "menunggu")
        h = await sender.health()
        assert (h["status"], h["pending"], h["connected"]) == ("degraded", 1, False)
    finally:
        await sender.stop()


async def test_a_dropped_connection_does_not_use_up_attempts(pool, gateway, settings, clock, reporter):
    settings.whatsapp.send_max_attempts = 2
    await put(pool, GROUP_A, "A1")
    await put(pool, GROUP_A, "A2")
    sender = make_sender(pool, gateway, settings, clock, reporter)

    class DropOnSend(FakeGateway):
        async def send_text(self, to, text):
            self.connected = False  # the socket closes while we send
            raise SendError("connection closed")

    flaky = DropOnSend()
    sender.gateway = flaky
    for _ in range(5):  # five outages in a row
        flaky.connected = True
        await sender.drain_once()
    rows = await db_outbox.messages_in_order(pool)
    assert [(r.status, r.attempts) for r in rows] == [("pending", 0), ("pending", 0)]
    sender.gateway = gateway
    await sender.drain_once()
    assert [s.text for s in gateway.sent] == ["A1", "A2"]


async def test_a_send_that_hangs_is_settled_as_unknown_and_never_resent(pool, gateway, settings, clock, reporter):
    await put(pool, GROUP_A, "macet")

    class Hanging(FakeGateway):
        async def send_text(self, to, text):
            await asyncio.Event().wait()

    sender = make_sender(pool, Hanging(), settings, clock, reporter, send_timeout_seconds=0.05)
    assert (await sender.drain_once()).unknown == 1
    assert (await db_outbox.messages_in_order(pool))[0].status == "sending"
    clock.advance(seconds=sender.stale_claim_seconds + 1)
    sender.gateway = gateway
    await sender.drain_once()
    assert gateway.sent == []
    row = (await db_outbox.messages_in_order(pool))[0]
    assert row.status == "dead" and reporter.texts("error")
