"""Report subscriptions as data: validation, audit, defaults, recipients, status and send-now."""

from __future__ import annotations

import pytest

from core.clock import ManualClock
from db.audit import audit_rows
from db.outbox import list_messages
from db.report_subscriptions import (
    SubscriptionError, add_subscription, get_subscription, list_subscriptions, remove_subscription, set_active,
    update_subscription,
)
from handlers.reports.catalog import REPORTS
from handlers.reports.subscriptions import next_report_runs, resolve_recipients, send_now, subscription_status
from handlers.reports.subscriptions.defaults import seed_defaults
from tests.support.factories import Factory, wib

DIT_GROUP = "120363000000000001@g.us"
ORG_GROUP = "120363000000000002@g.us"


@pytest.fixture
async def clients(pool):
    f = Factory(pool)
    dit = await f.client("DITBINMAS", type="direktorat", group_ids=[DIT_GROUP], operator_phone="6281100000010",
                         super_phones=["6281100000011", "6281100000012"])
    org = await f.client("POLRES_A", group_ids=[ORG_GROUP], operator_phone="6281100000020", parent_id="DITBINMAS")
    bare = await f.client("POLRES_B", parent_id="DITBINMAS")
    return dit, org, bare


async def add(pool, **kw):
    fields = dict(report="combined_recap", client_id="DITBINMAS", recipients=["group"], times=["18:10"],
                  actor="cli:tester", known_reports=REPORTS, now=wib(2026, 11, 25, 6))
    fields.update(kw)
    return await add_subscription(pool, **fields)


@pytest.mark.parametrize("field, value, reason", [
    ("report", "no_such_report", "laporan tidak dikenal"),
    ("times", ["25:00"], "jam tidak valid"),
    ("times", ["61 * * * *"], "cron tidak valid"),
    ("times", ["kapan-kapan"], "jam tidak valid"),
    ("client_id", "POLRES_NOPE", "client POLRES_NOPE tidak ada"),
    ("recipients", ["number:12ab"], "penerima 'number:12ab'"),
    ("recipients", ["group:https://chat.whatsapp.com/abc"], "tautan undangan"),
    ("recipients", ["everyone"], "penerima tidak dikenal"),
    ("recipients", [], "penerima wajib diisi"),
    ("period", "fortnight", "periode tidak dikenal"),
])
async def test_bad_subscriptions_are_refused_with_the_reason(pool, clients, field, value, reason):
    with pytest.raises(SubscriptionError) as exc:
        await add(pool, **{field: value})
    assert reason in str(exc.value) and exc.value.english
    assert await list_subscriptions(pool) == []


async def test_changes_are_audited_and_times_normalised(pool, clients):
    sub = await add(pool, times=["8.00", "18:10", "0 7 * * mon"], recipients=["GROUP", "number:0812-3456-7890"])
    assert sub.times == ("08:00", "18:10", "0 7 * * mon")
    assert sub.recipients == ("group", "number:6281234567890")
    off = await set_active(pool, sub.id, False, actor="6281100000001", now=wib(2026, 11, 25, 7))
    assert off is not None and not off.active
    changed = await update_subscription(pool, sub.id, actor="cli:tester", known_reports=REPORTS, times=["18:20"],
                                        now=wib(2026, 11, 25, 8))
    assert changed.times == ("18:20",)
    assert (await remove_subscription(pool, sub.id, actor="cli:tester")).id == sub.id
    assert await get_subscription(pool, sub.id) is None
    rows = await audit_rows(pool, entity="report_subscription")
    assert [(r.action, r.channel) for r in reversed(rows)] == [
        ("report_subscription.add", "cli"), ("report_subscription.active", "whatsapp"),
        ("report_subscription.set", "cli"), ("report_subscription.remove", "cli")]


async def test_recipients_resolve_from_the_client_record_at_send_time(pool, clients, settings):
    dit, org, bare = clients
    got = resolve_recipients(("group", "super_admins", "operators", "admins", "number:6281299990000"), dit, settings)
    assert got.chats == (DIT_GROUP, "6281100000011", "6281100000012", "6281100000010", "6281100000001",
                         "6281299990000")
    none = resolve_recipients(("group", "operators"), bare, settings)
    assert none.chats == () and none.reason == "client tidak punya grup; client tidak punya nomor operator"


