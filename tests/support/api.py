"""Helpers for HTTP API tests: an app over the test pool, accounts, tokens, a small world.

    deps = api_deps(settings, pool, clock)
    async with api_client(deps) as http:
        token = await dashboard_token(http, "op_kediri", PASSWORD)
        r = await http.get("/api/insta/rekap-likes", params=..., headers=bearer(token))
"""

from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import httpx

from bot.api.app import create_app
from bot.api.deps import ApiDeps
from bot.api.part import ApiPart
from bot.api.security import hash_password
from db.dashboard_accounts import create_account
from db.pool import _init_connection
from core.clock import ManualClock
from tests.support.factories import Factory, wib

PASSWORD = "rahasia-kuat-123"
KEDIRI_OPERATOR = "6281234500001"
BLITAR_OPERATOR = "6281234500002"
KEDIRI_SUPER = "6281299900009"
CLIENT_ADDRESS = ("10.1.2.3", 50000)


def api_deps(settings, pool, clock, **kw) -> ApiDeps:
    kw.setdefault("rekap_cache_seconds", 0)
    return ApiDeps(settings=settings, db=pool, clock=clock, **kw)


@asynccontextmanager
async def api_client(deps: ApiDeps, *, client_address=CLIENT_ADDRESS, raise_app_exceptions: bool = True):
    transport = httpx.ASGITransport(app=create_app(deps), client=client_address,
                                    raise_app_exceptions=raise_app_exceptions)
    async with httpx.AsyncClient(transport=transport, base_url="http://cicero.test") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


async def make_account(db, username: str, *, role: str, client_ids: list[str], password: str = PASSWORD,
                       active: bool = True):
    account = await create_account(db, username=username, password_hash=hash_password(password), role=role,
                                   whatsapp=None, client_ids=client_ids)
    if not active:
        await db.execute("UPDATE dashboard_accounts SET active = false WHERE id = $1", account.id)
    return account


async def dashboard_token(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    r = await http.post("/api/auth/dashboard-login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["token"]


async def operator_token(http: httpx.AsyncClient, client_id: str, number: str) -> str:
    r = await http.post("/api/auth/login", json={"client_id": client_id, "client_operator": number})
    assert r.status_code == 200, r.text
    return r.json()["token"]


@dataclass
class World:
    day: str = "2025-01-15"


async def build_world(pool) -> World:
    """KEDIRI (org, JATIM) with 3 IG + 2 TikTok posts on 15 Jan 2025; BLITAR (org); DITBINMAS (direktorat).

    KEDIRI: BUDI liked 3/3 and commented 2/2, AGUS liked 1/3 and commented 0, SITI has no usernames,
    EKO (exception) has usernames and engaged nothing. DITBINMAS: one own officer; a KEDIRI officer
    carries the ditbinmas role.
    """
    f = Factory(pool)
    await f.client("DITBINMAS", type="direktorat", name="DIREKTORAT BINMAS", regional_id="JATIM")
    await f.client("POLRES_KEDIRI", name="POLRES KEDIRI", regional_id="JATIM", operator_phone=KEDIRI_OPERATOR,
                   super_phones=[KEDIRI_SUPER], instagram="polreskediri", tiktok="polreskediri")
    await f.client("POLRES_BLITAR", name="POLRES BLITAR", regional_id="JATIM", operator_phone=BLITAR_OPERATOR)
    await f.client("POLRES_SLEMAN", name="POLRES SLEMAN", regional_id="DIY")
    await f.person("75020001", client_id="POLRES_KEDIRI", name="BUDI", rank="AKP", division="SAT RESKRIM",
                   position="KASAT RESKRIM", instagram="budi.ig", tiktok="budi.tt", whatsapp="6281200000001",
                   roles=["ditbinmas"])
    await f.person("75020002", client_id="POLRES_KEDIRI", name="SITI", rank="BRIPDA", division="POLSEK NGADILUWIH")
    await f.person("75020003", client_id="POLRES_KEDIRI", name="AGUS", rank="BRIPKA", division="SAT BINMAS",
                   instagram="agus.ig", tiktok="agus.tt")
    await f.person("75020004", client_id="POLRES_KEDIRI", name="EKO", rank="IPDA", division="BAG OPS",
                   instagram="eko.ig", tiktok="eko.tt", exception=True)
    await f.person("75020009", client_id="POLRES_KEDIRI", name="NONAKTIF", instagram="x.ig", active=False)
    await f.person("76010001", client_id="DITBINMAS", name="DEDI", rank="KOMPOL", division="SUBDIT BINPOLMAS",
                   instagram="dedi.ig", tiktok="dedi.tt", roles=["ditbinmas"])
    await f.person("77010001", client_id="POLRES_BLITAR", name="RUDI", instagram="rudi.ig")
    await f.person("78010001", client_id="POLRES_SLEMAN", name="YOGA", instagram="yoga.ig", roles=["ditbinmas"])
    for i, hour in enumerate((8, 12, 16), start=1):
        await f.ig_post(f"KDR{i}", client_id="POLRES_KEDIRI", posted_at=wib(2025, 1, 15, hour), like_count=40 + i,
                        caption=f"Patroli {i}")
    await f.likes("KDR1", ["budi.ig", "agus.ig"])
    await f.likes("KDR2", ["budi.ig"])
    await f.likes("KDR3", ["budi.ig", "stranger"])
    for i, hour in enumerate((9, 15), start=1):
        await f.tt_post(f"73000000000000000{i}", client_id="POLRES_KEDIRI", posted_at=wib(2025, 1, 15, hour),
                        comment_count=5)
        await f.comments(f"73000000000000000{i}", ["budi.tt"])
    await f.ig_post("DIT1", client_id="DITBINMAS", posted_at=wib(2025, 1, 15, 10))
    await f.likes("DIT1", ["dedi.ig", "budi.ig", "yoga.ig"])
    await f.ig_post("BLT1", client_id="POLRES_BLITAR", posted_at=wib(2025, 1, 15, 10))
    return World()


def noon_clock() -> ManualClock:
    return ManualClock(wib(2025, 1, 15, 12))


class ThreadedApi:
    """The real ApiPart on 127.0.0.1 in a thread with its own loop and pool (for sync callers like schemathesis)."""

    def __init__(self, settings, database_url: str, clock=None):
        self.settings, self.database_url, self.clock = settings, database_url, clock
        self.base_url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="threaded-api", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        from core.clock import SystemClock

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        pool = await asyncpg.create_pool(self.database_url, min_size=1, max_size=8, init=_init_connection)
        try:
            deps = ApiDeps(settings=self.settings, db=pool, clock=self.clock or SystemClock(), rekap_cache_seconds=0)
            part = ApiPart(deps, host="127.0.0.1", port=0)
            await part.start()
            self.base_url = part.base_url
            self._ready.set()
            await self._stop.wait()
            await part.stop()
        finally:
            await pool.close()

    def __enter__(self) -> "ThreadedApi":
        self._thread.start()
        self._ready.wait(30)
        if self._error:
            raise self._error
        return self

    def __exit__(self, *exc) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
