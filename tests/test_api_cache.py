"""The short rekap cache: single flight, TTL by the injectable clock, failures not cached; gzip and plain bodies."""

from __future__ import annotations

import asyncio

import pytest

from bot.api.cache import ResultCache
from tests.support.factories import Factory
from tests.support.api import api_client, api_deps, bearer, build_world, dashboard_token, make_account, noon_clock


async def test_concurrent_misses_share_one_computation_and_ttl_follows_the_clock():
    clock = noon_clock()
    cache = ResultCache(clock, ttl_seconds=15)
    calls = 0
    gate = asyncio.Event()

    async def compute():
        nonlocal calls
        calls += 1
        await gate.wait()
        return calls

    waiters = [asyncio.create_task(cache.get_or_compute("k", compute)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiters) == [1] * 5 and calls == 1
    clock.advance(seconds=14)
    assert await cache.get_or_compute("k", compute) == 1
    clock.advance(seconds=2)
    assert await cache.get_or_compute("k", compute) == 2


async def test_failures_are_not_cached():
    cache = ResultCache(noon_clock(), ttl_seconds=15)

    async def boom():
        raise RuntimeError("db down")

    with pytest.raises(RuntimeError):
        await cache.get_or_compute("k", boom)

    async def fine():
        return "ok"

    assert await cache.get_or_compute("k", fine) == "ok"


async def test_rekap_is_cached_for_the_window_then_refreshed(pool, settings):
    await build_world(pool)
    await make_account(pool, "op", role="operator", client_ids=["POLRES_KEDIRI"])
    clock = noon_clock()
    async with api_client(api_deps(settings, pool, clock, rekap_cache_seconds=15)) as http:
        token = bearer(await dashboard_token(http, "op"))
        params = {"tanggal": "2025-01-15"}

        async def agus():
            body = (await http.get("/api/insta/rekap-likes", headers=token, params=params)).json()
            return next(r["jumlah_like"] for r in body["data"] if r["nama"] == "AGUS")

        assert await agus() == 1
        await Factory(pool).likes("KDR2", ["agus.ig"])  # a new like, written as a fetch writes it
        assert await agus() == 1
        clock.advance(seconds=16)
        assert await agus() == 2


async def test_gzip_when_accepted_plain_otherwise(pool, settings):
    await build_world(pool)
    await make_account(pool, "op", role="operator", client_ids=["POLRES_KEDIRI"])
    async with api_client(api_deps(settings, pool, noon_clock())) as http:
        token = bearer(await dashboard_token(http, "op"))
        zipped = await http.get("/api/insta/rekap-likes", headers={**token, "Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip" and zipped.json()["success"] is True
        plain = await http.get("/api/insta/rekap-likes", headers={**token, "Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.json() == zipped.json()
