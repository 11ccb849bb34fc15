"""A whole simulated day (06:05 → 22:00 at every scheduled fire time) for several clients.

Collection here is simulated directly in the database (posts appear/disappear
at post-fetch runs and at one manual fetch); notifications run through the
real `notify_after_client` hook and the real `OutboxSender` over a fake
WhatsApp gateway. `tests/test_notify_cycle.py` drives the same story through
the real collection cycle against the fake RapidAPI.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from bot.whatsapp.fake import FakeGateway
from db import outbox as db_outbox
from core.clock import JAKARTA, ManualClock
from db.posts import mark_removed
from jobs.fetch_model import ClientResult
from jobs.notify import notify_after_client
from jobs.outbox import OutboxSender
from tests.support.day_sim import fire_times
from tests.support.factories import Factory, wib
from tests.support.recording_reporter import RecordingReporter

DAY = date(2026, 2, 17)
GROUPS = {
    "POLRES_A": ["120363000000000101@g.us", "120363000000000102@g.us"],
    "POLRES_B": ["120363000000000201@g.us"],
    "DITBINMAS": ["120363000000000301@g.us"],
}


@dataclass
class Event:
    """A post that exists on the platform from `posted_at` (until `removed_at`)."""

    platform: str
    client_id: str
    post_id: str
    posted_at: datetime
    removed_at: datetime | None = None


EVENTS = [
    Event("instagram", "POLRES_A", "A_IG_EARLY", wib(2026, 2, 17, 5, 50)),
    Event("instagram", "POLRES_A", "A_IG_0910", wib(2026, 2, 17, 9, 10)),  # change at 09:30
    Event("tiktok", "POLRES_A", "7300000000000000123", wib(2026, 2, 17, 12, 40)),  # inside the 13:05 list
    Event("instagram", "POLRES_A", "A_IG_GONE", wib(2026, 2, 17, 13, 10), removed_at=wib(2026, 2, 17, 14, 20)),
    Event("instagram", "POLRES_B", "B_IG_1020", wib(2026, 2, 17, 10, 20)),  # change at 10:30, WhatsApp down
    Event("tiktok", "DITBINMAS", "7300000000000000999", wib(2026, 2, 17, 17, 10)),  # only a manual fetch sees it
    Event("instagram", "POLRES_A", "A_IG_EVENING", wib(2026, 2, 17, 19, 10)),
]
MANUAL_FETCH_AT = wib(2026, 2, 17, 19, 40)
OUTAGE = (wib(2026, 2, 17, 10, 0), wib(2026, 2, 17, 11, 0))
CRASH_AT = wib(2026, 2, 17, 13, 5)


class DbCollector:
    """Stands in for the collection cycle: makes the DB match the platform at `now`."""

    def __init__(self, pool):
        self.pool = pool
        self.f = Factory(pool)
        self.stored: set[str] = set()
        self.removed: set[str] = set()

    async def collect(self, client_id: str, now: datetime, phase: str) -> ClientResult:
        result = ClientResult(client_id=client_id, phase=phase)
        if phase != "post_fetch":
            return result
        for e in EVENTS:
            if e.client_id != client_id or e.posted_at > now:
                continue
            changes = result.instagram if e.platform == "instagram" else result.tiktok
            if e.post_id not in self.stored:
                add = self.f.ig_post if e.platform == "instagram" else self.f.tt_post
                await add(e.post_id, client_id=client_id, posted_at=e.posted_at, caption=f"Kegiatan {e.post_id}")
                self.stored.add(e.post_id)
                changes.new.append(e.post_id)
            if e.removed_at and e.removed_at <= now and e.post_id not in self.removed:
                await mark_removed(self.pool, e.platform, client_id, [e.post_id], at=now)
                self.removed.add(e.post_id)
                changes.removed.append(e.post_id)
        return result


@pytest.fixture
async def world(pool, settings):
    f = Factory(pool)
    for cid, groups in GROUPS.items():
        await f.client(cid, type="direktorat" if cid == "DITBINMAS" else "org", group_ids=groups)
    await f.client("POLRES_NOGROUP", group_ids=[])
    return f


async def simulate_day(pool, settings, collector_for_run, *, crash=True):
    clock = ManualClock(wib(2026, 2, 17, 6, 0))
    reporter = RecordingReporter()
    gateway = FakeGateway()
    sleeps = []

    async def fake_sleep(s):
        sleeps.append(s)

    sender = OutboxSender(pool, gateway, settings, clock, reporter, sleep=fake_sleep)
    runs = [(t, p, "schedule") for t, p in fire_times(settings, DAY)]
    runs.append((MANUAL_FETCH_AT, "post_fetch", "manual"))
    runs.sort()
    for when, phase, _trigger in runs:
        clock.set(when)
        gateway.set_connected(not (OUTAGE[0] <= when < OUTAGE[1]))
        await collector_for_run(clock, reporter, phase)
        if crash and when == CRASH_AT:
            # the sender claims a message and the process dies before handing it to WhatsApp
            lost = await db_outbox.claim_next_due(pool, now=clock.now(), claimed_by="crashed-process")
            assert lost is not None
            sender = OutboxSender(pool, gateway, settings, clock, reporter, sleep=fake_sleep)  # restart
        await sender.drain_once()
    clock.set(wib(2026, 2, 17, 22, 30))
    await sender.drain_once()
    return gateway, reporter


def slot_hours(rows):
    return [int(r.idempotency_key.rsplit(":", 1)[1][11:13]) for r in rows]


async def check_day(pool, gateway):
    rows = await db_outbox.messages_in_order(pool)
    task_rows = [r for r in rows if r.kind.startswith("task_")]
    # every message was delivered exactly once, nothing stuck or dead
    assert Counter(r.status for r in rows) == {"sent": len(rows)}
    assert len(gateway.sent) == len(rows)
    assert len({r.wa_message_id for r in rows}) == len(rows)
    # per group: delivered in the order queued
    by_recipient = defaultdict(list)
    for s in gateway.sent:
        by_recipient[s.to].append(s.text)
    for recipient, texts in by_recipient.items():
        assert texts == [r.body for r in rows if r.recipient == recipient]
    # exactly one scheduled list per group for each hour 06..17, none after 17:59
    for cid, groups in GROUPS.items():
        for group in groups:
            scheduled = [r for r in task_rows if r.recipient == group and r.kind == "task_scheduled"]
            assert slot_hours(scheduled) == list(range(6, 18)), (cid, group)
            assert all(r.created_at.astimezone(JAKARTA).hour <= 17 for r in scheduled)
            assert scheduled[-1].created_at.astimezone(JAKARTA).strftime("%H:%M") == "17:05"
            assert scheduled[0].created_at.astimezone(JAKARTA).strftime("%H:%M") == "06:05"
    assert not [r for r in task_rows if r.client_id == "POLRES_NOGROUP"]
    return task_rows


def changes_of(task_rows, group):
    return [(r.created_at.astimezone(JAKARTA).strftime("%H:%M"), r.body.splitlines()[0])
            for r in task_rows if r.recipient == group and r.kind == "task_change"]


def assert_day_changes(task_rows) -> None:
    """The change messages the day's events (EVENTS) must produce, per group, whatever drives the day."""
    assert changes_of(task_rows, GROUPS["POLRES_A"][0]) == [
        ("09:30", "📸 *Tugas Instagram Baru — POLRES A*"),
        ("13:30", "📸 *Tugas Instagram Baru — POLRES A*"),
        ("14:30", "🗑️ *Perubahan Daftar Tugas — POLRES A*"),
        ("19:40", "📸 *Tugas Instagram Baru — POLRES A*"),
    ]
    assert changes_of(task_rows, GROUPS["POLRES_B"][0]) == [("10:30", "📸 *Tugas Instagram Baru — POLRES B*")]
    assert changes_of(task_rows, GROUPS["DITBINMAS"][0]) == [("19:40", "🎵 *Tugas TikTok Baru — DITBINMAS*")]


