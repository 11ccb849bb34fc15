"""Onboarding a Polres entirely from WhatsApp: `klien` adds the client, `grup` registers its group,
a collection run then sends the task list there; every step is in the audit log."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from bot.collection import open_collector
from bot.inbound import Outcome
from core.clock import JAKARTA, ManualClock
from db.audit import audit_rows
from db.clients import Client, get_client, upsert_client
from jobs.outbox import OutboxSender
from tests.support.console_chat import ADMIN, console_chat
from tests.support.fetch_env import fetch_settings
from handlers.menus import TEXT_HINT
from tests.support.recording_reporter import RecordingReporter

GROUP = "120363099900000001@g.us"
OPERATOR = "6281200000002"


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 25, 12, 0, tzinfo=JAKARTA))


async def test_grup_in_a_group_tells_id_and_name_and_offers_registration(pool, settings, clock):
    chat = await console_chat(pool, settings, clock)
    chat.gateway.group_names[GROUP] = "Tugas Polres Baru"
    (reply,) = await chat.say("grup", chat=GROUP, group=True)
    assert "Nama: Tugas Polres Baru" in reply and f"ID: {GROUP}" in reply
    assert "belum terdaftar" in reply and "*grup tugas CLIENT*" in reply and "*grup log*" in reply
    (alias,) = await chat.say("thisgroup", chat=GROUP, group=True)
    assert f"ID: {GROUP}" in alias


async def test_grup_is_refused_in_a_private_chat_and_silent_for_non_admins(pool, settings, clock):
    await upsert_client(pool, Client(id="POLRES_A", name="Polres A", type="org", operator_phone=OPERATOR))
    chat = await console_chat(pool, settings, clock)
    (private,) = await chat.say("grup")
    assert "dipakai di dalam grup" in private
    assert await chat.say("grup", phone=OPERATOR) == ["❌ Anda tidak memiliki akses ke perintah *grup*."]
    assert await chat.say("grup tugas POLRES_A", phone=OPERATOR, chat=GROUP, group=True) == []
    assert chat.last_outcome is Outcome.GROUP and chat.elsewhere == []
    assert (await get_client(pool, "POLRES_A")).group_ids == []


async def test_grup_log_makes_the_group_receive_the_admin_log(pool, settings, clock):
    from bot.adminlog import AdminLog

    chat = await console_chat(pool, settings, clock)
    chat.gateway.group_names[GROUP] = "Log Cicero"
    assert await chat.say("grup log", chat=GROUP, group=True) == ["✅ Grup ini sekarang menerima log admin."]
    assert await chat.say("grup log", chat=GROUP, group=True) == ["ℹ️ Grup ini sudah menerima log admin."]
    await AdminLog(pool, settings, clock).error("RapidAPI kuota habis")
    recipients = {r["recipient"] for r in await pool.fetch("SELECT recipient FROM outbox WHERE kind = 'admin_log'")}
    assert recipients == {ADMIN, GROUP}
    assert await chat.say("grup lepas log", chat=GROUP, group=True) == ["✅ Grup ini tidak lagi menerima log admin."]
    actions = [r.action for r in await audit_rows(pool, entity="admin_log_group")]
    assert actions == ["admin_log_group.remove", "admin_log_group.add"]


async def test_a_new_polres_is_onboarded_from_whatsapp_and_its_group_gets_the_task_list(pool, database_url, clock,
                                                                                       tmp_path):
    from jobs.sources.fake_rapidapi import FakeAccount, FakePost, FakeRapidApi, Scenario

    day = clock.now().date()
    fake = FakeRapidApi(Scenario(accounts=[FakeAccount("instagram", "polresbaru", posts=[
        FakePost("IGBARU1", datetime.combine(day, time(9), tzinfo=JAKARTA), "Patroli", engagers=["budi"]),
    ])]))
    await fake.start()
    try:
        s = fetch_settings(database_url, fake.base_url, tmp_path, api={"backoff_base_seconds": 0},
                           whatsapp={"admins": [ADMIN], "send_interval_seconds": 0})
        async with open_collector(s, pool, clock, RecordingReporter()) as collector:
            chat = await console_chat(pool, s, clock, collection=collector.collect)
            menu = await chat.say("klien")
            assert "1. Daftar client" in menu[-1] and "2. Tambah client" in menu[-1]
            assert "ID client" in (await chat.say("2"))[-1]
            assert "sudah ada" not in (await chat.say("polres_baru"))[-1]
            refused = (await chat.say("=HYPERLINK(x)"))[-1]          # the name is checked as the CLI checks it
            assert refused.startswith("❌ nama tidak boleh diawali '=': '=HYPERLINK(x)'\n\n(1/6) Ketik *nama*")
            assert "(3/6) Ketik *akun Instagram*" in (await chat.walk("Polres Baru", "1"))[-1]
            await chat.walk("@PolresBaru", "-")
            (again,) = await chat.say("12")                             # asked again, with the reason
            assert again.startswith("❌ nomor operator: nomor tidak valid: '12'") and "(5/6)" in again
            await chat.say("0812-0000-9999")
            summary = (await chat.say("0813 1111 2222, 0813 3333 4444"))[-1]
            assert "ID: POLRES_BARU" in summary and "Instagram: polresbaru" in summary and "TikTok: -" in summary
            assert "Super-admin: 6281311112222, 6281333334444" in summary
            done = await chat.say("ya")
            assert done[0].startswith("✅ Client *POLRES_BARU* (Polres Baru) ditambahkan")
            assert done[-1] == TEXT_HINT                 # back at the client menu
            await chat.say("batal")
            client = await get_client(pool, "POLRES_BARU")
            assert client.operator_phone == "6281200009999" and client.instagram == "polresbaru"

            chat.gateway.group_names[GROUP] = "Tugas Polres Baru"
            (registered,) = await chat.say("grup tugas polres_baru", chat=GROUP, group=True)
            assert registered.startswith("✅ Grup ini sekarang grup tugas *POLRES_BARU*")
            assert (await get_client(pool, "POLRES_BARU")).group_ids == [GROUP]

            report = (await chat.say("fetch POLRES_BARU"))[-1]
            assert "POLRES_BARU: IG 1 post" in report
        sender = OutboxSender(pool, chat.gateway, s, clock, RecordingReporter())
        await sender.drain_once()
    finally:
        await fake.stop()
    to_group = chat.gateway.texts(GROUP)
    assert to_group and any("instagram.com/p/IGBARU1" in t for t in to_group)

    rows = await audit_rows(pool, client_id="POLRES_BARU")
    assert [(r.action, r.actor, r.channel) for r in rows] == [
        ("client.group_add", ADMIN, "whatsapp"), ("client.create", ADMIN, "whatsapp")]
    assert rows[0].before == {"group_ids": []} and rows[0].after == {"group_ids": [GROUP]}
