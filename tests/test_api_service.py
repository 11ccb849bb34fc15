"""The API as an operator runs it: the Part on a real socket, `cicero api`, `cicero run`, `cicero dashboard-users`."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess

import asyncpg
import httpx
import pytest

from bot.api.part import ApiPart, ApiPortBusy
from bot.api.security import verify_password
from bot.cli import main
from db.pool import _init_connection
from tests.support.api import PASSWORD, api_deps, bearer, build_world, free_port, make_account, noon_clock
from tests.support.factories import Factory
from tests.test_service import CICERO, ROOT, env_with, wait_for


class FakePeer:
    name = "whatsapp"

    def health(self) -> dict:
        return {"status": "connected", "session_secret": "hidden", "queued": 3}


async def test_part_serves_real_http_and_stops(pool, settings):
    await build_world(pool)
    await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
    part = ApiPart(api_deps(settings, pool, noon_clock(), peers=lambda: [FakePeer()]), host="127.0.0.1", port=0)
    await part.start()
    try:
        async with httpx.AsyncClient(base_url=part.base_url) as http:
            health = (await http.get("/api/health")).json()
            assert health["status"] == "ok" and health["components"]["whatsapp"] == {"status": "connected", "queued": 3}
            assert health["components"]["scheduler"]["status"] == "not_running"
            login = await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": PASSWORD})
            token = bearer(login.json()["token"])
            r = await http.get("/api/insta/rekap-likes", headers=token, params={"tanggal": "2025-01-15"})
            assert r.status_code == 200 and r.json()["totalPosts"] == 3
            assert r.headers["content-type"] == "application/json"
    finally:
        await part.stop()
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(base_url=part.base_url) as http:
            await http.get("/api/health")


async def test_accepted_connections_send_without_nagle_delay(pool, settings):
    """A response written in parts must not wait for the client's delayed ACK: every accepted socket has
    TCP_NODELAY (asyncio sets it only on sockets created as IPPROTO_TCP)."""
    part = ApiPart(api_deps(settings, pool, noon_clock()), host="127.0.0.1", port=0)
    await part.start()
    try:
        async with httpx.AsyncClient(base_url=part.base_url) as http:
            assert (await http.get("/api/health")).status_code == 200
            connections = list(part._server.server_state.connections)
            assert connections, "the keep-alive connection is still open"
            for protocol in connections:
                sock = protocol.transport.get_extra_info("socket")
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        await part.stop()


async def test_busy_port_is_a_clear_error(pool, settings):
    first = ApiPart(api_deps(settings, pool, noon_clock()), host="127.0.0.1", port=0)
    await first.start()
    try:
        second = ApiPart(api_deps(settings, pool, noon_clock()), host="127.0.0.1", port=first.port)
        with pytest.raises(ApiPortBusy, match=r"api\.port: .*cannot listen on 127\.0\.0\.1"):
            await second.start()
    finally:
        await first.stop()


def _serve_and_probe(cmd: list[str], env: dict, port: int) -> str:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        out = wait_for(proc, "running" if cmd[-1] == "run" else "HTTP API on", timeout=90)
        r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10)
        assert r.status_code == 200 and r.json()["components"]["database"]["status"] == "ok", r.text
        assert r.json()["components"]["whatsapp"]["status"]
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out + rest
    assert "Traceback" not in out + rest
    return out + rest


def _env(database_url: str, port: int, **extra: str) -> dict:
    return env_with(CICERO_DATABASE__URL=database_url, CICERO_API__PORT=str(port), CICERO_API__HOST="127.0.0.1",
                    CICERO_WHATSAPP__TRANSPORT="console", CICERO_SCHEDULE__ENABLED="false", **extra)


@pytest.mark.slow
def test_cicero_api_serves_and_stops(database_url, tmp_path):
    port = free_port()
    env = _env(database_url, port, CICERO_API__JWT_SECRET="a-production-secret-0123456789-abcdef")
    out = _serve_and_probe(CICERO + ["--config", str(tmp_path / "none.toml"), "api"], env, port)
    assert "stopped cleanly" in out


@pytest.mark.slow
def test_cicero_run_serves_the_api(database_url, tmp_path):
    port = free_port()
    env = _env(database_url, port, CICERO_GENERAL__ENVIRONMENT="development")
    out = _serve_and_probe(CICERO + ["--config", str(tmp_path / "none.toml"), "run"], env, port)
    assert f"http://127.0.0.1:{port}" in out and "api" in out


@pytest.mark.slow
def test_example_secret_refused_in_production(database_url, tmp_path):
    env = _env(database_url, free_port(), CICERO_GENERAL__ENVIRONMENT="production",
               CICERO_API__JWT_SECRET="change-me-to-a-long-random-string")
    for command in ("api", "run"):
        r = subprocess.run(CICERO + ["--config", str(tmp_path / "none.toml"), command], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=90)
        assert r.returncode == 3, r.stdout + r.stderr
        assert "api.jwt_secret" in r.stdout and "development" in r.stdout and "Traceback" not in r.stdout


def test_dashboard_users_cli(database_url, tmp_path, monkeypatch, capsys):
    async def seed():
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2, init=_init_connection)
        try:
            from tests.conftest import truncate_all

            await truncate_all(pool)
            await Factory(pool).client("POLRES_KEDIRI")
        finally:
            await pool.close()

    async def stored_hash(username):
        conn = await asyncpg.connect(database_url)
        try:
            return await conn.fetchval("SELECT password_hash FROM dashboard_accounts WHERE username = $1", username)
        finally:
            await conn.close()

    asyncio.run(seed())
    for key in list(__import__("os").environ):
        if key.startswith("CICERO_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    monkeypatch.setenv("CICERO_DASHBOARD_PASSWORD", "pertama-123")
    base = ["--config", str(tmp_path / "none.toml"), "dashboard-users"]
    assert main(base + ["add", "op_kediri", "--role", "operator", "--client", "polres_kediri",
                        "--whatsapp", "0812-3456-7890"]) == 0
    assert main(base + ["add", "OP_KEDIRI", "--role", "operator", "--client", "POLRES_KEDIRI"]) == 2  # taken
    assert main(base + ["add", "x", "--role", "operator", "--client", "NOPE"]) == 2
    assert main(base + ["add", "y", "--role", "operator"]) == 2  # an operator needs a client
    first = asyncio.run(stored_hash("op_kediri"))
    assert first.startswith("$argon2id$") and verify_password(first, "pertama-123")
    monkeypatch.setenv("CICERO_DASHBOARD_PASSWORD", "kedua-4567")
    assert main(base + ["set-password", "OP_KEDIRI"]) == 0
    assert verify_password(asyncio.run(stored_hash("op_kediri")), "kedua-4567")
    monkeypatch.setenv("CICERO_DASHBOARD_PASSWORD", "pendek")
    assert main(base + ["set-password", "op_kediri"]) == 2
    capsys.readouterr()
    assert main(base + ["list"]) == 0
    listing = capsys.readouterr().out
    assert "op_kediri" in listing and "POLRES_KEDIRI" in listing and "argon2" not in listing
    assert main(base + ["set", "op_kediri", "--active", "no"]) == 0
