"""Auth: missing, expired, forged and revoked tokens; client scope; operator logins; throttling and lockout."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from bot.api.part import ApiPart, check_api_settings
from bot.api.security import issue_token
from core.settings import EXAMPLE_JWT_SECRET, ConfigError, load_settings
from db.login_log import recent_logins
from tests.support.api import (
    BLITAR_OPERATOR, KEDIRI_OPERATOR, KEDIRI_SUPER, PASSWORD, api_client, api_deps, bearer, build_world,
    dashboard_token, make_account, noon_clock, operator_token,
)

REKAP = "/api/insta/rekap-likes"
DAY = {"periode": "harian", "tanggal": "2025-01-15"}


@pytest.fixture
async def world(pool):
    await build_world(pool)
    await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
    await make_account(pool, "off", role="operator", client_ids=["POLRES_KEDIRI"], active=False)
    return pool


@pytest.fixture
def clock():
    return noon_clock()


@pytest.fixture
async def http(world, settings, clock):
    async with api_client(api_deps(settings, world, clock)) as client:
        yield client


def reason(r) -> str | None:
    return r.json().get("reason")


async def test_missing_token(http):
    r = await http.get(REKAP, params={**DAY, "client_id": "POLRES_KEDIRI"})
    assert r.status_code == 401 and reason(r) == "missing_token"
    assert r.headers["www-authenticate"] == "Bearer"
    r = await http.get(REKAP, headers={"Authorization": "Bearer"})
    assert r.status_code == 401 and reason(r) == "missing_token"


async def test_expired_token(http, clock, settings):
    token = bearer(await dashboard_token(http, "op_kediri"))
    assert (await http.get(REKAP, headers=token, params=DAY)).status_code == 200
    clock.advance(hours=settings.api.jwt_expiry_hours, seconds=1)
    r = await http.get(REKAP, headers=token, params=DAY)
    assert r.status_code == 401 and reason(r) == "expired_token"


async def test_forged_and_garbage_tokens(http, settings, clock):
    forged = issue_token("another-secret-entirely-0123456789abcdef", now=clock.now(), lifetime=timedelta(hours=1), kind="dashboard",
                         subject="1", role="admin", client_ids=["POLRES_BLITAR"])
    for token in (forged.token, "abc.def.ghi", "not-a-jwt"):
        r = await http.get(REKAP, headers=bearer(token), params=DAY)
        assert r.status_code == 401 and reason(r) == "invalid_token", token
    # a real token with its payload altered (widened client scope) fails the signature
    good = await dashboard_token(http, "op_kediri")
    header, payload, sig = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    claims["client_ids"] = ["POLRES_BLITAR"]
    tampered = jwt.encode(claims, "x" * 32, algorithm="HS256").split(".")[1]
    r = await http.get(REKAP, headers=bearer(f"{header}.{tampered}.{sig}"), params=DAY)
    assert r.status_code == 401 and reason(r) == "invalid_token"
    # alg=none is refused
    none_token = jwt.encode(claims, None, algorithm="none")
    assert reason(await http.get(REKAP, headers=bearer(none_token), params=DAY)) == "invalid_token"


async def test_wrong_client_is_403_without_a_logout_reason(http):
    token = bearer(await dashboard_token(http, "op_kediri"))
    for path in (REKAP, "/api/tiktok/rekap-komentar", "/api/dashboard/stats", "/api/users/list", "/api/clients/profile",
                 "/api/insta/posts", "/api/tiktok/posts"):
        r = await http.get(path, headers=token, params={**DAY, "client_id": "POLRES_BLITAR"})
        assert r.status_code == 403, path
        assert reason(r) not in ("invalid_token", "expired_token", "missing_token")
    # an unknown client is indistinguishable from a foreign one
    assert (await http.get(REKAP, headers=token, params={**DAY, "client_id": "NOPE"})).status_code == 403


async def test_deactivated_account_cannot_log_in_and_loses_its_token(http, world):
    r = await http.post("/api/auth/dashboard-login", json={"username": "off", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["success"] is False
    token = bearer(await dashboard_token(http, "op_kediri"))
    await world.execute("UPDATE dashboard_accounts SET active = false WHERE username = 'op_kediri'")
    r = await http.get(REKAP, headers=token, params=DAY)
    assert r.status_code == 401 and reason(r) == "invalid_token"


async def test_scope_change_applies_to_existing_tokens(http, world):
    token = bearer(await dashboard_token(http, "op_kediri"))
    await world.execute(
        "UPDATE dashboard_account_clients SET client_id = 'POLRES_BLITAR' "
        "WHERE account_id = (SELECT id FROM dashboard_accounts WHERE username = 'op_kediri')")
    assert (await http.get(REKAP, headers=token, params={**DAY, "client_id": "POLRES_KEDIRI"})).status_code == 403
    assert (await http.get(REKAP, headers=token, params={**DAY, "client_id": "POLRES_BLITAR"})).status_code == 200


@pytest.mark.parametrize("number", [KEDIRI_OPERATOR, "081234500001", "+62 812-3450-0001", "81234500001",
                                    KEDIRI_SUPER])
async def test_operator_login_accepts_any_format_of_the_clients_own_numbers(http, number):
    r = await http.post("/api/auth/login", json={"client_id": "polres_kediri", "client_operator": number})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True and body["client"]["client_id"] == "POLRES_KEDIRI"
    assert body["client"]["role"] == "operator"
    rekap = await http.get(REKAP, headers=bearer(body["token"]), params=DAY)
    assert rekap.status_code == 200 and rekap.json()["client_id"] == "POLRES_KEDIRI"
    assert (await http.get(REKAP, headers=bearer(body["token"]), params={**DAY, "client_id": "POLRES_BLITAR"})
            ).status_code == 403


async def test_operator_of_another_client_cannot_log_in(http, settings, clock):
    attempts = [("POLRES_KEDIRI", BLITAR_OPERATOR),
                ("POLRES_KEDIRI", settings.whatsapp.admins[0]),  # an admin number is no key to every client
                ("NOPE", KEDIRI_OPERATOR), ("POLRES_KEDIRI", "halo")]
    for client_id, number in attempts:
        clock.advance(seconds=61)  # stay clear of the slow-down
        r = await http.post("/api/auth/login", json={"client_id": client_id, "client_operator": number})
        assert r.status_code == 401, (client_id, number)
        assert r.json()["success"] is False and "token" not in r.json()


async def test_operator_token_logout(http):
    token = bearer(await operator_token(http, "POLRES_KEDIRI", KEDIRI_OPERATOR))
    assert (await http.post("/api/auth/logout", headers=token)).status_code == 200
    assert reason(await http.get(REKAP, headers=token, params=DAY)) == "invalid_token"


async def test_every_login_is_logged(http, world):
    await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": "salah-salah"})
    await dashboard_token(http, "op_kediri")
    await http.post("/api/auth/login", json={"client_id": "POLRES_KEDIRI", "client_operator": BLITAR_OPERATOR})
    rows = list(reversed(await recent_logins(world)))
    assert [(r["login_type"], r["actor"], r["success"]) for r in rows] == [
        ("dashboard", "dashboard:op_kediri", False), ("dashboard", "dashboard:op_kediri", True),
        ("client_operator", "client:POLRES_KEDIRI", False)]
    assert rows[0]["reason"] == "bad_credentials" and rows[0]["ip"] == "10.1.2.3"


async def _fail(http, username="op_kediri"):
    return await http.post("/api/auth/dashboard-login", json={"username": username, "password": "salah-salah"})


async def test_failures_are_slowed_down_then_locked_out(http, clock, settings):
    max_failures = settings.api.login_max_failures
    assert (await _fail(http)).status_code == 401
    assert (await _fail(http)).status_code == 401
    # after two failures the next attempt must wait a moment — even with the right password
    r = await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": PASSWORD})
    assert r.status_code == 429 and reason(r) == "throttled" and int(r.headers["retry-after"]) >= 1
    for _ in range(max_failures - 2):
        clock.advance(seconds=60)
        assert (await _fail(http)).status_code == 401
    clock.advance(seconds=60)
    r = await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": PASSWORD})
    assert r.status_code == 429 and reason(r) == "locked" and r.json()["success"] is False
    clock.advance(minutes=settings.api.login_lockout_minutes - 2)
    assert reason(await http.post("/api/auth/dashboard-login",
                                  json={"username": "op_kediri", "password": PASSWORD})) == "locked"
    clock.advance(minutes=2, seconds=1)
    assert (await http.post("/api/auth/dashboard-login", json={"username": "OP_KEDIRI", "password": PASSWORD})
            ).status_code == 200
    # a success clears the account's count
    assert (await _fail(http)).status_code == 401


async def test_one_address_trying_many_accounts_is_locked_out(http, clock, settings):
    failures = 0
    while failures < settings.api.login_address_max_failures:  # as fast as the slow-down allows
        r = await _fail(http, f"tebak{failures}")
        if r.status_code == 429:
            assert reason(r) == "throttled"
            clock.advance(seconds=int(r.headers["retry-after"]))
            continue
        assert r.status_code == 401
        failures += 1
    clock.advance(seconds=61)
    r = await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": PASSWORD})
    assert r.status_code == 429 and reason(r) == "locked"


async def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(world, settings, clock):
    """The attack: an outsider sends wrong passwords for op_kediri until it locks; the real user is elsewhere."""
    deps = api_deps(settings, world, clock)
    async with api_client(deps, client_address=("203.0.113.66", 4444)) as attacker:
        for _ in range(settings.api.login_max_failures):
            clock.advance(seconds=61)
            assert (await _fail(attacker)).status_code == 401
        clock.advance(seconds=61)
        r = await attacker.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": PASSWORD})
        assert r.status_code == 429 and reason(r) == "locked"  # the pair is locked, even with the right password
    async with api_client(deps, client_address=("198.51.100.7", 5555)) as office:
        r = await office.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": PASSWORD})
        assert r.status_code == 200, r.text


async def test_operator_login_failures_lock_the_client_from_that_address_only(world, settings, clock):
    deps = api_deps(settings, world, clock)
    async with api_client(deps, client_address=("203.0.113.66", 4444)) as attacker:
        for _ in range(settings.api.login_max_failures):
            clock.advance(seconds=61)
            r = await attacker.post("/api/auth/login",
                                    json={"client_id": "POLRES_KEDIRI", "client_operator": BLITAR_OPERATOR})
            assert r.status_code == 401
        clock.advance(seconds=61)
        r = await attacker.post("/api/auth/login",
                                json={"client_id": "POLRES_KEDIRI", "client_operator": KEDIRI_OPERATOR})
        assert r.status_code == 429 and reason(r) == "locked"
    async with api_client(deps, client_address=("198.51.100.7", 5555)) as operator:
        r = await operator.post("/api/auth/login",
                                json={"client_id": "POLRES_KEDIRI", "client_operator": KEDIRI_OPERATOR})
        assert r.status_code == 200, r.text


def test_example_secret_is_refused_outside_development(tmp_path, settings):
    prod = load_settings(tmp_path / "absent.toml", general={"environment": "production"},
                         api={"jwt_secret": EXAMPLE_JWT_SECRET}).settings
    with pytest.raises(ConfigError) as err:
        check_api_settings(prod)
    assert "api.jwt_secret" in err.value.problems[0] and "development" in err.value.problems[0]
    with pytest.raises(ConfigError):
        ApiPart(api_deps(prod, None, noon_clock()))
    ok = load_settings(tmp_path / "absent.toml", general={"environment": "production"},
                       api={"jwt_secret": "a-real-secret-of-some-length-0123456789"}).settings
    check_api_settings(ok)
    check_api_settings(settings)  # development may use the example


def test_unset_secret_in_production_is_generated_once_and_kept(tmp_path):
    def prod():
        return load_settings(tmp_path / "absent.toml", general={"environment": "production"},
                             database={"data_dir": str(tmp_path / "var" / "pgdata")}).settings

    first = prod()
    check_api_settings(first)
    secret = first.api.jwt_secret.get_secret_value()
    assert secret != EXAMPLE_JWT_SECRET and len(secret) >= 40
    stored = tmp_path / "var" / "jwt-secret"
    assert stored.read_text().strip() == secret
    assert stored.stat().st_mode & 0o777 == 0o600
    second = prod()
    check_api_settings(second)
    assert second.api.jwt_secret.get_secret_value() == secret  # tokens survive a restart
