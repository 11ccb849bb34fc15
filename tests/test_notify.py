"""Task notifications: slot key, window, change detection, messages, state handling."""

import re
from datetime import datetime

import pytest

from db.clients import Client, upsert_client
from core.formats import FormatError
from db.notification_state import TaskPost, all_states
from db.outbox import messages_in_order
from db.posts import mark_removed
from core.clock import ManualClock
from jobs.notify import detect_changes, notify_client, slot_in_window, slot_key
from jobs.task_messages import Changes, angka, scheduled_list_message, waktu_panjang, waktu_unggah
from tests.support.factories import Factory, wib
from tests.support.recording_reporter import RecordingReporter

GROUP = "120363000000000111@g.us"
GROUP_2 = "120363000000000222@g.us"


@pytest.mark.parametrize("hhmm, expected", [
    ("06:05", "2026-02-17-06@05"), ("06:30", "2026-02-17-06@05"), ("06:03", "2026-02-17-05@05"),
    ("17:00", "2026-02-17-16@05"), ("17:05", "2026-02-17-17@05"), ("17:30", "2026-02-17-17@05"),
    ("18:00", "2026-02-17-17@05"), ("00:03", "2026-02-16-23@05"), ("00:10", "2026-02-17-00@05"),
    ("23:59", "2026-02-17-23@05"),
])
def test_slot_key(hhmm, expected):
    h, m = map(int, hhmm.split(":"))
    assert slot_key(wib(2026, 2, 17, h, m)) == expected


def test_slot_key_uses_jakarta_time_whatever_the_input_zone():
    from datetime import timezone
    assert slot_key(datetime(2026, 2, 16, 23, 3, tzinfo=timezone.utc)) == "2026-02-17-05@05"  # 06:03 WIB


@pytest.mark.parametrize("hhmm, due", [
    ("05:59", False), ("06:03", False), ("06:05", True), ("12:30", True), ("17:05", True), ("17:30", True),
    ("17:59", True), ("18:00", False), ("18:05", False), ("22:00", False),
])
def test_slot_window(settings, hhmm, due):
    h, m = map(int, hhmm.split(":"))
    assert slot_in_window(wib(2026, 2, 17, h, m), settings) is due


def test_indonesian_formats():
    assert angka(1234) == "1.234" and angka(1234567) == "1.234.567" and angka(0) == "0"
    assert waktu_panjang(wib(2026, 2, 17, 14, 28)) == "Selasa, 17 Februari 2026 pukul 14.28 WIB"
    assert waktu_unggah(wib(2026, 2, 17, 7, 15)) == "Selasa, 17 Feb 2026, 07.15 WIB"


def post(pid, platform="instagram", caption="Patroli dialogis", hour=7, likes=1234, comments=8):
    return TaskPost(platform, pid, caption, wib(2026, 2, 17, hour), likes, comments)


def test_scheduled_list_carries_everything():
    text = scheduled_list_message(
        "POLRES CONTOH", wib(2026, 2, 17, 14, 5),
        [post("ABC123", caption="Kegiatan patroli dialogis bersama warga di wilayah hukum Polres Contoh hari ini")],
        [post("7300000000000000001", "tiktok", caption="", hour=8, likes=1200, comments=25)],
        Changes(instagram_added=[post("ABC123")], tiktok_removed=["old"]), "polrescontoh")
    assert "📋 *Daftar Tugas — POLRES CONTOH*" in text
    assert "Selasa, 17 Februari 2026 pukul 14.05 WIB" in text
    assert "📸 Instagram: *1* unggahan" in text and "🎵 TikTok: *1* video" in text
    assert "✅ +1 unggahan Instagram baru" in text and "❌ -1 video TikTok dihapus" in text
    assert "https://www.instagram.com/p/ABC123/" in text
    assert "_Kegiatan patroli dialogis bersama warga di wilayah hukum Pol..._" in text
    assert "Like: 1.234 | Komentar: 8" in text and "Like: 1.200 | Komentar: 25" in text
    assert "https://www.tiktok.com/@polrescontoh/video/7300000000000000001" in text
    assert "_(tanpa deskripsi)_" in text and "Diunggah: Selasa, 17 Feb 2026, 08.00 WIB" in text


def test_long_lists_are_cut_to_the_message_limit():
    many = [post(f"SC{i:03d}", caption="x" * 60) for i in range(200)]
    text = scheduled_list_message("P", wib(2026, 2, 17, 9, 5), many, [], Changes(), None, max_chars=4000)
    assert len(text) <= 4000 and "unggahan lainnya" in text and "SC000" in text


