"""Hardening, outages (issue 18, point 9): PostgreSQL goes away while the API and the chat are running.

The database sits behind a loopback TCP proxy (`tests/support/outage_proxy.py`);
cutting it drops every connection and refuses new ones, as a crashed or
unreachable server does. The API is the real ASGI app, the chat the real router
behind the fake gateway.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import pytest

from bot.router import Outcome, Router
from bot.whatsapp.fake import FakeGateway
from core.clock import JAKARTA, ManualClock
from db.pool import _init_connection
from handlers.degraded import TEXT_DEGRADED
from handlers.registry import all_commands
from tests.support.api import (
    KEDIRI_OPERATOR, api_client, api_deps, bearer, build_world, dashboard_token, make_account, noon_clock,
)
from tests.support.chat import start_chat
from tests.support.outage_proxy import OutageProxy
from tests.support.recording_reporter import RecordingReporter

ADMIN = "6281100000001"
STRANGER = "6289900000009"


@pytest.fixture
async def proxy(database_url):
    p = OutageProxy.for_url(database_url)
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
async def proxied_pool(pool, proxy, database_url):
    """A second pool on the test database, through the proxy (the `pool` fixture emptied the tables)."""
    p = await asyncpg.create_pool(proxy.url_for(database_url), min_size=1, max_size=4, init=_init_connection,
                                  timeout=5)
    yield p
    p.terminate()


async def test_the_api_answers_503_with_retry_after_while_the_database_is_down(pool, proxied_pool, proxy, settings):
    await build_world(pool)
    await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
    async with api_client(api_deps(settings, proxied_pool, noon_clock()), raise_app_exceptions=False) as http:
        token = bearer(await dashboard_token(http, "op_kediri"))
        assert (await http.get("/api/users/list", headers=token)).status_code == 200
        await proxy.cut()
        for r in (await http.get("/api/users/list", headers=token),
                  await http.get("/api/insta/rekap-likes", headers=token, params={"tanggal": "2025-01-15"}),
                  await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": "x" * 9})):
            assert r.status_code == 503, r.text
            assert r.json() == {"success": False, "reason": "service_unavailable",
                                "message": "Layanan sedang terganggu (database tidak terjangkau); coba lagi sebentar lagi"}
            assert r.headers["retry-after"] == str(settings.api.retry_after_seconds)
        health = await http.get("/api/health")
        assert health.status_code == 200 and health.json()["components"]["database"]["status"] == "down"
        await proxy.restore()
        assert (await http.get("/api/users/list", headers=token)).status_code == 200


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 2, 17, 9, 0, tzinfo=JAKARTA))


@pytest.fixture
async def chat(pool, proxied_pool, settings, clock):
    await build_world(pool)
    gateway = FakeGateway()
    gateway.set_connected(True)
    router = Router(settings=settings, pool=proxied_pool, clock=clock, reporter=RecordingReporter(), gateway=gateway,
                    commands=all_commands())
    await start_chat(gateway, router)
    return gateway


def _last(gateway, phone):
    texts = gateway.texts(f"{phone}@s.whatsapp.net")
    return texts[-1] if texts else None


async def test_help_and_status_still_answer_from_memory_while_the_database_is_down(chat, proxy, clock):
    assert await chat.inject("help", phone=ADMIN) is Outcome.REPLIED
    normal_help = _last(chat, ADMIN)
    await proxy.cut()
    clock.advance(minutes=1)
    assert await chat.inject("help", phone=ADMIN) is Outcome.REPLIED
    help_text = _last(chat, ADMIN)
    assert "layanan sedang terganggu" in help_text and "*status*" in help_text and help_text != normal_help
    clock.advance(minutes=2)
    assert await chat.inject("status", phone=ADMIN) is Outcome.REPLIED
    status_text = _last(chat, ADMIN)
    assert "Layanan sedang terganggu" in status_text and "WhatsApp: ✅ terhubung" in status_text
    assert "Database: ❌ tidak terjangkau" in status_text and "sejak pukul 09.01 WIB" in status_text
    assert await chat.inject("dirrequest", phone=ADMIN) is Outcome.REPLIED
    assert _last(chat, ADMIN).startswith(TEXT_DEGRADED)
    await proxy.restore()
    assert await chat.inject("help", phone=ADMIN) is Outcome.REPLIED
    assert _last(chat, ADMIN) == normal_help


async def test_people_the_bot_cannot_identify_get_one_notice_not_silence(chat, proxy, clock):
    await proxy.cut()
    for phone in (KEDIRI_OPERATOR, STRANGER):
        assert await chat.inject("help", phone=phone) is Outcome.REPLIED
        assert _last(chat, phone) == TEXT_DEGRADED
        assert await chat.inject("status", phone=phone) is Outcome.REFUSED_RECENTLY  # no reply to every message
    clock.advance(minutes=11)
    assert await chat.inject("1", phone=STRANGER) is Outcome.REPLIED
    assert len(chat.texts(f"{STRANGER}@s.whatsapp.net")) == 2
