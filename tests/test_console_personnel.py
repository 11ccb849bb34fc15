"""`personel`: exceptions with a reason, operators' exception requests, (de)activation, moves — scoped."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.clock import JAKARTA, ManualClock
from db.audit import audit_rows
from db.clients import Client, upsert_client
from db.exception_requests import get_request, open_request
from db.personnel import Personnel, get_personnel, upsert_personnel
from tests.support.console_chat import ADMIN, console_chat

OPERATOR = "6281200000002"
SUPER_A = "6281377770000"


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 25, 10, 0, tzinfo=JAKARTA))


@pytest.fixture
async def world(pool):
    await upsert_client(pool, Client(id="POLRES_A", name="Polres A", type="org", operator_phone=OPERATOR,
                                     super_phones=[SUPER_A]))
    await upsert_client(pool, Client(id="POLRES_B", name="Polres B", type="org"))
    await upsert_personnel(pool, [
        Personnel(nrp="87001001", name="ANI", client_id="POLRES_A", rank="BRIPKA"),
        Personnel(nrp="87001002", name="BUDI", client_id="POLRES_A"),
        Personnel(nrp="87002001", name="CITRA", client_id="POLRES_B"),
    ])


async def test_mark_and_unmark_an_exception_with_a_reason(pool, settings, clock, world):
    chat = await console_chat(pool, settings, clock)
    menu = (await chat.say("personel"))[-1]
    assert "1. Tandai pengecualian" in menu and "3. Permintaan pengecualian (0 menunggu)" in menu
    assert "6. Pindahkan ke client lain" in menu
    (shown,) = await chat.walk("1", "87001001")
    assert shown.startswith("👤 BRIPKA ANI (NRP 87001001, POLRES_A) — pengecualian: tidak · aktif: ya\nKetik *alasan*")
    assert (await chat.say("-"))[0].startswith("❌ Alasan wajib diisi.\n\n👤 BRIPKA ANI")
    saved = await chat.say("Cuti melahirkan sampai 30/06")
    assert saved[0] == "✅ Disimpan. 👤 BRIPKA ANI (NRP 87001001, POLRES_A) — pengecualian: ya · aktif: ya"
    assert (await get_personnel(pool, "87001001")).exception is True
    (row,) = await audit_rows(pool, entity="personnel", entity_id="87001001")
    assert (row.action, row.actor, row.channel, row.before, row.after, row.note) == (
        "personnel.exception", ADMIN, "whatsapp", {"exception": False}, {"exception": True},
        "Cuti melahirkan sampai 30/06")
    again = await chat.walk("1", "87001001", "lagi")
    assert again[0] == "ℹ️ Tidak ada yang berubah: data personel sudah seperti itu."
    await chat.walk("2", "87001001", "Sudah kembali dinas")
    assert (await get_personnel(pool, "87001001")).exception is False


async def test_an_operators_request_is_approved_and_the_operator_is_told(pool, settings, clock, world):
    request = await open_request(pool, nrp="87001002", client_id="POLRES_A", exception=True, reason="dinas luar",
                                 requested_by=OPERATOR, at=clock.now())
    chat = await console_chat(pool, settings, clock)
    assert "(1 menunggu)" in (await chat.say("personel"))[-1]
    listing = (await chat.say("3"))[-1]
    assert "1. tandai pengecualian: BUDI (NRP 87001002, POLRES_A)" in listing
    assert f"alasan: dinas luar — dari {OPERATOR}, 25/11 pukul 10.00 WIB" in listing
    assert "1. Setujui" in (await chat.say("1"))[-1]
    decided = await chat.say("1")
    assert decided[0].startswith(f"✅ Permintaan #{request.id} disetujui; {OPERATOR} diberi tahu.")
    assert "Tidak ada permintaan pengecualian yang menunggu" in decided[-1]
    assert (await get_personnel(pool, "87001002")).exception is True
    assert (await get_request(pool, request.id)).decided_by == ADMIN
    notice = await pool.fetchrow("SELECT recipient, body FROM outbox WHERE kind = 'exception_decision'")
    assert notice["recipient"] == OPERATOR and "BUDI (NRP 87001002) ✅ *disetujui*" in notice["body"]
    actions = [r.action for r in await audit_rows(pool, client_id="POLRES_A")]
    assert actions == ["personnel.exception", "exception_request.approve"]


async def test_a_refused_request_changes_nothing_but_is_recorded(pool, settings, clock, world):
    request = await open_request(pool, nrp="87001002", client_id="POLRES_A", exception=True, reason="x",
                                 requested_by=OPERATOR, at=clock.now())
    chat = await console_chat(pool, settings, clock)
    await chat.walk("personel", "3", "1")
    assert (await chat.say("2"))[0].startswith(f"✅ Permintaan #{request.id} ditolak")
    assert (await get_personnel(pool, "87001002")).exception is False
    assert [r.action for r in await audit_rows(pool, client_id="POLRES_A")] == ["exception_request.refuse"]


async def test_a_super_admin_reaches_only_their_own_client(pool, settings, clock, world):
    await open_request(pool, nrp="87002001", client_id="POLRES_B", exception=True, reason="b", requested_by="x",
                       at=clock.now())
    chat = await console_chat(pool, settings, clock)
    menu = (await chat.say("personel", phone=SUPER_A))[-1]
    assert "(0 menunggu)" in menu and "Pindahkan" not in menu           # POLRES_B's request is not theirs
    refused = await chat.walk("4", "87002001", phone=SUPER_A)
    assert refused[0].startswith("❌ Personel dengan NRP 87002001 tidak ditemukan di client Anda.")
    await chat.say("87001002", phone=SUPER_A)
    assert (await chat.say("pensiun", phone=SUPER_A))[0].endswith("aktif: tidak")
    assert (await get_personnel(pool, "87001002")).active is False and (await get_personnel(pool, "87002001")).active
    assert await chat.say("batal", phone=SUPER_A) == ["✅ Menu Personel ditutup."]
    assert await chat.say("klien", phone=SUPER_A) == ["❌ Anda tidak memiliki akses ke perintah *klien*."]
    assert await chat.say("personel", phone=OPERATOR) == ["❌ Anda tidak memiliki akses ke perintah *personel*."]
    history = (await chat.say("riwayat", phone=SUPER_A))[0]
    assert "personnel.deactivate 87001002 [POLRES_A]: active: ya → tidak — pensiun" in history
    assert await chat.say("riwayat POLRES_B", phone=SUPER_A) == ["❌ Client *POLRES_B* di luar kewenangan Anda."]


async def test_an_admin_moves_a_person_to_another_client(pool, settings, clock, world):
    chat = await console_chat(pool, settings, clock)
    await chat.walk("personel", "6", "87001001")
    assert (await chat.say("POLRES_NOPE"))[0].startswith("❌ Client POLRES_NOPE tidak ditemukan.\n\n👤 BRIPKA ANI")
    moved = await chat.say("polres_b")
    assert moved[0].startswith("✅ Dipindahkan dari POLRES_A ke POLRES_B.")
    assert (await get_personnel(pool, "87001001")).client_id == "POLRES_B"
    (row,) = await audit_rows(pool, entity_id="87001001")
    assert (row.action, row.before, row.after) == ("personnel.move", {"client_id": "POLRES_A"},
                                                   {"client_id": "POLRES_B"})
    await chat.say("batal")
    history = (await chat.say("riwayat"))[0]
    assert "personnel.move 87001001 [POLRES_B]: client_id: POLRES_A → POLRES_B" in history and f"{ADMIN} (WA)" in history