async def test_defaults_are_seeded_once_and_edits_survive(pool, clients, settings):
    now = wib(2026, 11, 25, 6)
    first = await seed_defaults(pool, settings, now)
    subs = await list_subscriptions(pool)
    assert first.added == len(subs) > 0
    by_key = {s.default_key: s for s in subs}
    assert by_key["dir_group:DITBINMAS:combined_recap"].times == ("15:20", "18:10")
    assert by_key["org_engagement:POLRES_A:ig_likes_by_division"].recipients == ("group", "operators")
    # an admin removes one and switches another off: a second seeding brings neither back
    await remove_subscription(pool, by_key["admins:DITBINMAS:completeness_recap"].id, actor="cli:tester")
    await set_active(pool, by_key["dir_group:DITBINMAS:combined_recap"].id, False, actor="cli:tester", now=now)
    again = await seed_defaults(pool, settings, now)
    assert again.added == 0
    assert not (await get_subscription(pool, by_key["dir_group:DITBINMAS:combined_recap"].id)).active
    assert "admins:DITBINMAS:completeness_recap" not in {s.default_key for s in await list_subscriptions(pool)}

    status = {s.subscription.default_key: s for s in await subscription_status(pool, settings, now)}
    assert status["org_engagement:POLRES_B:ig_likes_by_division"].inactive_reason == (
        "client tidak punya grup; client tidak punya nomor operator")
    assert status["dir_group:DITBINMAS:combined_recap"].inactive_reason == "dinonaktifkan"
    runs = await next_report_runs(pool, settings, now, limit=3)
    assert [(r.at, r.client_id) for r in runs] == [   # the two org completeness recaps, then the admins' 08:00
        (wib(2026, 11, 25, 6, 45), "POLRES_A"), (wib(2026, 11, 25, 6, 45), "POLRES_B"),
        (wib(2026, 11, 25, 8), "DITBINMAS")]


async def test_send_now_queues_once_and_dry_run_queues_nothing(pool, clients, settings):
    sub = await add(pool, report="completeness_recap", client_id="POLRES_A", recipients=["group", "operators"])
    clock = ManualClock(wib(2026, 11, 25, 9))
    dry = await send_now(pool, settings, sub.id, clock.now(), dry_run=True)
    assert dry.error is None and dry.queued == 0 and dry.recipients == [ORG_GROUP, "6281100000020"]
    assert dry.messages and await list_messages(pool) == []
    sent = await send_now(pool, settings, sub.id, clock.now())
    assert sent.queued == 2
    assert (await send_now(pool, settings, sub.id, clock.now())).queued == 0   # the same minute: nothing twice
    assert (await send_now(pool, settings, 999, clock.now())).error == "laporan terjadwal #999 tidak ada"


async def test_send_now_sends_a_switched_off_subscription_but_not_one_without_a_recipient(pool, clients, settings):
    now = wib(2026, 11, 25, 9)
    off = await add(pool, report="completeness_recap", client_id="POLRES_A", recipients=["group"])
    await set_active(pool, off.id, False, actor="cli:tester", now=now)
    assert (await send_now(pool, settings, off.id, now)).queued == 1      # by hand, switched off still goes
    bare = await add(pool, report="completeness_recap", client_id="POLRES_B", recipients=["group"])
    await set_active(pool, bare.id, False, actor="cli:tester", now=now)
    result = await send_now(pool, settings, bare.id, now)                  # off *and* nobody to send to
    assert result.error == "tidak bisa dikirim: client tidak punya grup" and result.queued == 0
    assert [m.recipient for m in await list_messages(pool)] == [ORG_GROUP]


async def test_the_tick_is_bounded_and_catches_up_only_within_the_window(pool, clients, settings):
    from core.reporting import LoggingReporter
    from handlers.reports.subscriptions import run_due

    tight = settings.model_copy(update={"reports": settings.reports.model_copy(
        update={"max_fires_per_tick": 1, "catch_up_minutes": 60})})
    early = await add(pool, report="completeness_recap", client_id="POLRES_A", times=["09:00", "10:30"],
                      now=wib(2026, 11, 25, 6))
    late = await add(pool, report="completeness_recap", client_id="DITBINMAS", times=["09:00"],
                     now=wib(2026, 11, 25, 9, 5))            # added after its 09:00: that slot is not its
    # the service comes back at 10:31: 09:00 is past the 60-minute window, 10:30 is due
    first = await run_due(pool, tight, wib(2026, 11, 25, 10, 31), LoggingReporter())
    assert (first.due, first.fired, first.deferred) == (1, 1, 0)
    fires = await pool.fetch("SELECT subscription_id, slot_at FROM report_fires")
    assert [(r["subscription_id"], r["slot_at"]) for r in fires] == [(early.id, wib(2026, 11, 25, 10, 30))]
    # next day two slots are due at 09:00; one per tick
    tick = await run_due(pool, tight, wib(2026, 11, 26, 9, 0), LoggingReporter())
    assert (tick.due, tick.fired, tick.deferred) == (2, 1, 1)
    tick = await run_due(pool, tight, wib(2026, 11, 26, 9, 1), LoggingReporter())
    assert (tick.due, tick.fired, tick.deferred) == (1, 1, 0)
    assert {r["subscription_id"] for r in await pool.fetch(
        "SELECT subscription_id FROM report_fires WHERE slot_at = $1", wib(2026, 11, 26, 9))} == {early.id, late.id}
