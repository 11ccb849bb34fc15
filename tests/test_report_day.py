"""A simulated day of scheduled reports through the real service parts.

The `ScheduledJob` that `bot/app.py` gives the scheduler (`report_jobs`) runs
every minute of a `ManualClock` day from 06:00 to 21:00; the real
`OutboxSender` drains to a fake WhatsApp gateway after each tick. Along the
way WhatsApp is down for an hour (15:00–16:10), the service is down from
18:15 to 18:30 (the parts are built again, as after a restart) and, at 18:10,
two processes tick the same minute. Every default subscription whose report
exists fires once per time, to the right chats, and each chat receives its
reports in the order they were due.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest

from bot.adminlog import AdminLog
from bot.whatsapp.fake import FakeGateway
from core.clock import JAKARTA, ManualClock
from db.outbox import list_messages
from db.personnel import Personnel
from db.report_subscriptions import add_subscription, list_subscriptions
from handlers.reports.catalog import REPORTS, ReportSpec
from handlers.reports.subscriptions.recipients import resolve_recipients
from handlers.reports.subscriptions.status import inactive_reason
from handlers.reports.subscriptions.ticker import report_jobs
from handlers.reports.subscriptions.timing import Triggers
from jobs.outbox import OutboxSender
from tests.support.factories import Factory, wib

DAY = date(2026, 11, 25)
ADMIN = "6281100000001"
DIT = dict(group="120363000000000001@g.us", operator="6281100000010", supers=["6281100000011", "6281100000012"])
ORGS = {"POLRES_A": ("120363000000000002@g.us", "6281100000020"),
        "POLRES_B": ("120363000000000003@g.us", "6281100000030")}
WA_DOWN = (wib(2026, 11, 25, 15, 0), wib(2026, 11, 25, 16, 10))
SERVICE_DOWN = (wib(2026, 11, 25, 18, 15), wib(2026, 11, 25, 18, 30))
TWO_PROCESSES_AT = wib(2026, 11, 25, 18, 10)


async def build_world(pool) -> None:
    f = Factory(pool)
    await f.client("DITBINMAS", type="direktorat", group_ids=[DIT["group"]], operator_phone=DIT["operator"],
                   super_phones=DIT["supers"])
    for cid, (group, operator) in ORGS.items():
        await f.client(cid, group_ids=[group], operator_phone=operator, parent_id="DITBINMAS")
    await f.client("POLRES_NOGROUP", parent_id="DITBINMAS")       # listed inactive: nobody to send to
    people = []
    for cid in ("DITBINMAS", *ORGS):
        for i in range(3):
            name = f"{cid.lower()}{i}"
            people.append(Personnel(nrp=f"{70000000 + len(people) + 1}", name=f"ORANG {name.upper()}", client_id=cid,
                                    division="SAT BINMAS", instagram=f"ig_{name}", tiktok=f"tt_{name}",
                                    roles=["ditbinmas"]))
    await f.people(people)
    # POLRES_A and the directorate have posts today; POLRES_B has none (its recaps are skipped as empty)
    for cid in ("DITBINMAS", "POLRES_A"):
        await f.ig_post(f"IG_{cid}", client_id=cid, posted_at=wib(2026, 11, 25, 9))
        await f.tt_post(f"7{abs(hash(cid)) % 10 ** 18:018d}", client_id=cid, posted_at=wib(2026, 11, 25, 9))
        await f.likes(f"IG_{cid}", [f"ig_{cid.lower()}0", f"ig_{cid.lower()}1"])


class Service:
    """The report parts of one running service: the minute job and the outbox sender."""

    def __init__(self, pool, settings, clock, gateway):
        self.reporter = AdminLog(pool, settings, clock)
        (self.job,) = report_jobs(settings, pool, clock, self.reporter)
        self.sender = OutboxSender(pool, gateway, settings, clock, self.reporter)
        self.clock = clock

    async def minute(self) -> None:
        await self.job.run(self.clock.now())
        await self.sender.drain_once()


def minutes(start: datetime, end: datetime):
    at = start
    while at <= end:
        yield at
        at += timedelta(minutes=1)


async def delivered(pool, gateway) -> list[tuple[str, int, str, int]]:
    """(chat, subscription, slot, part) of every report message WhatsApp accepted, in sending order."""
    keys = {m.wa_message_id: m.idempotency_key for m in await list_messages(pool, limit=10_000) if m.kind == "report"}
    out = []
    for sent in gateway.sent:
        key = keys.get(sent.message_id)
        if key:
            _, sub, slot, chat, part = key.split(":")
            assert chat == sent.to
            out.append((chat, int(sub), slot, int(part)))
    return out


@pytest.fixture
def broken_report(monkeypatch):
    async def build(req):
        raise RuntimeError("data rusak")

    monkeypatch.setitem(REPORTS, "broken_report", ReportSpec("broken_report", "Laporan rusak", build))


async def test_a_day_of_scheduled_reports(pool, settings, broken_report):
    await build_world(pool)
    clock = ManualClock(datetime.combine(DAY, time(6, 0), tzinfo=JAKARTA))
    gateway = FakeGateway()
    service = Service(pool, settings, clock, gateway)
    await service.minute()                                          # the first tick seeds the defaults
    broken = await add_subscription(pool, report="broken_report", client_id="POLRES_A", recipients=["operators"],
                                    times=["12:00"], actor="cli:test", known_reports=REPORTS, now=clock.now())

    for at in minutes(wib(2026, 11, 25, 6, 1), wib(2026, 11, 25, 21, 0)):
        clock.set(at)
        gateway.set_connected(not WA_DOWN[0] <= at < WA_DOWN[1])
        if SERVICE_DOWN[0] <= at < SERVICE_DOWN[1]:
            continue
        if at == SERVICE_DOWN[1]:
            service = Service(pool, settings, clock, gateway)     # restarted: new parts, nothing in memory
        if at == TWO_PROCESSES_AT:
            other = Service(pool, settings, clock, gateway)
            mine, theirs = await asyncio.gather(service.job.run(at), other.job.run(at))
            assert (mine.due, theirs.due) == (2, 2)                 # both see the group's two 18:10 reports
            assert mine.fired + theirs.fired == 2 and mine.taken + theirs.taken == 2  # each queued by one
            await service.sender.drain_once()
            continue
        await service.minute()
        if at.time() == time(18, 20):                              # a repeated fire of the same minute
            await service.minute()

    # what should have gone: every active default (and the broken one) at each of its times that day
    subs = await list_subscriptions(pool)
    clients = {c: await _client(pool, c) for c in {s.client_id for s in subs}}
    triggers = Triggers(settings)
    expected: dict[tuple[int, str], tuple[str, ...]] = {}
    for s in subs:
        recipients = resolve_recipients(s.recipients, clients[s.client_id], settings)
        if inactive_reason(s, clients[s.client_id], recipients) is None:
            for slot in triggers.slots_between(s.times, wib(2026, 11, 25, 6, 0), wib(2026, 11, 25, 21, 0)):
                expected[(s.id, slot.strftime("%Y%m%dT%H%M"))] = recipients.chats
    fires = {(r["subscription_id"], r["slot_at"].astimezone(JAKARTA).strftime("%Y%m%dT%H%M")): r
             for r in await pool.fetch("SELECT * FROM report_fires")}
    assert set(fires) == set(expected)                             # every slot fired, once (primary key)
    late = {k for k, r in fires.items() if r["fired_at"] != r["slot_at"]}
    assert {k[1] for k in late} == {"20261125T1820", "20261125T1823"}  # caught up at 18:30 after the restart
    assert all(fires[k]["fired_at"] == wib(2026, 11, 25, 18, 30) for k in late)

    by_id = {s.id: s for s in subs}
    outcome = {k: r["outcome"] for k, r in fires.items()}
    assert outcome[(broken.id, "20261125T1200")] == "failed"
    empty = {by_id[k[0]].client_id for k, o in outcome.items() if o == "empty"}
    assert empty == {"POLRES_B"}                                   # no posts today: its group hears nothing
    assert set(outcome.values()) == {"queued", "empty", "failed"}

    sent = await delivered(pool, gateway)
    assert len(fires) >= 25 and len(sent) >= 25   # 25 slots with the reports in the catalog today
    assert len(sent) == len(set(sent))                             # nothing twice: restart, repeat, two processes
    got = defaultdict(set)
    for chat, sub, slot, _ in sent:
        got[(sub, slot)].add(chat)
    for key, o in outcome.items():
        assert got.get(key, set()) == (set(expected[key]) if o == "queued" else set()), (by_id[key[0]], key)
    for chat in {c for c, *_ in sent}:                              # each chat: in the order they were due
        mine = [(slot, sub, part) for c, sub, slot, part in sent if c == chat]
        assert mine == sorted(mine), chat

    # the right chats: the directorate group gets 21 + 22 at 15:20 and 18:10; its super-admins 6 and 9 at 18:20
    dit_group = {(by_id[s].report, slot[-4:]) for c, s, slot, _ in sent if c == DIT["group"]}
    assert dit_group == {(r, t) for r in ("combined_recap", "engagement_ranking_excel") for t in ("1520", "1810")}
    for leader in DIT["supers"]:
        reports = {by_id[s].report for c, s, slot, _ in sent if c == leader}
        assert {"ig_likes_simple", "tt_comments_simple"} <= reports
    assert {by_id[s].report for c, s, _, _ in sent if c == DIT["operator"]} == {"kasatker_report"}
    org_a = {(by_id[s].report, slot[-4:]) for c, s, slot, _ in sent if c == ORGS["POLRES_A"][0]}
    assert {("ig_likes_by_division", t) for t in ("1520", "1820", "2020")} <= org_a
    assert {(by_id[s].report, slot[-4:]) for c, s, slot, _ in sent if c == ADMIN} >= {
        ("completeness_recap", t) for t in ("0800", "1200", "1600")}
    # 15:20 was queued at 15:20, waited for WhatsApp and went once it came back at 16:10
    at_1520 = [m for m in await list_messages(pool, limit=10_000) if m.kind == "report" and ":20261125T1520:" in
               m.idempotency_key]
    assert at_1520 and all(m.created_at == wib(2026, 11, 25, 15, 20) and m.status == "sent"
                           and m.sent_at >= WA_DOWN[1] for m in at_1520)
    # the broken report told the admins once, and everything after it still ran
    errors = [m.text for m in gateway.sent if m.to == ADMIN and m.text and "gagal dibuat" in m.text]
    assert len(errors) == 1 and f"#{broken.id}" in errors[0] and "data rusak" in errors[0]


async def _client(pool, client_id):
    from db.clients import get_client

    return await get_client(pool, client_id)
