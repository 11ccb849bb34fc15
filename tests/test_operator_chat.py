"""The operator menu (`oprrequest`) through the router and the fake gateway, as a Polres operator uses it."""

from __future__ import annotations

import pytest

from handlers.menus import TEXT_HINT
from db.audit import audit_rows
from db.clients import get_client, upsert_client
from db.exception_requests import pending_requests
from db.personnel import get_personnel
from tests.support.factories import Factory
from tests.support.self_service import OPERATOR_A, OPERATOR_B, self_service_world

MENU_HEAD = "📋 *Menu Operator*"


@pytest.fixture
async def world(pool, settings):
    async with self_service_world(pool, settings) as w:
        yield w


async def option(world, *texts, phone=OPERATOR_A) -> list[str]:
    """Type `texts` in turn; the replies to the last one, without the closing menu hint."""
    for text in texts[:-1]:
        await world.say(text, phone)
    replies = await world.say(texts[-1], phone)
    assert replies and replies[-1] == TEXT_HINT, "after every action: the one-line hint, not the whole menu"
    return replies[:-1]


async def test_an_operator_opens_the_menu_of_their_own_client(world):
    menu = await world.last("oprrequest", OPERATOR_A)
    assert menu.startswith(MENU_HEAD) and "Client: *POLRES A* (POLRES_A)" in menu
    for label in ("Absensi likes Instagram", "Rekap kelengkapan username", "Daftar personel tanpa username",
                  "Ambil data sekarang", "Daftar tugas hari ini", "Tambah personel", "Cek NRP"):
        assert label in menu
    assert "Ganti client" not in menu
    assert (await world.last("99", OPERATOR_A)).startswith("Pilihan tidak valid. Ketik angka menu.")
    assert (await world.last("³", OPERATOR_A)).startswith("Pilihan tidak valid.")
    assert (await world.last("9" * 5000, OPERATOR_A)).startswith("Pilihan tidak valid.")
    assert await world.last("batal", OPERATOR_A) == "✅ Menu Operator ditutup."
    assert MENU_HEAD in await world.last("menu", OPERATOR_A)  # the greeting opens it too
    await world.say("batal", OPERATOR_A)
    assert await world.last("dirrequest", OPERATOR_A) == "❌ Anda tidak memiliki akses ke perintah *dirrequest*."


async def test_recaps_tasks_and_the_manual_fetch(world):
    await world.say("oprrequest", OPERATOR_A)
    (empty,) = await option(world, "1", "1")
    assert "Belum ada konten Instagram dari akun resmi *POLRES A*" in empty
    fetched = await option(world, "6")
    assert fetched[0].startswith("⏳ Mengambil semua konten, likes & komentar *POLRES A*")
    assert "📋 *Daftar Tugas — POLRES A*" in fetched[1] and "Instagram: *2* unggahan" in fetched[1]
    (tasks,) = await option(world, "5")
    assert "📋 *Daftar Tugas — POLRES A*" in tasks and "TikTok: *1* video" in tasks
    (everyone,) = await option(world, "1", "1")
    assert "*Jumlah personel:* 3 pers" in everyone and "Melaksanakan lengkap: 1 pers" in everyone
    assert "BRIPDA BUDI — 2/2" in everyone and "AIPTU ANI — 1/2" in everyone
    (done,) = await option(world, "1", "2")
    assert "— Sudah melaksanakan*" in done and "BRIPDA BUDI — 2/2" in done and "AIPTU ANI — 1/2" in done
    assert "CICI" not in done
    (not_done,) = await option(world, "1", "3")
    assert "Belum mengisi username Instagram (1 pers):\n- IPDA CICI" in not_done
    assert "BUDI" not in not_done and "ANI" not in not_done
    (tiktok,) = await option(world, "2", "3")
    assert "Absensi Komentar TikTok — Belum melaksanakan" in tiktok and "AIPTU ANI" in tiktok
    (complete,) = await option(world, "3")
    assert "kelengkapan data personel *POLRES A*" in complete and "POLRES B" not in complete
    (missing,) = await option(world, "4")
    assert "IPDA CICI" in missing and "BRIPDA BUDI" not in missing and "DODI" not in missing
    # back from the mode choice returns to the main menu
    await world.say("2", OPERATOR_A)
    assert MENU_HEAD in await world.last("back", OPERATOR_A)


