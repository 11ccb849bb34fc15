"""A hostile or broken upstream is bounded: total request deadline, client deadline, body and string caps."""

from __future__ import annotations

from datetime import date

from db.job_runs import get_run
from jobs.fetch import run_cycle
from jobs.sources.fake_rapidapi import Scenario
from tests.support.factories import Factory, wib
from tests.support.fetch_env import fetch_env

DAY = date(2026, 2, 17)
NOON = wib(2026, 2, 17, 12, 5)


def scenario(clients=("POLRES_A", "POLRES_B")) -> Scenario:
    return Scenario.generated(day=DAY, clients=list(clients), ig_posts=3, tt_posts=2, likers=40, commenters=20)


async def add_clients(pool, ids=("POLRES_A", "POLRES_B")) -> None:
    f = Factory(pool)
    for cid in ids:
        await f.client(cid)


async def stored_tasks(pool, client_id: str) -> list[str]:
    rows = await pool.fetch("SELECT post_id FROM client_posts WHERE client_id = $1 AND platform = 'instagram' "
                            "AND removed_at IS NULL ORDER BY 1", client_id)
    return [r["post_id"] for r in rows]


async def test_an_upstream_that_trickles_one_byte_at_a_time_is_cut_at_the_request_deadline(pool, database_url,
                                                                                          tmp_path):
    await add_clients(pool)
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON,
                         api={"timeout_seconds": 0.5, "max_retries": 1}) as env:
        env.fake.fail("ig_posts", "trickle", key="polresa", delay=0.1, times=None)  # a byte every 0.1 s, for hours
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    by = {c.client_id: c for c in result.clients}
    assert not by["POLRES_A"].ok and "instagram posts of polresa: timed out after 0.5s" in by["POLRES_A"].error
    assert by["POLRES_A"].after.tiktok_posts == 2  # the other platform went on
    assert by["POLRES_B"].ok and by["POLRES_B"].after.instagram_posts == 3
    assert result.status == "partial"


async def test_a_client_past_its_deadline_is_reported_timeout_and_the_others_go_on(pool, database_url, tmp_path):
    await add_clients(pool)
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON, api={"timeout_seconds": 30},
                         fetch={"client_deadline_minutes": 0.05}) as env:  # 3 s per client: Instagram fits even on a busy machine
        env.fake.fail("tt_info", "trickle", key="polresa", delay=0.1, times=None)
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    by = {c.client_id: c for c in result.clients}
    a = by["POLRES_A"]
    assert a.status == "timeout" and a.timed_out and not a.ok
    assert a.error.startswith("timeout: tiktok not finished within the client deadline (0.05 min)")
    assert a.after.instagram_posts == 3 and a.likes_new == 3 * 40  # Instagram finished and was kept
    assert by["POLRES_B"].status == "ok"
    run = await get_run(pool, result.job_run_id)
    assert run.status == "partial" and run.clients["POLRES_A"]["timed_out"] is True


async def test_a_gzip_bomb_fails_the_page_and_keeps_the_posts(pool, database_url, tmp_path):
    await add_clients(pool, ["POLRES_A"])
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON,
                         api={"max_body_mb": 1, "timeout_seconds": 30}) as env:  # the cap, not the clock, must stop it
        first = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        assert first.status == "ok"
        env.fake.fail("ig_posts", "gzip_bomb", size=256 * 2**20, times=None)  # 256 MiB of spaces, ~250 KiB sent
        env.clock.advance(minutes=25)
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert not c.ok and "answer refused: decoded body over 1,048,576 bytes" in c.error
    assert c.instagram.removed == [] and c.after.instagram_posts == 3
    assert await stored_tasks(pool, "POLRES_A") == ["POLRES_A_IG0", "POLRES_A_IG1", "POLRES_A_IG2"]


async def test_a_huge_string_field_fails_the_page(pool, database_url, tmp_path):
    await add_clients(pool, ["POLRES_A"])
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON, api={"max_string_kb": 64}) as env:
        env.fake.fail("ig_likes", "huge_string", size=200_000, times=None)
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert not c.ok and "answer refused: a field is over 65,536 bytes" in c.error
    assert c.after.instagram_posts == 3 and c.likes_new == 0  # the posts are stored, no liker from that page


async def test_a_page_of_fifty_thousand_posts_is_rejected_and_the_real_posts_are_kept(pool, database_url, tmp_path):
    await add_clients(pool, ["POLRES_A"])
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON,
                         api={"timeout_seconds": 60}) as env:  # a 15 MB page on a busy machine
        await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        env.fake.fail("ig_posts", "flood", size=50_000, times=None)
        env.fake.fail("tt_posts", "flood", size=500, times=None)
        env.clock.advance(minutes=25)
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert not c.ok
    assert "instagram posts of polresa: implausible page: 50,005 items on one page (at most 60 expected)" in c.error
    assert "tiktok posts of polresa: implausible page" in c.error
    assert c.instagram.new == c.instagram.removed == [] and c.tiktok.removed == []
    assert await stored_tasks(pool, "POLRES_A") == ["POLRES_A_IG0", "POLRES_A_IG1", "POLRES_A_IG2"]
    assert await pool.fetchval("SELECT count(*) FROM instagram_posts WHERE shortcode LIKE 'FAKE%'") == 0


async def test_likers_far_above_the_posts_own_count_are_not_stored(pool, database_url, tmp_path):
    await add_clients(pool, ["POLRES_A"])
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON) as env:
        env.fake.fail("ig_likes", "flood", key="POLRES_A_IG1", size=5_000, times=None)  # the post reports 40 likes
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert not c.ok and "instagram POLRES_A_IG1: implausible answer: 5,040 likers for a post that reports 40" in c.error
    assert c.likes_new == 2 * 40  # the two other posts' likers
    assert await pool.fetchval("SELECT count(*) FROM engagements WHERE username LIKE 'bot%'") == 0


async def test_a_run_asked_for_behind_a_stuck_one_waits_only_that_runs_own_bound(pool, database_url, tmp_path):
    """A run 'in flight' that never ends (a process holding the lock): the queued request gives up."""
    from jobs import fetch

    await add_clients(pool, ["POLRES_A"])
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON,
                         fetch={"run_deadline_minutes": 0.01, "client_deadline_minutes": 0.01}) as env:
        holder = await pool.acquire()
        try:
            await holder.execute("SELECT pg_advisory_lock($1, $2)", fetch.LOCK_CLASS, fetch.LOCK_RUN)
            result = await run_cycle(env.deps, phase="post_fetch", trigger="admin")  # waits ~1.2 s, not 6 h
        finally:
            await holder.execute("SELECT pg_advisory_unlock_all()")
            await pool.release(holder)
    assert result.lock_skipped and result.status == "skipped"
    assert "did not finish within 0.022 min" in result.note
