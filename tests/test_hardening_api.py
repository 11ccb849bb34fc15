"""Hardening, HTTP side (issue 18, points 3, 4, 10, 12): each attack replayed from outside.

Most tests use the ASGI app over httpx (the whole middleware stack); the ones
about what the HTTP server itself does (header size, chunked bodies, what it
makes of X-Forwarded-For) use the real uvicorn on loopback (`ThreadedApi`).
"""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest

from db.login_log import recent_logins
from tests.support.api import (
    BLITAR_OPERATOR, KEDIRI_OPERATOR, PASSWORD, ThreadedApi, api_client, api_deps, bearer, build_world,
    dashboard_token, make_account, noon_clock, operator_token,
)


@pytest.fixture
async def world(pool):
    await build_world(pool)
    await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
    return pool


@pytest.fixture
def clock():
    return noon_clock()


@pytest.fixture
async def http(world, settings, clock):
    async with api_client(api_deps(settings, world, clock)) as client:
        yield client


# --------------------------------------------------------------------------- 3: operator tokens re-checked

async def test_an_operator_token_dies_when_the_operator_number_changes(http, world):
    token = bearer(await operator_token(http, "POLRES_KEDIRI", KEDIRI_OPERATOR))
    assert (await http.get("/api/users/list", headers=token)).status_code == 200
    await world.execute("UPDATE clients SET operator_phone = $1 WHERE id = 'POLRES_KEDIRI'", BLITAR_OPERATOR)
    r = await http.get("/api/users/list", headers=token)
    assert r.status_code == 401 and r.json()["reason"] == "invalid_token"
    assert "75020001" not in r.text


async def test_an_operator_token_dies_when_the_client_is_deactivated(http, world):
    token = bearer(await operator_token(http, "POLRES_KEDIRI", KEDIRI_OPERATOR))
    await world.execute("UPDATE clients SET active = false WHERE id = 'POLRES_KEDIRI'")
    r = await http.get("/api/users/list", headers=token)
    assert r.status_code == 401 and r.json()["reason"] == "invalid_token"
    await world.execute("UPDATE clients SET active = true WHERE id = 'POLRES_KEDIRI'")
    assert (await http.get("/api/users/list", headers=token)).status_code == 200  # nothing else was revoked


# --------------------------------------------------------------------------- 4: size limits

async def test_a_body_over_the_limit_is_refused_before_it_is_parsed(http, settings):
    big = json.dumps({"username": "x" * (settings.api.max_body_bytes + 10), "password": "p"})
    r = await http.post("/api/auth/dashboard-login", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json() == {
        "success": False, "reason": "payload_too_large",
        "message": f"Isi permintaan terlalu besar (maksimal {settings.api.max_body_bytes} byte)"}


async def test_a_chunked_body_without_content_length_is_cut_off_at_the_limit(http, settings):
    sent = 0

    async def endless():
        nonlocal sent
        chunk = b"A" * 65536
        while sent < 50 * settings.api.max_body_bytes:
            sent += len(chunk)
            yield chunk

    r = await http.post("/api/auth/dashboard-login", content=endless(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["reason"] == "payload_too_large"
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert sent <= settings.api.max_body_bytes + 2 * 65536  # the rest was never read


async def test_a_list_parameter_repeated_too_often_is_refused(http, settings):
    token = bearer(await dashboard_token(http, "op_kediri"))
    params = [("client_id", "POLRES_KEDIRI")] * (settings.api.max_list_items + 1)
    r = await http.get("/api/users/list", params=params, headers=token)
    assert r.status_code == 422 and r.json()["reason"] == "validation_error"
    ok = await http.get("/api/users/list", params=params[:3], headers=token)
    assert ok.status_code == 200


def _raw_exchange(base_url: str, request: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            sock.sendall(request)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server answered and closed before taking it all
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


@pytest.fixture
def real_api(world, settings, database_url):
    with ThreadedApi(settings, database_url) as api:
        yield api


@pytest.mark.slow
async def test_the_http_server_refuses_oversized_headers_and_never_waits_for_a_huge_declared_body(
        real_api, settings):
    def get_with_header(size: int) -> tuple[bytes, dict]:
        junk = b"X-Junk: " + b"j" * size + b"\r\n"
        answer = _raw_exchange(real_api.base_url, b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + junk + b"\r\n")
        head, _, body = answer.partition(b"\r\n\r\n")
        return head, json.loads(body)

    head, body = await asyncio.to_thread(get_with_header, settings.api.max_header_bytes * 2)
    assert head.startswith(b"HTTP/1.1 431") and body["reason"] == "headers_too_large"
    head, body = await asyncio.to_thread(get_with_header, 4 * 1024 * 1024)  # more than the server reads at once
    assert head.startswith(b"HTTP/1.1 400") and body["reason"] == "bad_request"
    # 200 MB announced, nothing sent: the answer comes at once, nothing is buffered
    answer = await asyncio.to_thread(_raw_exchange, real_api.base_url, (
        b"POST /api/auth/dashboard-login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 200000000\r\nConnection: close\r\n\r\n{"))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and json.loads(body)["reason"] == "payload_too_large"


# --------------------------------------------------------------------------- 10: headers, leaks, proxies

async def test_every_answer_carries_the_security_headers_and_personal_data_is_not_cached(http):
    token = bearer(await dashboard_token(http, "op_kediri"))
    for r in (await http.get("/api/users/list", headers=token), await http.get("/api/users/75020001", headers=token),
              await http.get("/api/users/list"), await http.get("/api/nope")):
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"


async def test_another_clients_person_is_not_found_rather_than_forbidden(http):
    token = bearer(await dashboard_token(http, "op_kediri"))
    other = await http.get("/api/users/77010001", headers=token)        # RUDI of POLRES_BLITAR
    unknown = await http.get("/api/users/99999999", headers=token)
    assert other.status_code == unknown.status_code == 404
    assert other.json()["reason"] == unknown.json()["reason"] == "user_not_found"
    assert "BLITAR" not in other.text


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(world, settings, clock):
    async def fail_from(http, forwarded: str):
        return await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": "salah!!!"},
                               headers={"X-Forwarded-For": forwarded})

    # no trusted proxies: a new X-Forwarded-For per attempt does not make a new address
    async with api_client(api_deps(settings, world, clock), client_address=("198.51.100.9", 1000)) as http:
        for i in range(settings.api.login_max_failures):
            clock.advance(seconds=61)
            assert (await fail_from(http, f"10.9.9.{i}")).status_code == 401
        clock.advance(seconds=61)
        r = await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": PASSWORD},
                            headers={"X-Forwarded-For": "10.9.9.200"})
        assert r.status_code == 429 and r.json()["reason"] == "locked"
    assert {row["ip"] for row in await recent_logins(world)} == {"198.51.100.9"}

    # behind a trusted proxy, the client is the hop before it
    await world.execute("TRUNCATE login_log")
    trusted = settings.model_copy(update={"api": settings.api.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})})
    async with api_client(api_deps(trusted, world, clock), client_address=("10.0.0.5", 1000)) as http:
        await fail_from(http, "203.0.113.50, 10.0.0.7")
    assert [row["ip"] for row in await recent_logins(world)] == ["203.0.113.50"]