async def test_simulated_day_direct(pool, settings, world):
    collector = DbCollector(pool)

    async def run(clock, reporter, phase):
        for cid in [*GROUPS, "POLRES_NOGROUP"]:
            result = await collector.collect(cid, clock.now(), phase)
            await notify_after_client(pool, settings, clock, reporter, result)

    gateway, reporter = await simulate_day(pool, settings, run)
    task_rows = await check_day(pool, gateway)
    a1 = GROUPS["POLRES_A"][0]
    assert_day_changes(task_rows)
    # the 13:05 list carries the TikTok post that appeared at 12:40 instead of a separate message
    list_1305 = next(r.body for r in task_rows if r.recipient == a1 and r.idempotency_key.endswith("-13@05"))
    assert "✅ +1 video TikTok baru" in list_1305 and "7300000000000000123" in list_1305
    # messages queued during the outage went out after it, in order
    b_rows = [r for r in task_rows if r.recipient == GROUPS["POLRES_B"][0]]
    outage_rows = [r for r in b_rows if OUTAGE[0] <= r.created_at < OUTAGE[1]]
    assert [slot_hours([r])[0] if r.kind == "task_scheduled" else "change" for r in outage_rows] == [10, "change"]
    assert all(r.sent_at >= OUTAGE[1] for r in outage_rows)
    assert reporter.texts("error") == []


async def test_simulated_day_with_state_storage_down_for_an_hour(pool, settings, world):
    """15:00-16:00 the state table is unusable: change messages still go out, no lists; then lists resume."""
    collector = DbCollector(pool)
    EVENTS.append(Event("instagram", "POLRES_B", "B_IG_1510", wib(2026, 2, 17, 15, 10)))
    try:
        async def run(clock, reporter, phase):
            broken = wib(2026, 2, 17, 15, 0) <= clock.now() < wib(2026, 2, 17, 16, 0)
            if broken:
                await pool.execute("ALTER TABLE notification_state RENAME TO notification_state_down")
            try:
                for cid in [*GROUPS, "POLRES_NOGROUP"]:
                    result = await collector.collect(cid, clock.now(), phase)
                    await notify_after_client(pool, settings, clock, reporter, result)
            finally:
                if broken:
                    await pool.execute("ALTER TABLE notification_state_down RENAME TO notification_state")

        gateway, reporter = await simulate_day(pool, settings, run, crash=False)
    finally:
        EVENTS.pop()
    rows = await db_outbox.messages_in_order(pool)
    assert all(r.status == "sent" for r in rows) and len(gateway.sent) == len(rows)
    b = GROUPS["POLRES_B"][0]
    scheduled = [r for r in rows if r.recipient == b and r.kind == "task_scheduled"]
    assert slot_hours(scheduled) == [h for h in range(6, 18) if h != 15]
    assert changes_of([r for r in rows if r.kind.startswith("task_")], b) == [
        ("10:30", "📸 *Tugas Instagram Baru — POLRES B*"),
        ("15:30", "📸 *Tugas Instagram Baru — POLRES B*"),  # sent in change-only mode
    ]
    # the 16:05 list (state back) does not announce B_IG_1510 again as a change... it is in the list
    list_16 = next(r.body for r in scheduled if r.idempotency_key.endswith("-16@05"))
    assert "B_IG_1510" in list_16
    errors = reporter.texts("error")
    assert errors and all("hanya pesan perubahan" in e for e in errors)