async def test_adding_a_person_validates_every_field_and_is_recorded(world, pool):
    await world.say("oprrequest", OPERATOR_A)
    await world.say("7", OPERATOR_A)
    assert (await world.last("12ab", OPERATOR_A)).startswith("❌ NRP harus berupa angka")
    assert "sudah terdaftar di *POLRES A*: BRIPDA BUDI" in await world.last("87001001", OPERATOR_A)
    assert "Ketik *Nama*" in await world.last("87003001", OPERATOR_A)
    assert "Nama harus berisi huruf" in await world.last("12345", OPERATOR_A)
    assert "tidak boleh diawali '='" in await world.last("=HYPERLINK()", OPERATOR_A)
    assert "Ketik *Pangkat*" in await world.last("eko  prasetyo", OPERATOR_A)
    assert "Pangkat 'KAPTEN' tidak dikenal" in await world.last("kapten", OPERATOR_A)
    assert "Ketik *Satfung*" in await world.last("Bripka", OPERATOR_A)
    assert "Ketik *Jabatan*" in await world.last("sat lantas", OPERATOR_A)
    summary = await world.last("-", OPERATOR_A)
    assert "Nama: EKO PRASETYO" in summary and "Pangkat: BRIPKA" in summary and "Jabatan: -" in summary
    saved = await world.say("ya", OPERATOR_A)
    assert saved[0].startswith("✅ BRIPKA EKO PRASETYO (NRP 87003001) ditambahkan ke *POLRES A*.")
    person = await get_personnel(pool, "87003001")
    assert (person.client_id, person.name, person.division, person.position) == (
        "POLRES_A", "EKO PRASETYO", "SAT LANTAS", None)
    (row,) = await audit_rows(pool, entity_id="87003001")
    assert (row.actor, row.channel, row.action) == (OPERATOR_A, "whatsapp", "personnel.create")


async def test_updating_fields_with_the_same_checks_as_personnel(world, pool):
    await world.say("oprrequest", OPERATOR_A)
    await world.say("8", OPERATOR_A)
    fields = await world.last("87001003", OPERATOR_A)
    assert "Ubah data *IPDA CICI*" in fields and "5. Instagram: -" in fields
    await world.say("5", OPERATOR_A)
    assert "sudah dipakai personel lain di *POLRES B*" in await world.last("@dodi", OPERATOR_A)
    changed = await world.say("instagram.com/cici.rahma", OPERATOR_A)
    assert changed[0] == "✅ Instagram IPDA CICI: - → cici.rahma."
    assert "Ubah data *IPDA CICI*" in changed[-1]
    await world.say("3", OPERATOR_A)
    await world.say("sat intelkam", OPERATOR_A)
    person = await get_personnel(pool, "87001003")
    assert (person.instagram, person.division) == ("cici.rahma", "SAT INTELKAM")
    actions = {r.action for r in await audit_rows(pool, entity_id="87001003")}
    assert actions == {"personnel.update_username", "personnel.update"}
    assert MENU_HEAD in await world.last("back", OPERATOR_A)


async def test_deactivation_takes_effect_in_the_next_recap(world, pool):
    await world.collect()
    await world.say("oprrequest", OPERATOR_A)
    (before,) = await option(world, "1", "1")
    assert "*Jumlah personel:* 3 pers" in before and "IPDA CICI" in before
    await world.say("9", OPERATOR_A)
    assert "saat ini *aktif*. Nonaktifkan?" in await world.last("87001003", OPERATOR_A)
    done = await world.say("ya", OPERATOR_A)
    assert done[0] == "✅ IPDA CICI (NRP 87001003) dinonaktifkan; tidak dihitung lagi dalam absensi."
    (after,) = await option(world, "1", "1")
    assert "*Jumlah personel:* 2 pers" in after and "CICI" not in after
    (row,) = await audit_rows(pool, entity_id="87001003")
    assert row.action == "personnel.deactivate" and row.after == {"active": False}
    # history is kept: the row stays, inactive, and can come back
    await world.say("9", OPERATOR_A)
    assert "saat ini *nonaktif*. Aktifkan kembali?" in await world.last("87001003", OPERATOR_A)
    await world.say("ya", OPERATOR_A)
    assert (await get_personnel(pool, "87001003")).active