@pytest.mark.slow
async def test_the_real_server_does_not_rewrite_the_client_from_forwarded_for(real_api, world):
    async with httpx.AsyncClient(base_url=real_api.base_url) as http:
        await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": "salah!!!"},
                        headers={"X-Forwarded-For": "203.0.113.77"})
    assert [row["ip"] for row in await recent_logins(world)] == ["127.0.0.1"]


# --------------------------------------------------------------------------- 12: account scope on transfer

async def test_an_admin_account_with_one_directorate_client_acts_as_that_directorate(http, world):
    """Carried over from the original with role `admin` and one directorate client: not a full admin."""
    await make_account(world, "binmas_lama", role="admin", client_ids=["DITBINMAS"])
    login = await http.post("/api/auth/dashboard-login", json={"username": "binmas_lama", "password": PASSWORD})
    assert login.status_code == 200 and login.json()["user"]["role"] == "ditbinmas"
    token = bearer(login.json()["token"])
    visible = {c["client_id"] for c in (await http.get("/api/clients", headers=token)).json()["data"]}
    assert "DITBINMAS" in visible and "POLRES_BLITAR" not in visible
    r = await http.get("/api/users/list", params={"client_id": "POLRES_BLITAR"}, headers=token)
    assert r.status_code == 403
    r = await http.post("/api/clients", headers=token, json={"client_id": "POLRES_BARU", "nama": "X"})
    assert r.status_code == 403 and r.json()["reason"] == "admin_only"


async def test_an_admin_account_with_several_clients_or_none_stays_admin(http, world):
    await make_account(world, "admin_pusat", role="admin", client_ids=[])
    await make_account(world, "admin_dua", role="admin", client_ids=["DITBINMAS", "POLRES_KEDIRI"])
    for name in ("admin_pusat", "admin_dua"):
        login = await http.post("/api/auth/dashboard-login", json={"username": name, "password": PASSWORD})
        assert login.json()["user"]["role"] == "admin"
        visible = {c["client_id"] for c in (await http.get("/api/clients", headers=bearer(login.json()["token"])))
                   .json()["data"]}
        assert "POLRES_BLITAR" in visible


async def test_the_role_follows_the_account_scope_on_every_request(http, world):
    account = await make_account(world, "pindahan", role="admin", client_ids=["DITBINMAS", "POLRES_KEDIRI"])
    token = bearer(await dashboard_token(http, "pindahan"))
    assert (await http.get("/api/users/list", params={"client_id": "POLRES_BLITAR"}, headers=token)).status_code == 200
    await world.execute("DELETE FROM dashboard_account_clients WHERE account_id = $1 AND client_id = 'POLRES_KEDIRI'",
                        account.id)
    r = await http.get("/api/users/list", params={"client_id": "POLRES_BLITAR"}, headers=token)
    assert r.status_code == 403  # now one directorate client: that directorate's scope, at once
