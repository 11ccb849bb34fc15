"""`akun`: dashboard accounts from WhatsApp — the password reaches only its holder, once; roles are checked;
and `dirrequest` shows a dashboard account only the directorates it may see (as the API does)."""

from __future__ import annotations

import json

import pytest

from core.clock import ManualClock
from core.passwords import verify_password
from db.audit import audit_rows
from db.dashboard_accounts import account_by_username, account_for_login
from tests.support.console_chat import ADMIN, console_chat
from tests.support.dirrequest_world import TODAY_NOON, build_world
from tests.support.factories import Factory

HOLDER = "6281255550000"


@pytest.fixture
def clock():
    return ManualClock(TODAY_NOON)


async def _stored_text(pool) -> str:
    """Everything a leaked password could sit in: audit rows, outbox bodies, menu sessions."""
    parts = []
    for table in ("audit_log", "outbox", "conversation_sessions", "dashboard_accounts"):
        parts += [json.dumps(dict(r), default=str) for r in await pool.fetch(f"SELECT * FROM {table}")]
    return "\n".join(parts)


async def test_an_account_is_created_and_its_password_sent_once_to_its_holder(pool, settings, clock):
    await build_world(pool)
    chat = await console_chat(pool, settings, clock)
    assert "2. Buat akun" in (await chat.say("akun"))[-1]
    await chat.walk("2", "op malang")
    assert (await chat.say("op malang"))[0].startswith("❌ username harus 3–64 karakter")
    await chat.walk("op_binmas", "0812-5555-0000")
    assert (await chat.say("operatr"))[0].startswith("❌ Peran 'operatr' tidak dikenal.")
    assert "1. admin\n2. operator\n3. bidhumas\n4. ditbinmas" in (await chat.say("menu"))[0]
    assert "ID client" in (await chat.say("4"))[-1]
    confirm = (await chat.say("DITBINMAS"))[-1]
    assert "Peran: ditbinmas" in confirm and "Client: DITBINMAS" in confirm and f"WhatsApp: {HOLDER}" in confirm
    done = await chat.say("ya")
    assert done[0] == ("✅ Akun *op_binmas* dibuat (peran ditbinmas, client DITBINMAS). "
                       f"Password dikirim sekali ke {HOLDER}.")

    (delivered,) = [m for m in chat.elsewhere if m.to == HOLDER]
    password = delivered.text.split("Password: ")[1].split("\n")[0]
    assert "Username: op_binmas" in delivered.text and len(password) == 14
    assert all(password not in reply for reply in done)
    _account, password_hash = await account_for_login(pool, "op_binmas")
    assert verify_password(password_hash, password)
    assert password not in await _stored_text(pool)
    (row,) = await audit_rows(pool, entity="dashboard_account")
    assert (row.action, row.actor, row.channel, row.before) == ("dashboard_account.create", ADMIN, "whatsapp", None)
    assert row.after == {"username": "op_binmas", "role": "ditbinmas", "whatsapp": HOLDER, "active": True,
                         "client_ids": ["DITBINMAS"]}

    # the holder now opens dirrequest and sees their directorate only
    menu = (await chat.say("dirrequest", phone=HOLDER))[-1]
    assert "DITBINMAS - DIREKTORAT BINMAS" in menu and "DITLANTAS" not in menu

    # a new password: the old one stops working, the audit row says only that it changed
    await chat.walk("6", "op_binmas")
    assert (await chat.say("ya"))[0] == f"✅ Password baru op_binmas dikirim ke {HOLDER}."
    newest = [m for m in chat.elsewhere if m.to == HOLDER][-1].text.split("Password: ")[1].split("\n")[0]
    _account, password_hash = await account_for_login(pool, "op_binmas")
    assert verify_password(password_hash, newest) and not verify_password(password_hash, password)
    assert (await audit_rows(pool, entity="dashboard_account"))[0].action == "dashboard_account.password"
    assert newest not in await _stored_text(pool)


async def test_disable_and_change_role_and_clients(pool, settings, clock):
    await build_world(pool)
    await Factory(pool).dashboard_account("dir", role="ditbinmas", whatsapp=HOLDER, client_ids=["DITBINMAS"])
    chat = await console_chat(pool, settings, clock)
    listing = (await chat.walk("akun", "1"))[0]
    assert "• *dir* — ditbinmas · client: DITBINMAS · WA: 6281255550000" in listing
    await chat.walk("4", "dir")
    assert (await chat.say("9"))[0].startswith("❌ Peran '9' tidak dikenal.")
    assert (await chat.say("ditlantas"))[0].startswith("✅ Disimpan. • *dir* — ditlantas")
    await chat.walk("5", "1")
    assert (await chat.say("POLRES_NOPE"))[0].startswith("❌ client tidak ditemukan: POLRES_NOPE")
    assert (await chat.say("-"))[0].startswith("❌ akun selain admin harus punya minimal satu client")
    assert "client: DITLANTAS" in (await chat.say("ditlantas"))[0]
    await chat.walk("3", "dir")
    assert "NONAKTIF" in (await chat.say("ya"))[0]
    assert not (await account_by_username(pool, "dir")).active
    # the disabled account's number is no longer known to the bot
    assert "tidak terdaftar" in (await chat.say("dirrequest", phone=HOLDER))[0]
    actions = [r.action for r in await audit_rows(pool, entity="dashboard_account")]
    assert actions == ["dashboard_account.deactivate", "dashboard_account.update", "dashboard_account.update"]


async def test_dirrequest_shows_an_out_of_scope_account_no_directorate_data(pool, settings, clock):
    await build_world(pool)
    f = Factory(pool)
    await f.client("POLRES_MALANG", name="POLRES MALANG")
    await f.dashboard_account("malang", role="ditbinmas", whatsapp=HOLDER, client_ids=["POLRES_MALANG"])
    chat = await console_chat(pool, settings, clock)
    replies = await chat.say("dirrequest", phone=HOLDER)
    assert replies == ["❌ Akun Anda tidak memiliki akses ke client direktorat mana pun. "
                       "Hubungi admin untuk menambahkan client ke akun Anda."]
    assert await chat.say("ditbinmas", phone=HOLDER) == [
        "🤖 Perintah tidak dikenali. Ketik *help* untuk melihat daftar perintah."]
    assert chat.elsewhere == []


async def test_a_directorate_taken_out_of_scope_mid_menu_is_no_longer_served(pool, settings, clock):
    await build_world(pool)
    await Factory(pool).dashboard_account("dir", role="ditbinmas", whatsapp=HOLDER, client_ids=["DITBINMAS"])
    chat = await console_chat(pool, settings, clock)
    await chat.walk("dirrequest", "1", phone=HOLDER)
    await chat.walk("akun", "5", "dir", "DITLANTAS", "batal")
    replies = await chat.say("1", phone=HOLDER)
    assert replies[0].startswith("⚠️ Client yang dipilih sudah tidak aktif atau tidak lagi diizinkan.")
    assert "DITLANTAS - DIREKTORAT LANTAS" in replies[-1] and "BINMAS" not in " ".join(replies)
