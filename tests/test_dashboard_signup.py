"""Dashboard accounts end to end: register → WhatsApp approval (`ya ID` / `tidak ID`) → login, and a forgotten
password → code on WhatsApp → new password; through the HTTP API, the outbox and the fake gateway."""

from __future__ import annotations

import re
import pytest

from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from db.audit import audit_rows
from db.dashboard_accounts import create_account
from bot.api.security import hash_password
from handlers.registry import all_commands
from tests.support.api import KEDIRI_OPERATOR, PASSWORD, build_world
from tests.support.chat import start_chat
from tests.support.pages import deliver_outbox
from tests.support.recording_reporter import RecordingReporter

pytest_plugins = ["tests.support.page_fixtures"]  # the clock and http fixtures

ADMIN = "6281100000001"
APPLICANT = "6281234500099"
NEW_PASSWORD = "sandi-baru-2025"


@pytest.fixture
async def world(pool):
    await build_world(pool)
    return pool


@pytest.fixture
async def chat(world, settings, clock):
    gateway = FakeGateway()
    router = Router(settings=settings, pool=world, clock=clock, reporter=RecordingReporter(), gateway=gateway,
                    commands=all_commands())
    await start_chat(gateway, router)
    return gateway


def replies(gateway: FakeGateway, phone: str = ADMIN) -> list[str]:
    return gateway.texts(f"{phone}@s.whatsapp.net")


REGISTRATION = {"username": "op_blitar", "password": PASSWORD, "confirmPassword": PASSWORD,
                "whatsapp": "0812-3450-0099", "role": "OPERATOR", "client_id": "POLRES_BLITAR"}


async def login(http, username: str, password: str):
    return await http.post("/api/auth/dashboard-login", json={"username": username, "password": password})


async def test_register_then_approve_in_whatsapp_then_login(http, chat, world, settings, clock):
    r = await http.post("/api/auth/dashboard-register", json=REGISTRATION)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["success"] is True and body["status"] is False and "persetujuan" in body["message"]
    assert body["data"]["client_ids"] == ["POLRES_BLITAR"] and body["data"]["role"] == "operator"
    refused = await login(http, "op_blitar", PASSWORD)
    assert refused.status_code == 403 and refused.json()["reason"] == "inactive_account"

    sent = await deliver_outbox(world, settings, clock)
    assert [m.to for m in sent] == [ADMIN]
    request = sent[0].text
    reg_id = re.search(r"\*ya (\d+)\*", request).group(1)
    assert "op_blitar" in request and "POLRES_BLITAR" in request and "6281234500099" in request

    await chat.inject(f"ya {reg_id}", phone=ADMIN)
    assert "disetujui dan aktif" in replies(chat)[-1]
    told = await deliver_outbox(world, settings, clock)
    assert [m.to for m in told] == [APPLICANT] and "sudah disetujui" in told[0].text
    ok = await login(http, "op_blitar", PASSWORD)
    assert ok.status_code == 200 and ok.json()["user"]["client_id"] == "POLRES_BLITAR"

    await chat.inject(f"ya {reg_id}", phone=ADMIN)
    assert "sudah disetujui oleh 6281100000001" in replies(chat)[-1]
    assert await deliver_outbox(world, settings, clock) == []          # the applicant is told once
    actions = [a.action for a in await audit_rows(world, entity="dashboard_account", entity_id="op_blitar")]
    assert actions == ["dashboard_account.activate", "dashboard_account.create"]


async def test_refusal_keeps_the_account_inactive_and_tells_the_applicant(http, chat, world, settings, clock):
    r = await http.post("/api/auth/dashboard-register", json=REGISTRATION)
    reg_id = r.json()["data"]["registration_id"]
    await deliver_outbox(world, settings, clock)
    await chat.inject(f"tidak {reg_id}", phone=ADMIN)
    assert "ditolak" in replies(chat)[-1]
    told = await deliver_outbox(world, settings, clock)
    assert [m.to for m in told] == [APPLICANT] and "ditolak" in told[0].text
    assert (await login(http, "op_blitar", PASSWORD)).status_code == 403
    await chat.inject(f"ya {reg_id}", phone=ADMIN)
    assert "sudah ditolak" in replies(chat)[-1]
    assert (await login(http, "op_blitar", PASSWORD)).status_code == 403


