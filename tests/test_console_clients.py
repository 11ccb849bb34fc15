"""`klien`: list, change fields, (de)activate and summarise clients from WhatsApp, each change audited."""

from __future__ import annotations

import pytest

from core.clock import ManualClock
from db.audit import audit_rows
from db.clients import get_client
from tests.support.console_chat import ADMIN, console_chat
from tests.support.dirrequest_world import TODAY_NOON, build_world

GROUP = "120363011112222333@g.us"


@pytest.fixture
def clock():
    return ManualClock(TODAY_NOON)


async def test_list_and_summary(pool, settings, clock):
    await build_world(pool)
    await pool.execute(
        """INSERT INTO job_runs (job, phase, trigger, status, started_at, finished_at, clients)
           VALUES ('fetch_posts', 'post_fetch', 'schedule', 'ok', $1, $1, '{"DITBINMAS": {"ok": true}}')""",
        TODAY_NOON.replace(hour=13, minute=5))
    chat = await console_chat(pool, settings, clock)
    await chat.say("klien")
    (listing, _menu) = await chat.say("1")
    assert "🏢 *5 client*" in listing
    assert "• *DITBINMAS* — DIREKTORAT BINMAS (direktorat) · aktif · IG ✓ · TikTok ✓ · 0 grup" in listing
    await chat.say("5")
    summary = (await chat.say("ditbinmas"))[0]
    assert summary.startswith("📊 *Ringkasan DITBINMAS* — DIREKTORAT BINMAS")
    assert "Personel aktif: 5 (IG terisi 4, TikTok terisi 4)" in summary     # DITBINMAS's own personnel
    assert "Tugas hari ini: 2 post IG, 2 video TikTok" in summary
    assert "Pengambilan data terakhir: 25/11 pukul 13.05 WIB — ✅ sukses" in summary
    assert "Pengambilan data terakhir: belum pernah" in (await chat.walk("5", "POLRES_EMPTY"))[0]


async def test_change_fields_and_deactivate(pool, settings, clock):
    await build_world(pool)
    chat = await console_chat(pool, settings, clock)
    await chat.walk("klien", "3", "POLRES_A")
    assert (await chat.say("x"))[0].startswith("Pilihan tidak valid. Balas 1–9")
    assert "5. nomor operator" in (await chat.say("menu"))[0]
    assert "Saat ini: -" in (await chat.say("5"))[-1]
    assert (await chat.say("0812 3456 7890"))[0] == "✅ Nomor operator POLRES_A: - → 6281234567890"
    await chat.walk("3", "POLRES_A", "7")
    assert (await chat.say("https://chat.whatsapp.com/abc"))[0].startswith(
        "❌ grup tugas: 'https://chat.whatsapp.com/abc' adalah tautan undangan")
    assert (await chat.say(GROUP))[0] == f"✅ Grup tugas POLRES_A: - → {GROUP}"
    await chat.walk("3", "POLRES_A", "9")
    assert (await chat.say("POLRES_A"))[0].startswith("❌ parent: client tidak boleh menjadi parent dirinya sendiri")
    await chat.say("batal")
    assert "tidak ada pesan tugas" in (await chat.walk("klien", "4", "ditlantas"))[-1]
    assert (await chat.say("mungkin"))[0].startswith("Balas *ya* atau *tidak*.")
    assert (await chat.say("ya"))[0] == "✅ Client *DITLANTAS* sekarang nonaktif."
    client = await get_client(pool, "POLRES_A")
    assert (client.operator_phone, client.group_ids) == ("6281234567890", [GROUP])
    assert not (await get_client(pool, "DITLANTAS")).active
    rows = await audit_rows(pool, entity="client")
    assert [(r.action, r.entity_id, r.after) for r in rows] == [
        ("client.deactivate", "DITLANTAS", {"active": False}),
        ("client.update", "POLRES_A", {"group_ids": [GROUP]}),
        ("client.update", "POLRES_A", {"operator_phone": "6281234567890"}),
    ]
    assert {r.actor for r in rows} == {ADMIN}


async def test_adding_an_existing_client_is_refused_at_the_id(pool, settings, clock):
    await build_world(pool)
    chat = await console_chat(pool, settings, clock)
    await chat.walk("klien", "2")
    refused = (await chat.say("polres_a"))[0]
    assert refused.startswith("❌ Client POLRES_A sudah ada; pilih *Ubah data client*")