def test_detect_changes_against_ids_of_the_same_day():
    from db.notification_state import NotificationState
    from datetime import date
    state = NotificationState("X", notified_instagram=["A", "B"], notified_tiktok=["T"], state_day=date(2026, 2, 17))
    ch = detect_changes(state, [post("B"), post("C")], [], date(2026, 2, 17))
    assert [p.post_id for p in ch.instagram_added] == ["C"]
    assert ch.instagram_removed == ["A"] and ch.tiktok_removed == ["T"]
    # yesterday's ids are not today's tasks: nothing is "removed" on a new day
    ch = detect_changes(state, [post("B")], [], date(2026, 2, 18))
    assert [p.post_id for p in ch.instagram_added] == ["B"] and not ch.instagram_removed


async def test_invite_links_and_malformed_group_ids_are_rejected_when_saving(pool):
    for bad in ("https://chat.whatsapp.com/AbCdEf123", "6281234567890@s.whatsapp.net", "grup polres", "12@g.us"):
        with pytest.raises(FormatError):
            await upsert_client(pool, Client(id="POLRES_P", name="P", type="org", group_ids=[bad]))
    saved = await upsert_client(pool, Client(id="polres_p", name="P", type="org",
                                             group_ids=[" 120363000000000111 ", "120363000000000111@g.us"]))
    assert saved.group_ids == ["120363000000000111@g.us"]


# -- against the database ------------------------------------------------------------------

@pytest.fixture
def clock():
    return ManualClock(wib(2026, 2, 17, 6, 5))


@pytest.fixture
def reporter():
    return RecordingReporter()


@pytest.fixture
async def f(pool):
    return Factory(pool)


async def run(pool, settings, clock, reporter, cid="POLRES_A", **kw):
    return await notify_client(pool, settings, clock, reporter, cid, **kw)


async def queued(pool, kind=None):
    return [m for m in await messages_in_order(pool) if kind is None or m.kind == kind]


async def test_first_slot_sends_the_list_to_every_group_once(pool, settings, clock, reporter, f):
    await f.client("POLRES_A", name="Polres A", group_ids=[GROUP, GROUP_2])
    await f.ig_post("SC1", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 5, 30), caption="Apel pagi")
    out = await run(pool, settings, clock, reporter)
    assert out.decision == "scheduled" and out.queued == 2
    rows = await queued(pool)
    assert sorted(r.recipient for r in rows) == [GROUP, GROUP_2]
    assert all(r.kind == "task_scheduled" and "SC1" in r.body and "+1 unggahan Instagram baru" in r.body for r in rows)
    [state] = await all_states(pool)
    assert state.last_notified_slot == "2026-02-17-06@05" and state.notified_instagram == ["SC1"]
    clock.set(wib(2026, 2, 17, 6, 30))
    out = await run(pool, settings, clock, reporter)
    assert out.decision is None and len(await queued(pool)) == 2


async def test_change_inside_a_notified_slot_sends_change_messages(pool, settings, clock, reporter, f):
    await f.client("POLRES_A", group_ids=[GROUP])
    await run(pool, settings, clock, reporter)
    clock.set(wib(2026, 2, 17, 6, 30))
    await f.ig_post("SC2", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 6, 20), caption="Sambang")
    await f.tt_post("V1", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 6, 25))
    out = await run(pool, settings, clock, reporter)
    assert out.decision == "change"
    bodies = [r.body for r in await queued(pool, "task_change")]
    assert len(bodies) == 2
    assert bodies[0].startswith("📸 *Tugas Instagram Baru") and "https://www.instagram.com/p/SC2/" in bodies[0]
    assert bodies[1].startswith("🎵 *Tugas TikTok Baru") and "/video/V1" in bodies[1]
    await mark_removed(pool, "instagram", "POLRES_A", ["SC2"], at=clock.now())
    clock.set(wib(2026, 2, 17, 6, 55))
    await run(pool, settings, clock, reporter)
    removed = (await queued(pool, "task_change"))[-1].body
    assert removed.startswith("🗑️") and "*1* unggahan Instagram dikeluarkan dari daftar tugas:" in removed
    assert "1. https://www.instagram.com/p/SC2/\n   _Sambang_" in removed  # names the post: link and caption


async def test_after_the_window_only_changes_are_sent(pool, settings, clock, reporter, f):
    await f.client("POLRES_A", group_ids=[GROUP])
    clock.set(wib(2026, 2, 17, 18, 0))
    assert (await run(pool, settings, clock, reporter)).decision is None
    await f.ig_post("LATE", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 19, 0))
    clock.set(wib(2026, 2, 17, 19, 30))
    assert (await run(pool, settings, clock, reporter)).decision == "change"
    assert [r.kind for r in await queued(pool)] == ["task_change"]


