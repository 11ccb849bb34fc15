"""Deletion safety and the advisory lock of the collection cycle."""

from __future__ import annotations

import asyncio
from datetime import date

from db.job_runs import recent_runs
from jobs.fetch import LOCK_CLASS, LOCK_QUEUE, run_cycle
from jobs.sources.fake_rapidapi import Scenario
from tests.support.factories import Factory, wib
from tests.support.fetch_env import fetch_env

DAY = date(2026, 2, 17)
NOON = wib(2026, 2, 17, 12, 5)


def scenario(clients=("POLRES_A",), **kw) -> Scenario:
    kw.setdefault("ig_posts", 4)
    kw.setdefault("tt_posts", 2)
    kw.setdefault("likers", 10)
    kw.setdefault("commenters", 5)
    return Scenario.generated(day=DAY, clients=list(clients), **kw)


async def removed(pool) -> list[str]:
    rows = await pool.fetch("SELECT post_id FROM client_posts WHERE platform = 'instagram' AND removed_at IS NOT NULL "
                            "ORDER BY 1")
    return [r["post_id"] for r in rows]


async def test_a_post_gone_from_a_complete_answer_is_marked_removed(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        await run_cycle(env.deps, trigger="manual")
        env.fake.remove_post("POLRES_A_IG1")
        env.clock.advance(minutes=25)
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert c.ok, c.error
    assert c.instagram.removed == ["POLRES_A_IG1"]
    assert c.before.instagram_posts == 4 and c.after.instagram_posts == 3
    assert await removed(pool) == ["POLRES_A_IG1"]
    # removed rows keep their likes (attendance history), but are not today's tasks any more
    assert await pool.fetchval("SELECT count(*) FROM engagements WHERE post_id = 'POLRES_A_IG1'") == 10


async def test_a_removed_post_that_comes_back_is_new_again(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        await run_cycle(env.deps, trigger="manual")
        env.fake.remove_post("POLRES_A_IG1")
        await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        env.fake.scenario.post("POLRES_A_IG1")[1].removed = False
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    assert result.clients[0].instagram.new == ["POLRES_A_IG1"]
    assert await removed(pool) == []


async def test_a_failed_answer_removes_nothing(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        await run_cycle(env.deps, trigger="manual")
        env.fake.fail("ig_posts", "500", times=None)
        env.fake.fail("tt_posts", "429", times=None, retry_after=1)
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert not c.ok and "HTTP 500" in c.error and "rate limited" in c.error
    assert c.after.instagram_posts == 4 and c.after.tiktok_posts == 2
    assert await removed(pool) == []


async def test_a_partial_answer_removes_nothing(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    async with fetch_env(pool, database_url, tmp_path, scenario(posts_page_size=1), NOON) as env:
        await run_cycle(env.deps, trigger="manual")
        env.settings.instagram.max_pages = 2  # only the 2 newest of 4 posts fit: the answer is partial
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert c.ok
    assert any("answer incomplete (page cap (2) reached)" in w for w in c.warnings)
    assert await removed(pool) == []


async def test_an_empty_page_removes_nothing(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        await run_cycle(env.deps, trigger="manual")
        env.fake.fail("ig_posts", "empty")
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    assert any("empty page" in w for w in result.clients[0].warnings)
    assert await removed(pool) == []


async def test_a_suspiciously_shrunken_answer_removes_nothing(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        await run_cycle(env.deps, trigger="manual")
        for sc in ("POLRES_A_IG0", "POLRES_A_IG1", "POLRES_A_IG2"):
            env.fake.remove_post(sc)  # 1 of 4 left: below shrink_guard_ratio 0.5
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert c.instagram.removed == []
    assert any("shrink_guard_ratio" in w for w in c.warnings)
    assert await removed(pool) == []
    # the likers of the vanished posts answer 404: a warning, not a failure
    assert c.ok


async def test_two_concurrent_scheduled_cycles_only_one_runs(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        gate = asyncio.Event()
        entered = asyncio.Event()

        async def hold(result):
            entered.set()
            await gate.wait()

        env.deps.after_client = hold
        first = asyncio.create_task(run_cycle(env.deps, trigger="schedule"))
        await entered.wait()
        second = await run_cycle(env.deps, trigger="schedule")
        gate.set()
        first = await first
    assert first.status == "ok" and not first.lock_skipped
    assert second.lock_skipped and second.status == "skipped"
    runs = await recent_runs(pool, limit=10)
    assert sorted(r.status for r in runs) == ["ok", "skipped"]
    assert "holds the lock" in next(r for r in runs if r.status == "skipped").note


async def test_an_admin_run_during_a_run_is_queued_once(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        gate = asyncio.Event()
        entered = asyncio.Event()
        holding = True

        async def hold(result):
            if holding:
                entered.set()
                await gate.wait()

        env.deps.after_client = hold
        first = asyncio.create_task(run_cycle(env.deps, trigger="schedule"))
        await entered.wait()
        queued = asyncio.create_task(run_cycle(env.deps, trigger="admin"))
        while not await pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND granted",
            LOCK_CLASS, LOCK_QUEUE,
        ):
            await asyncio.sleep(0.01)  # wait until the admin run is queued (state, not time)
        duplicate = await run_cycle(env.deps, trigger="admin")
        assert not queued.done()
        holding = False
        gate.set()
        first, queued = await first, await queued
    assert duplicate.lock_skipped and "already queued" in duplicate.note
    assert queued.queued and queued.status == "ok" and len(queued.clients) == 1
    runs = await recent_runs(pool, limit=10)
    assert sorted((r.trigger, r.status) for r in runs) == [("admin", "ok"), ("admin", "skipped"), ("schedule", "ok")]
