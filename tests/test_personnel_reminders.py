"""`notifwa on|off` and the personal reminders: once per slot, through the outbox, never to someone who is done."""

from __future__ import annotations

import pytest

from db.audit import audit_rows
from db.outbox import list_messages
from handlers.personnel.reminders import reminder_jobs
from jobs.outbox import OutboxSender
from tests.support.factories import Factory
from tests.support.self_service import BUDI_PHONE, CICI_PHONE, at, self_service_world


@pytest.fixture
async def world(pool, settings):
    async with self_service_world(pool, settings) as w:
        yield w


async def reminders(pool):
    return sorted((m.recipient, m.idempotency_key) for m in await list_messages(pool, limit=500)
                  if m.kind == "personnel_reminder")


def jobs_of(world, pool):
    return {job.cron: job for job in reminder_jobs(world.settings, pool, world.clock)}


async def test_notifwa_switches_reminders_and_is_recorded(world, pool):
    assert "*nonaktif*" in await world.last("notifwa", BUDI_PHONE)
    on = await world.last("notifwa on", BUDI_PHONE)
    assert on.startswith("🔔 Pengingat tugas *aktif*") and "pukul 17.05 dan 17.35 WIB" in on
    assert "*aktif*" in await world.last("notifwa", BUDI_PHONE)
    assert (await world.last("notifwa#off", BUDI_PHONE)).startswith("🔕 Pengingat tugas *nonaktif*")
    assert await world.last("notifwa kadang", BUDI_PHONE) == (
        "Ketik *notifwa on* untuk menyalakan atau *notifwa off* untuk mematikan pengingat tugas.")
    rows = await audit_rows(pool, entity_id="87001001")
    assert [(r.action, r.before, r.after) for r in reversed(rows)] == [
        ("personnel.reminders", {"reminders": False}, {"reminders": True}),
        ("personnel.reminders", {"reminders": True}, {"reminders": False})]
    # the menu option toggles the same setting
    await world.say("menu", BUDI_PHONE)
    assert (await world.say("6", BUDI_PHONE))[0].startswith("🔔 Pengingat tugas *aktif*")
    assert "notifwa" not in (await world.last("help", "6281299999999"))  # a stranger is refused, not helped


async def test_reminders_go_once_per_slot_and_never_to_someone_done(world, pool):
    await world.collect()
    for phone in (BUDI_PHONE, CICI_PHONE):
        await world.say("notifwa on", phone)
    jobs = jobs_of(world, pool)
    assert set(jobs) == {"5 17 * * *", "35 17 * * *"}
    first, second = jobs["5 17 * * *"], jobs["35 17 * * *"]

    run = await first.run(at(17, 5))
    assert (run.opted_in, run.queued, run.done) == (2, 1, 1)           # BUDI has done everything
    await first.run(at(17, 5))                                           # a repeated fire adds nothing
    assert await reminders(pool) == [(CICI_PHONE, "reminder:87001003:2026-11-25:17:05")]

    # what CICI receives, through the outbox and the gateway
    world.gateway.take()
    await OutboxSender(pool, world.gateway, world.settings, world.clock, world.reporter).drain_once()
    (text,) = world.gateway.texts(CICI_PHONE)
    assert text.startswith("⏰ *Pengingat tugas* — Rabu, 25 November 2026\nYth. IPDA CICI")
    assert "⚠️ Username Instagram Anda belum diisi" in text and "ketik *menu* lalu pilih *3*" in text
    assert "- https://www.instagram.com/p/IGA/" in text and "Ketik *notifwa off*" in text

    # CICI fills in her usernames and does everything before 17:35: no second reminder
    f = Factory(pool)
    await world.say("menu", CICI_PHONE)
    await world.say("3", CICI_PHONE)
    await world.say("cici.rahma", CICI_PHONE)
    await world.say("4", CICI_PHONE)
    await world.say("cici.tt", CICI_PHONE)
    await f.likes("IGB", ["cici.rahma"])
    await f.comments("7000000000000000001", ["cici.tt"])
    run = await second.run(at(17, 35))
    assert (run.queued, run.done) == (0, 2)
    assert len(await reminders(pool)) == 1


async def test_a_person_with_tasks_left_gets_the_second_slot_too_and_opted_out_people_nothing(world, pool):
    await world.collect()
    await world.say("notifwa on", CICI_PHONE)
    jobs = jobs_of(world, pool)
    await jobs["5 17 * * *"].run(at(17, 5))
    await jobs["35 17 * * *"].run(at(17, 35))
    assert await reminders(pool) == [(CICI_PHONE, "reminder:87001003:2026-11-25:17:05"),
                                     (CICI_PHONE, "reminder:87001003:2026-11-25:17:35")]
    await world.say("notifwa off", CICI_PHONE)
    world.clock.advance(days=1)
    await jobs["5 17 * * *"].run(at(17, 5).replace(day=26))
    assert len(await reminders(pool)) == 2


async def test_no_posts_today_means_no_reminder(world, pool):
    await world.say("notifwa on", CICI_PHONE)
    run = await jobs_of(world, pool)["5 17 * * *"].run(at(17, 5))
    assert (run.opted_in, run.queued) == (1, 0)
