"""Personnel over WhatsApp through the router and the fake gateway: binding, my profile, cek tugas saya."""

from __future__ import annotations

import dataclasses

import pytest

from handlers.menus import TEXT_HINT
from bot.router import Router
from db.audit import Actor, audit_rows
from db.clients import get_client, upsert_client
from db.outbox import list_messages
from db.personnel import get_personnel
from handlers.identity import Role
from handlers.registry import all_commands
from jobs.personnel_changes import save_personnel
from tests.support.self_service import (
    BUDI_PHONE, CICI_PHONE, NEW_PHONE, OPERATOR_A, self_service_world,
)
from tests.support.chat import start_chat


@pytest.fixture
async def world(pool, settings):
    async with self_service_world(pool, settings) as w:
        yield w


# ---------------------------------------------------------------------------- recognised by number

async def test_a_personnel_number_gets_its_own_menu_and_nothing_else(world):
    menu = await world.last("menu", BUDI_PHONE)
    assert "👤 *Menu Personel*" in menu and "*BRIPDA BUDI* — POLRES A" in menu
    assert "tidak terdaftar sebagai admin" not in menu
    assert await world.last("batal", BUDI_PHONE) == "✅ Menu Personel ditutup."
    helped = await world.last("help", BUDI_PHONE)
    assert "*userrequest*" in helped and "*notifwa on|off*" in helped
    assert "dirrequest" not in helped and "oprrequest" not in helped
    assert await world.last("oprrequest", BUDI_PHONE) == "❌ Anda tidak memiliki akses ke perintah *oprrequest*."
    assert await world.last("dirrequest", BUDI_PHONE) == "❌ Anda tidak memiliki akses ke perintah *dirrequest*."
    await world.say("userrequest", BUDI_PHONE)
    profile = (await world.say("1", BUDI_PHONE))[0]
    assert "NRP: 87001001" in profile and "Instagram: @budi" in profile and "TikTok: @budi.tt" in profile


# ---------------------------------------------------------------------------- binding

async def test_binding_a_new_number_by_nrp_with_confirmation(world, pool):
    refusal = await world.last("apa ini", NEW_PHONE)
    assert "tidak terdaftar" in refusal and "ketik *daftar*" in refusal
    assert "ketik *NRP* Anda" in await world.last("daftar", NEW_PHONE)
    confirm = await world.last("87001002", NEW_PHONE)
    assert "Apakah ini Anda?" in confirm and "*AIPTU ANI*" in confirm and "Satker: POLRES A" in confirm
    assert (await world.last("mungkin", NEW_PHONE)).startswith("Balas *ya* atau *tidak*.")
    bound = await world.last("ya", NEW_PHONE)
    assert bound.startswith("✅ Nomor ini sekarang terhubung dengan *AIPTU ANI* (POLRES A).")
    assert (await get_personnel(pool, "87001002")).whatsapp == NEW_PHONE
    (row,) = await audit_rows(pool, entity_id="87001002")
    assert (row.actor, row.channel, row.action) == (NEW_PHONE, "whatsapp", "personnel.bind_whatsapp")
    assert row.before == {"whatsapp": None} and row.after == {"whatsapp": NEW_PHONE}
    assert "*AIPTU ANI* — POLRES A" in await world.last("menu", NEW_PHONE)


async def test_a_greeting_from_an_unknown_number_starts_the_binding(world):
    assert "ketik *NRP* Anda" in await world.last("Selamat pagi pak", NEW_PHONE)
    assert await world.last("batal", NEW_PHONE) == "✅ Pendaftaran nomor ditutup."


async def test_wrong_nrps_count_down_and_a_typo_does_not(world):
    await world.say("daftar", NEW_PHONE)
    assert (await world.last("87099999", NEW_PHONE)).startswith(
        "❌ NRP 87099999 tidak ditemukan di daftar personel aktif. Sisa percobaan: 4.")
    assert (await world.last("abc", NEW_PHONE)).startswith("❌ NRP harus berupa angka")
    # superscripts are not digits (other scripts' decimal digits are, since issue 18: `٣` is 3)
    assert (await world.last("³³³", NEW_PHONE)).startswith("❌ NRP harus berupa angka")
    assert "Sisa percobaan: 3." in await world.last("87088888", NEW_PHONE)
    # declining the person shown counts too: it was somebody else's NRP
    await world.say("87001002", NEW_PHONE)
    assert "Sisa percobaan: 2." in await world.last("tidak", NEW_PHONE)


async def test_five_wrong_nrps_lock_the_number_for_an_hour_even_across_a_restart(world, pool, settings):
    await world.say("daftar", NEW_PHONE)
    for nrp in ("91", "92", "93", "94"):
        await world.say(nrp, NEW_PHONE)
    locked = await world.last("95", NEW_PHONE)
    assert locked.startswith("🔒 Terlalu banyak percobaan NRP yang salah") and "pukul 15.05 WIB" in locked
    assert (await world.last("daftar", NEW_PHONE)).startswith("🔒")
    # a new router (a restarted service) still knows: the lock is in PostgreSQL
    restarted = Router(settings=world.settings, pool=pool, clock=world.clock, reporter=world.reporter,
                       gateway=world.gateway, commands=all_commands())
    await start_chat(world.gateway, restarted)
    world.clock.advance(minutes=59)
    assert (await world.last("daftar", NEW_PHONE)).startswith("🔒")
    world.clock.advance(minutes=2)
    assert "ketik *NRP* Anda" in await world.last("daftar", NEW_PHONE)
    assert "Apakah ini Anda?" in await world.last("87001002", NEW_PHONE)