async def test_only_admins_answer_and_bad_ids_get_the_format(http, chat, world, settings, clock):
    r = await http.post("/api/auth/dashboard-register", json=REGISTRATION)
    reg_id = r.json()["data"]["registration_id"]
    await chat.inject(f"ya {reg_id}", phone=KEDIRI_OPERATOR)           # an operator, not an admin
    assert "tidak memiliki akses" in replies(chat, KEDIRI_OPERATOR)[-1]
    for text in ("ya", "ya satu", "ya ١٢", "ya 1234567890123", f"ya {reg_id} {reg_id}"):
        await chat.inject(text, phone=ADMIN)
        assert replies(chat)[-1].startswith("Format: *ya ID*"), text
    await chat.inject("ya 999", phone=ADMIN)
    assert "#999 tidak ditemukan" in replies(chat)[-1]
    await chat.inject("pendaftaran", phone=ADMIN)
    assert f"*ya {reg_id}*" in replies(chat)[-1]
    assert (await login(http, "op_blitar", PASSWORD)).status_code == 403


async def test_registration_is_validated_and_limited(http, world, settings):
    cases = [
        ({**REGISTRATION, "role": "admin"}, 422, "admin"),
        ({**REGISTRATION, "whatsapp": None}, 422, "WhatsApp"),
        ({**REGISTRATION, "confirmPassword": "lain-sekali"}, 422, "Konfirmasi"),
        ({**REGISTRATION, "client_id": "POLRES_ANTAH"}, 422, "POLRES_ANTAH"),
        ({**REGISTRATION, "client_id": None}, 422, "client"),
        ({**REGISTRATION, "password": "pendek"}, 422, "password"),
        ({**REGISTRATION, "username": "ada spasi"}, 422, "username"),
    ]
    for body, status, word in cases:
        r = await http.post("/api/auth/dashboard-register", json=body)
        assert r.status_code == status and word in r.json()["message"], (body, r.text)
    assert await world.fetchval("SELECT count(*) FROM dashboard_accounts") == 0
    assert (await http.post("/api/auth/dashboard-register", json=REGISTRATION)).status_code == 201
    assert (await http.post("/api/auth/dashboard-register", json=REGISTRATION)).status_code == 409
    directorate = await http.post("/api/auth/dashboard-register",
                                  json={**REGISTRATION, "username": "binmas2", "role": "ditbinmas", "client_id": None})
    assert directorate.status_code == 201 and directorate.json()["data"]["client_ids"] == ["DITBINMAS"]
    for i in range(3):
        ok = await http.post("/api/auth/dashboard-register", json={**REGISTRATION, "username": f"op_{i}"})
        assert ok.status_code == 201
    limited = await http.post("/api/auth/dashboard-register", json={**REGISTRATION, "username": "op_spam"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


# --------------------------------------------------------------------------- password reset

@pytest.fixture
async def account(world):
    return await create_account(world, username="op_kediri", password_hash=hash_password(PASSWORD), role="operator",
                                whatsapp="6281234500077", client_ids=["POLRES_KEDIRI"])


def code_of(sent) -> str:
    return re.search(r"Kode reset: \*(\d+-\d{6})\*", sent[-1].text).group(1)


async def request_code(http, world, settings, clock, contact="0812 3450 0077") -> str:
    r = await http.post("/api/auth/dashboard-password-reset/request",
                        json={"username": "OP_KEDIRI", "contact": contact})
    assert r.status_code == 200 and r.json()["success"] is True
    sent = await deliver_outbox(world, settings, clock)
    assert [m.to for m in sent] == ["6281234500077"]
    return code_of(sent)


async def confirm(http, token: str, password: str = NEW_PASSWORD):
    return await http.post("/api/auth/dashboard-password-reset/confirm",
                           json={"token": token, "password": password, "confirmPassword": password,
                                 "password_confirmation": password})


async def test_reset_request_then_confirm_sets_the_new_password(http, world, settings, clock, account):
    token = await request_code(http, world, settings, clock)
    r = await confirm(http, token)
    assert r.status_code == 200 and r.json()["success"] is True
    assert (await login(http, "op_kediri", NEW_PASSWORD)).status_code == 200
    assert (await login(http, "op_kediri", PASSWORD)).status_code == 401
    reused = await confirm(http, token, "lagi-lagi-2025")
    assert reused.status_code == 400 and reused.json()["reason"] == "used_code"
    audit = await audit_rows(world, entity="dashboard_account", entity_id="op_kediri")
    assert audit[0].action == "dashboard_account.password" and NEW_PASSWORD not in str(audit[0])


async def test_a_reset_ends_the_sessions_opened_with_the_old_password(http, world, settings, clock, account):
    """Someone who had the old password (the reason to reset it) must lose their token; a re-hash at login
    of the same password must not log anyone out."""
    old_session = {"Authorization": f"Bearer {(await login(http, 'op_kediri', PASSWORD)).json()['token']}"}
    day = {"periode": "harian", "tanggal": "2025-01-15"}
    assert (await http.get("/api/insta/rekap-likes", headers=old_session, params=day)).status_code == 200
    from argon2 import PasswordHasher

    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)   # re-hashed at login
    await world.execute("UPDATE dashboard_accounts SET password_hash = $1 WHERE username = 'op_kediri'", weaker)
    rehashed = {"Authorization": f"Bearer {(await login(http, 'op_kediri', PASSWORD)).json()['token']}"}
    assert await world.fetchval("SELECT password_hash FROM dashboard_accounts WHERE username = 'op_kediri'") != weaker
    assert (await http.get("/api/insta/rekap-likes", headers=old_session, params=day)).status_code == 200
    assert (await confirm(http, await request_code(http, world, settings, clock))).status_code == 200
    for stale in (old_session, rehashed):
        r = await http.get("/api/insta/rekap-likes", headers=stale, params=day)
        assert r.status_code == 401 and r.json()["reason"] == "invalid_token" and "Password" in r.json()["message"]
    fresh = {"Authorization": f"Bearer {(await login(http, 'op_kediri', NEW_PASSWORD)).json()['token']}"}
    assert (await http.get("/api/insta/rekap-likes", headers=fresh, params=day)).status_code == 200


async def test_reset_request_never_tells_whether_the_account_exists(http, world, settings, clock, account):
    for body in ({"username": "op_kediri", "contact": "081299999999"}, {"username": "tidak_ada", "contact": "0812"}):
        r = await http.post("/api/auth/dashboard-password-reset/request", json=body)
        assert r.status_code == 200 and r.json()["message"].startswith("Jika username dan nomor WhatsApp cocok")
    assert await deliver_outbox(world, settings, clock) == []


async def test_codes_allow_five_wrong_tries_and_expire(http, world, settings, clock, account):
    token = await request_code(http, world, settings, clock)
    reset_id, code = token.split("-")
    wrong = f"{reset_id}-{(int(code) + 1) % 10 ** 6:06d}"
    for left in (4, 3, 2, 1):
        r = await confirm(http, wrong)
        assert r.status_code == 400 and f"sisa {left} percobaan" in r.json()["message"]
    assert "tidak dapat dipakai lagi" in (await confirm(http, wrong)).json()["message"]
    r = await confirm(http, token)                                     # the right code, too late
    assert r.status_code == 400 and r.json()["reason"] == "too_many_tries"
    fresh = await request_code(http, world, settings, clock)
    clock.advance(minutes=16)
    r = await confirm(http, fresh)
    assert r.status_code == 400 and r.json()["reason"] == "expired_code"
    assert (await login(http, "op_kediri", PASSWORD)).status_code == 200
    bad = await confirm(http, "123456")
    assert bad.status_code == 400 and bad.json()["reason"] == "invalid_code"


async def test_a_newer_code_replaces_the_older_one(http, world, settings, clock, account):
    first = await request_code(http, world, settings, clock)
    second = await request_code(http, world, settings, clock)
    assert (await confirm(http, first)).json()["reason"] == "expired_code"
    assert (await confirm(http, second)).status_code == 200


async def test_reset_requests_are_limited_per_account_and_per_address(http, world, settings, clock, account):
    for _ in range(3):
        await request_code(http, world, settings, clock)
    r = await http.post("/api/auth/dashboard-password-reset/request",
                        json={"username": "op_kediri", "contact": "0812 3450 0077"})
    assert r.status_code == 429 and r.json()["reason"] == "rate_limited" and int(r.headers["retry-after"]) > 0
    clock.advance(minutes=61)
    for i in range(10):   # misses count for the address too
        await http.post("/api/auth/dashboard-password-reset/request", json={"username": f"x{i}", "contact": "1"})
    r = await http.post("/api/auth/dashboard-password-reset/request", json={"username": "zz", "contact": "1"})
    assert r.status_code == 429


async def test_client_operator_login_still_works(http):
    r = await http.post("/api/auth/login", json={"client_id": "polres_kediri", "client_operator": "081234500001"})
    assert r.status_code == 200 and r.json()["client"]["client_id"] == "POLRES_KEDIRI"