async def test_check_nrp_and_request_an_exception(world, pool):
    await world.say("oprrequest", OPERATOR_A)
    (card,) = await option(world, "10", "87001001")
    assert "🔎 *Data Personel*" in card and "Instagram: @budi" in card and "Pengecualian: tidak" in card
    await world.say("11", OPERATOR_A)
    await world.say("87001001", OPERATOR_A)
    assert "minimal 5 karakter" in await world.last("ok", OPERATOR_A)
    (sent,) = await option(world, "Bertugas jaga malam, tidak sempat")
    assert sent.startswith("📨 Permintaan #") and "Admin akan memutuskan" in sent
    (request,) = await pending_requests(pool, ["POLRES_A"])
    assert (request.nrp, request.exception, request.requested_by) == ("87001001", True, OPERATOR_A)
    assert not (await get_personnel(pool, "87001001")).exception  # only an admin decides
    (again,) = await option(world, "11", "87001001", "Alasan yang sama lagi")
    assert again.startswith("ℹ️ Sudah ada permintaan pengecualian")
    (card,) = await option(world, "10", "87001001")
    assert "Permintaan pengecualian menunggu admin: tandai pengecualian" in card


async def test_an_operator_never_reaches_another_clients_personnel(world, pool):
    await world.say("oprrequest", OPERATOR_A)
    for number in ("10", "8", "9", "11"):
        await world.say(number, OPERATOR_A)
        assert (await world.last("87002001", OPERATOR_A)).startswith("❌ NRP 87002001 tidak ditemukan di *POLRES A*.")
        await world.say("back", OPERATOR_A)
    await world.say("7", OPERATOR_A)
    assert "sudah terdaftar di satker lain" in await world.last("87002001", OPERATOR_A)
    assert (await get_personnel(pool, "87002001")).client_id == "POLRES_B"
    assert await audit_rows(pool, entity_id="87002001") == []
    # the other operator sees only their own client
    assert "Client: *POLRES B*" in await world.last("oprrequest", OPERATOR_B)


async def test_several_clients_choose_first_and_lose_the_menu_with_the_role(world, pool):
    b = await get_client(pool, "POLRES_B")
    b.super_phones = [OPERATOR_A]
    await upsert_client(pool, b)
    choose = await world.last("oprrequest", OPERATOR_A)
    assert "1. POLRES_A - POLRES A" in choose and "2. POLRES_B - POLRES B" in choose
    assert "Client: *POLRES B*" in await world.last("polres_b", OPERATOR_A)
    menu = await world.last("12", OPERATOR_A)  # ganti client
    assert "Pilih *client*" in menu
    await world.say("2", OPERATOR_A)
    b.super_phones = []
    await upsert_client(pool, b)
    assert await world.last("10", OPERATOR_A) == "❌ Nomor Anda tidak lagi terdaftar sebagai operator client ini. Menu ditutup."


async def test_who_may_open_the_operator_menu(world, pool):
    f = Factory(pool)
    await f.dashboard_account("op_a", role="operator", whatsapp="6281277770000", client_ids=["POLRES_A"])
    await f.dashboard_account("dit", role="ditbinmas", whatsapp="6281288880000")
    assert "Client: *POLRES A*" in await world.last("oprrequest", "6281277770000")
    assert await world.last("oprrequest", "6281288880000") == "❌ Menu ini hanya untuk operator client yang terdaftar."
    admin = world.settings.whatsapp.admins[0]
    assert "Pilih *client*" in await world.last("oprrequest", admin)


async def test_a_super_admin_number_gets_the_operator_menu_of_its_client(world, pool):
    b = await get_client(pool, "POLRES_B")
    b.super_phones = ["6281255550000"]
    await upsert_client(pool, b)
    menu = await world.last("oprrequest", "6281255550000")
    assert "Client: *POLRES B*" in menu and "Ganti client" not in menu
    (card,) = await option(world, "10", "87002001", phone="6281255550000")
    assert "BRIPTU DODI" in card