async def test_a_second_binding_of_a_bound_nrp_is_refused_and_the_operator_told_once(world, pool):
    await world.say("daftar", NEW_PHONE)
    refused = await world.last("87001001", NEW_PHONE)
    assert refused.startswith("❌ NRP ini sudah terhubung dengan nomor WhatsApp lain. Operator *POLRES A*")
    assert "BRIPDA BUDI" not in refused  # the stranger learns nothing about the person
    assert (await get_personnel(pool, "87001001")).whatsapp == BUDI_PHONE
    await world.say("daftar", NEW_PHONE)
    await world.say("87001001", NEW_PHONE)
    told = [m for m in await list_messages(pool) if m.kind == "binding_refused"]
    assert len(told) == 1 and told[0].recipient == OPERATOR_A
    assert f"Nomor {NEW_PHONE} mencoba menautkan NRP 87001001 (BRIPDA BUDI)" in told[0].body
    assert f"terhubung dengan nomor {BUDI_PHONE}" in told[0].body


async def test_one_number_per_person_an_inactive_holder_gives_the_number_up(world, pool):
    from tests.support.factories import Factory
    await Factory(pool).person("87001009", client_id="POLRES_A", name="PENSIUN", whatsapp=NEW_PHONE, active=False)
    await world.say("daftar", NEW_PHONE)
    await world.say("87001002", NEW_PHONE)
    assert (await world.last("ya", NEW_PHONE)).startswith("✅")
    assert (await get_personnel(pool, "87001009")).whatsapp is None
    assert (await get_personnel(pool, "87001002")).whatsapp == NEW_PHONE
    (released,) = await audit_rows(pool, entity_id="87001009")
    assert released.action == "personnel.release_whatsapp"


# ---------------------------------------------------------------------------- my profile

async def test_username_update_by_profile_url_is_recorded(world, pool):
    await world.say("menu", BUDI_PHONE)
    assert "Kirim username Instagram Anda" in await world.last("3", BUDI_PHONE)
    assert "Itu tautan konten, bukan profil" in await world.last("https://www.instagram.com/p/IGA/", BUDI_PHONE)
    assert "Itu tautan TikTok, bukan Instagram" in await world.last("tiktok.com/@budi", BUDI_PHONE)
    assert "tidak valid" in await world.last("budi..baru", BUDI_PHONE)
    done = await world.say("https://www.instagram.com/Budi.Baru/?hl=id", BUDI_PHONE)
    assert done[0].startswith("✅ Username Instagram Anda sekarang *@budi.baru*.")
    assert done[-1] == TEXT_HINT
    assert (await get_personnel(pool, "87001001")).instagram == "budi.baru"
    (row,) = await audit_rows(pool, entity_id="87001001")
    assert (row.actor, row.channel, row.action) == (BUDI_PHONE, "whatsapp", "personnel.update_username")
    assert row.before == {"instagram": "budi"} and row.after == {"instagram": "budi.baru"}
    await world.say("4", BUDI_PHONE)
    assert "*@budi.tt2*" in (await world.say("tiktok.com/@budi.tt2", BUDI_PHONE))[0]


async def test_a_username_held_by_another_active_person_is_refused_naming_the_satker(world, pool):
    await world.say("menu", CICI_PHONE)
    await world.say("3", CICI_PHONE)
    same = await world.last("@budi", CICI_PHONE)
    assert same.startswith("❌ Username Instagram @budi sudah dipakai personel lain di *POLRES A*.")
    other = await world.last("dodi", CICI_PHONE)
    assert other.startswith("❌ Username Instagram @dodi sudah dipakai personel lain di *POLRES B*.")
    assert (await get_personnel(pool, "87001003")).instagram is None
    assert "Kirim username Instagram Anda" in other  # still asking


async def test_a_near_miss_of_a_recent_engager_is_offered(world, pool):
    await world.collect()  # cici.rahma liked IGA today
    await world.say("menu", CICI_PHONE)
    await world.say("3", CICI_PHONE)
    offer = await world.last("cici_rahma", CICI_PHONE)
    assert "Belum ada like/komentar dari *@cici_rahma*" in offer
    assert "1. Ya, pakai *@cici.rahma*" in offer and "2. Tidak, tetap pakai *@cici_rahma*" in offer
    assert (await world.last("7", CICI_PHONE)).startswith("Pilihan tidak valid. Balas angka 1 sampai 2.")
    assert (await world.say("1", CICI_PHONE))[0].startswith("✅ Username Instagram Anda sekarang *@cici.rahma*.")
    assert (await get_personnel(pool, "87001003")).instagram == "cici.rahma"
    # a name nobody near engaged with is taken as typed; keeping the typed one after an offer too
    await world.say("4", CICI_PHONE)
    assert (await world.say("cici.tt", CICI_PHONE))[0].startswith("✅ Username TikTok Anda sekarang *@cici.tt*.")