async def test_the_same_change_on_another_day_is_sent_again(pool, settings, clock, reporter, f):
    await f.client("POLRES_A", group_ids=[GROUP])
    for day in (17, 18):
        clock.set(wib(2026, 2, day, 19, 0))
        await run(pool, settings, clock, reporter)  # baseline of the day
        await f.ig_post(f"D{day}", client_id="POLRES_A", posted_at=wib(2026, 2, day, 19, 5))
        clock.set(wib(2026, 2, day, 19, 30))
        await run(pool, settings, clock, reporter)
        await mark_removed(pool, "instagram", "POLRES_A", [f"D{day}"], at=clock.now())
        clock.set(wib(2026, 2, day, 20, 0))
        await run(pool, settings, clock, reporter)
    removed = [r.body for r in await queued(pool) if r.body.startswith("🗑️")]
    assert len(removed) == 2  # the same kind of change on two days: both queued, each naming its post
    assert "/p/D17/" in removed[0] and "/p/D18/" in removed[1]


async def test_without_groups_nothing_is_queued_and_the_slot_is_kept(pool, settings, clock, reporter, f):
    await f.client("POLRES_A", group_ids=[])
    out = await run(pool, settings, clock, reporter)
    assert out.decision is None and await queued(pool) == []
    [state] = await all_states(pool)
    assert state.last_notified_slot is None


async def test_state_failure_gives_change_only_and_an_admin_error(pool, settings, clock, reporter, f):
    await f.client("POLRES_A", group_ids=[GROUP])
    await f.ig_post("SC9", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 6, 0))
    await pool.execute("ALTER TABLE notification_state RENAME TO notification_state_gone")
    try:
        out = await run(pool, settings, clock, reporter)  # 06:05: a slot, but the state is unreadable
        assert out.decision is None and not out.state_ok and await queued(pool) == []
        from db.notification_state import todays_task_posts
        ig, _ = await todays_task_posts(pool, "POLRES_A", *__import__("core.clock").clock.day_range(clock.now().date()))
        out = await run(pool, settings, clock, reporter, run_changes=Changes(instagram_added=ig))
        assert out.decision == "change"
        assert [r.kind for r in await queued(pool)] == ["task_change"]
        assert len(reporter.texts("error")) == 2 and "hanya pesan perubahan" in reporter.texts("error")[0]
    finally:
        await pool.execute("ALTER TABLE notification_state_gone RENAME TO notification_state")
    # the state is back after the window: SC9 is still "new" against it, but its change message was
    # already queued today by the fallback, so it is not queued again
    clock.set(wib(2026, 2, 17, 19, 0))
    out = await run(pool, settings, clock, reporter)
    assert out.decision == "change" and out.queued == 0 and out.already_queued == 1
    assert [r.kind for r in await queued(pool)] == ["task_change"]


async def test_two_runs_at_once_queue_one_list(pool, settings, clock, reporter, f):
    import asyncio
    await f.client("POLRES_A", group_ids=[GROUP])
    await f.ig_post("SC1", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 6, 0))
    outcomes = await asyncio.gather(*(run(pool, settings, clock, reporter) for _ in range(4)))
    assert sorted(str(o.decision) for o in outcomes) == ["None", "None", "None", "scheduled"]
    assert [r.kind for r in await queued(pool)] == ["task_scheduled"]


async def test_inactive_or_unknown_clients_are_skipped(pool, settings, clock, reporter, f):
    await f.client("POLRES_A", group_ids=[GROUP], active=False)
    assert (await run(pool, settings, clock, reporter)).decision is None
    assert (await run(pool, settings, clock, reporter, cid="NOPE")).decision is None
    assert await queued(pool) == []


async def test_a_manually_added_task_is_marked_in_the_task_messages(pool, settings, clock, reporter, f):
    from db.audit import Actor
    from jobs.manual_posts import add_manual_post
    from jobs.task_messages import MANUAL_MARK

    await f.client("POLRES_A", name="Polres A", group_ids=[GROUP])
    await f.ig_post("SC1", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 5, 30), caption="Apel pagi")
    await add_manual_post(pool, "POLRES_A", "https://www.instagram.com/p/MISSED1/", Actor("cli:admin", "cli"),
                          now=wib(2026, 2, 17, 6, 0))
    out = await run(pool, settings, clock, reporter)
    assert out.decision == "scheduled"
    [message] = await queued(pool)
    entries = re.split(r"\n(?=\d+\. )", message.body)   # one numbered entry each
    [manual] = [e for e in entries if "MISSED1" in e]
    [from_api] = [e for e in entries if "/p/SC1/" in e]
    assert MANUAL_MARK.strip() in manual and MANUAL_MARK.strip() not in from_api