async def test_changing_the_whatsapp_number_moves_the_menu_to_the_new_number(world, pool):
    await world.say("menu", CICI_PHONE)
    await world.say("5", CICI_PHONE)
    assert "sudah terdaftar untuk personel lain di *POLRES A*" in await world.last("0813-0000-0001", CICI_PHONE)
    assert "Ganti nomor WhatsApp Anda menjadi *6281399990001*?" in await world.last("081399990001", CICI_PHONE)
    moved = await world.last("ya", CICI_PHONE)
    assert moved.startswith("✅ Nomor WhatsApp Anda sekarang *6281399990001*.")
    assert (await get_personnel(pool, "87001003")).whatsapp == NEW_PHONE
    assert "*IPDA CICI*" in await world.last("menu", NEW_PHONE)
    assert "ketik *NRP* Anda" in await world.last("menu", CICI_PHONE)  # the old number is a stranger now


# ---------------------------------------------------------------------------- cek tugas saya

async def test_cek_tugas_before_and_after_a_fetch(world):
    await world.say("menu", BUDI_PHONE)
    before = await world.say("2", BUDI_PHONE)
    assert "Belum ada konten Instagram maupun TikTok dari akun resmi *POLRES A* hari ini." in before[0]
    await world.collect()
    after = (await world.say("2", BUDI_PHONE))[0]
    assert "Data likes/komentar terakhir diambil pukul 14.05 WIB." in after
    instagram = after.split("*Instagram*")[1].split("*TikTok*")[0]
    assert "Jumlah konten: 2" in instagram and "Konten dikerjakan: 2" in instagram
    assert "1. ✅ https://www.instagram.com/p/IGA/" in instagram and "2. ✅ https://www.instagram.com/p/IGB/" in instagram
    assert f"1. ✅ https://www.tiktok.com/@polresa/video/{'7000000000000000001'}" in after
    assert "✅ Semua tugas hari ini sudah tercatat." in after


async def test_cek_tugas_tells_a_person_without_usernames_exactly_what_to_set(world):
    await world.collect()
    await world.say("menu", CICI_PHONE)
    text = (await world.say("2", CICI_PHONE))[0]
    assert "⚠️ Username Instagram Anda belum diisi" in text and "pilih *3* di menu ini" in text
    assert "⚠️ Username TikTok Anda belum diisi" in text and "pilih *4* di menu ini" in text
    assert "tiktok.com/@budi.santoso" in text
    assert "✅ Semua tugas" not in text


# ---------------------------------------------------------------------------- identity and menus that outlive a role

async def test_identity_of_a_personnel_number(world, pool):
    identity = await world.router.resolve_identity(world.gateway.message("x", phone="0813-0000-0001"))
    assert identity.roles == {Role.PERSONNEL} and identity.known
    assert (identity.personnel_nrp, identity.personnel_client_id) == ("87001001", "POLRES_A")
    stranger = await world.router.resolve_identity(world.gateway.message("x", phone=NEW_PHONE))
    assert stranger.roles == {Role.UNREGISTERED} and not stranger.known
    b = await get_client(pool, "POLRES_A")
    b.active = False
    await upsert_client(pool, b)
    gone = await world.router.resolve_identity(world.gateway.message("x", phone=BUDI_PHONE))
    assert gone.roles == {Role.UNREGISTERED}


async def test_a_menu_opened_in_a_role_closes_when_the_role_is_gone(world, pool):
    assert "Menu Operator" in await world.last("oprrequest", OPERATOR_A)
    a = await get_client(pool, "POLRES_A")
    a.operator_phone = None
    await upsert_client(pool, a)
    refused = await world.last("3", OPERATOR_A)  # no recap for a number that is no operator any more
    assert refused.startswith("❌ Maaf, nomor Anda tidak terdaftar")
    await world.say("menu", BUDI_PHONE)
    await save_personnel(pool, Actor("test", "cli"),
                         [dataclasses.replace(await get_personnel(pool, "87001001"), active=False)],
                         action="personnel.deactivate")
    (refused,) = await world.say("1", BUDI_PHONE)  # a deactivated person's open menu shows nothing more
    assert refused.startswith("❌ Maaf, nomor Anda tidak terdaftar") and "NRP: 87001001" not in refused


async def test_the_binding_survives_a_restart_between_nrp_and_confirmation(world, pool):
    await world.say("daftar", NEW_PHONE)
    await world.say("87001002", NEW_PHONE)
    restarted = Router(settings=world.settings, pool=pool, clock=world.clock, reporter=world.reporter,
                       gateway=world.gateway, commands=all_commands())
    await start_chat(world.gateway, restarted)
    assert (await world.last("ya", NEW_PHONE)).startswith("✅ Nomor ini sekarang terhubung dengan *AIPTU ANI*")
