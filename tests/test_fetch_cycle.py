"""The collection cycle against the fake RapidAPI over loopback and a real PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone

from db.engagements import usernames_of_post
from db.job_runs import get_run, recent_runs
from jobs.collect_client import collect_client
from jobs.fetch import run_cycle
from jobs.fetch_model import ClientResult
from jobs.sources.fake_rapidapi import FakeAccount, FakePost, Scenario
from tests.support.factories import Factory, wib
from tests.support.fetch_env import fetch_env

DAY = date(2026, 2, 17)
NOON = wib(2026, 2, 17, 12, 5)


def scenario(clients=("POLRES_A", "POLRES_B"), **kw) -> Scenario:
    kw.setdefault("ig_posts", 3)
    kw.setdefault("tt_posts", 2)
    kw.setdefault("likers", 120)
    kw.setdefault("commenters", 70)
    return Scenario.generated(day=DAY, clients=list(clients), **kw)


async def add_clients(pool, ids=("POLRES_A", "POLRES_B")):
    f = Factory(pool)
    for cid in ids:
        await f.client(cid)
    return f


async def snapshot(pool) -> dict:
    """Everything a cycle writes except last_seen_at, engagement_fetched_at and job_runs."""
    ig = await pool.fetch("SELECT shortcode, caption, posted_at, like_count, comment_count, is_video, "
                          "is_carousel, thumbnail_url, image_url, video_url, first_seen_at, updated_at "
                          "FROM instagram_posts ORDER BY shortcode")
    tt = await pool.fetch("SELECT video_id, caption, posted_at, like_count, comment_count, share_count, "
                          "view_count, cover_url, first_seen_at, updated_at FROM tiktok_posts ORDER BY video_id")
    tasks = await pool.fetch("SELECT platform, post_id, client_id, source, posted_at, first_seen_at, removed_at, "
                             "removed_reason, removed_by FROM client_posts ORDER BY 1, 2, 3")
    eng = await pool.fetch("SELECT platform, post_id, username, first_seen_at FROM engagements "
                           "ORDER BY platform, post_id, username")
    clients = await pool.fetch("SELECT id, tiktok_secuid, updated_at FROM clients ORDER BY id")
    return {"ig": [dict(r) for r in ig], "tt": [dict(r) for r in tt], "tasks": [dict(r) for r in tasks],
            "eng": [dict(r) for r in eng],
            "clients": [dict(r) for r in clients]}


async def test_post_fetch_cycle_fills_posts_and_engagement(pool, database_url, tmp_path):
    await add_clients(pool)
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        result = await run_cycle(env.deps, trigger="manual")
    assert result.phase == "post_fetch"
    assert result.status == "ok", [c.error for c in result.clients]
    assert sorted(c.client_id for c in result.clients) == ["POLRES_A", "POLRES_B"]
    a = next(c for c in result.clients if c.client_id == "POLRES_A")
    assert a.before.instagram_posts == 0 and a.after.instagram_posts == 3
    assert a.after.tiktok_posts == 2
    assert a.after.likes == 3 * 120 and a.after.comments == 2 * 70
    assert sorted(a.instagram.new) == ["POLRES_A_IG0", "POLRES_A_IG1", "POLRES_A_IG2"]
    # yesterday's posts are not today's tasks
    assert await pool.fetchval("SELECT count(*) FROM instagram_posts WHERE shortcode LIKE '%OLD%'") == 0
    # the secUid was looked up once and stored
    assert await pool.fetchval("SELECT tiktok_secuid FROM clients WHERE id = 'POLRES_A'") == "SEC-polresa"
    run = await get_run(pool, result.job_run_id)
    assert run.status == "ok" and run.phase == "post_fetch" and run.trigger == "manual"
    assert run.clients["POLRES_A"]["after"]["likes"] == 360
    assert run.finished_at is not None


async def test_same_cycle_twice_changes_nothing(pool, database_url, tmp_path):
    await add_clients(pool)
    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        first = await run_cycle(env.deps, trigger="manual")
        before = await snapshot(pool)
        rows_before = await pool.fetch("SELECT ctid, xmin::text FROM engagements ORDER BY 1")
        env.clock.advance(minutes=25)
        second = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        after = await snapshot(pool)
        rows_after = await pool.fetch("SELECT ctid, xmin::text FROM engagements ORDER BY 1")
        fetched = await pool.fetch("SELECT DISTINCT engagement_fetched_at FROM instagram_posts")
    assert first.status == second.status == "ok"
    assert before == after
    assert rows_before == rows_after  # no engagement row was rewritten by the repeat run…
    assert [r["engagement_fetched_at"] for r in fetched] == [env.clock.now()]  # …"last seen" is per post
    for c in second.clients:
        assert c.instagram.new == c.instagram.updated == c.instagram.removed == []
        assert c.tiktok.new == c.tiktok.updated == c.tiktok.removed == []
        assert c.before == c.after
    assert all(c.likes_new == c.comments_new == 0 and c.likes_written > 0 for c in second.clients)
    assert len(await recent_runs(pool, limit=10)) == 2


async def test_engagement_only_does_not_fetch_posts(pool, database_url, tmp_path):
    await add_clients(pool, ["POLRES_A"])
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), wib(2026, 2, 17, 18, 0)) as env:
        await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        env.fake.requests.clear()
        result = await run_cycle(env.deps, trigger="schedule")
        calls = {r.call for r in env.fake.requests}
    assert result.phase == "engagement_only"
    assert calls == {"ig_likes", "tt_comments"}


async def test_exception_personnel_are_not_written_as_likes(pool, database_url, tmp_path):
    f = await add_clients(pool, ["POLRES_A"])
    await f.person(client_id="POLRES_A", instagram="pak_kapolres", tiktok="pak_kapolres", exception=True)
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON) as env:
        await run_cycle(env.deps, trigger="manual")
    assert await pool.fetchval("SELECT count(*) FROM engagements WHERE username = 'pak_kapolres'") == 0


async def test_one_failing_client_does_not_stop_the_others(pool, database_url, tmp_path):
    await add_clients(pool, ["POLRES_A", "POLRES_B", "POLRES_C"])
    sc = scenario(["POLRES_A", "POLRES_B", "POLRES_C"])
    async with fetch_env(pool, database_url, tmp_path, sc, NOON) as env:
        env.fake.fail("ig_posts", "truncated", key="polresb", times=None)
        env.fake.fail("tt_info", "500", key="polresb", times=None)
        result = await run_cycle(env.deps, trigger="manual")
    assert result.status == "partial"
    by = {c.client_id: c for c in result.clients}
    assert by["POLRES_A"].ok and by["POLRES_C"].ok
    assert not by["POLRES_B"].ok
    assert "instagram posts of polresb: malformed JSON" in by["POLRES_B"].error
    assert "tiktok secUid of polresb" in by["POLRES_B"].error
    assert by["POLRES_C"].after.likes == 360
    run = await get_run(pool, result.job_run_id)
    assert run.status == "partial"
    assert [e["client_id"] for e in run.errors] == ["POLRES_B"]


async def test_after_client_hook_sees_every_result(pool, database_url, tmp_path):
    await add_clients(pool)
    seen: list[ClientResult] = []

    async def hook(result: ClientResult) -> None:
        seen.append(result)
        raise RuntimeError("notify broke")  # must not break the cycle

    async with fetch_env(pool, database_url, tmp_path, scenario(), NOON) as env:
        env.deps.after_client = hook
        result = await run_cycle(env.deps, trigger="manual")
    assert sorted(r.client_id for r in seen) == ["POLRES_A", "POLRES_B"]
    assert all(c.ok for c in result.clients)


async def test_deadline_stops_new_clients_and_reports_them(pool, database_url, tmp_path):
    ids = ["POLRES_A", "POLRES_B", "POLRES_C"]
    await add_clients(pool, ids)
    async with fetch_env(pool, database_url, tmp_path, scenario(ids), NOON,
                         fetch={"client_concurrency": 1, "run_deadline_minutes": 10}) as env:
        async def slow_clock(result):
            env.clock.advance(minutes=11)  # the first client took "11 minutes"

        env.deps.after_client = slow_clock
        result = await run_cycle(env.deps, trigger="manual")
    assert [c.client_id for c in result.clients] == ["POLRES_A"]
    assert result.skipped_clients == ["POLRES_B", "POLRES_C"]
    assert result.status == "partial"
    run = await get_run(pool, result.job_run_id)
    assert {"client_id": "POLRES_B", "error": "not started: run deadline passed"} in run.errors


async def test_today_is_jakarta_when_the_server_clock_is_utc(pool, database_url, tmp_path):
    """00:30 WIB on the 18th is 17:30 UTC on the 17th: today's tasks are the 18th's posts."""
    await add_clients(pool, ["POLRES_A"])
    sc = Scenario(accounts=[
        FakeAccount("instagram", "polresa", [
            FakePost("NEW_DAY", wib(2026, 2, 18, 0, 10), engagers=["andi"]),
            FakePost("LATE_YESTERDAY", wib(2026, 2, 17, 23, 50), engagers=["budi"]),
        ]),
        FakeAccount("tiktok", "polresa", []),
    ])
    now_utc = datetime(2026, 2, 17, 17, 30, tzinfo=timezone.utc)
    async with fetch_env(pool, database_url, tmp_path, sc, now_utc) as env:
        env.clock.tz = timezone.utc  # a server whose clock reports UTC
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    assert result.clients[0].instagram.new == ["NEW_DAY"]
    assert await usernames_of_post(pool, "instagram", "NEW_DAY") == ["andi"]
    assert await pool.fetchval("SELECT count(*) FROM instagram_posts WHERE shortcode = 'LATE_YESTERDAY'") == 0


async def test_collect_client_alone_is_what_a_worker_runs(pool, database_url, tmp_path):
    await add_clients(pool, ["POLRES_A"])
    from db.clients import get_client

    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON) as env:
        c = await get_client(pool, "POLRES_A")
        result = await collect_client(env.deps, c, "post_fetch", now=NOON)
    assert result.ok and result.after.instagram_posts == 3
    again = ClientResult.from_dict(result.to_dict())
    assert again == result


async def test_a_stale_secuid_is_looked_up_again(pool, database_url, tmp_path):
    f = Factory(pool)
    await f.client("POLRES_A", tiktok_secuid="SEC-outdated")
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON) as env:
        result = await run_cycle(env.deps, trigger="manual")
        assert [r.call for r in env.fake.requests if r.call.startswith("tt_") and r.call != "tt_comments"] == [
            "tt_posts", "tt_info", "tt_posts"]
    assert result.clients[0].ok, result.clients[0].error
    assert result.clients[0].after.tiktok_posts == 2
    assert await pool.fetchval("SELECT tiktok_secuid FROM clients WHERE id = 'POLRES_A'") == "SEC-polresa"


async def test_engagement_only_needs_no_secuid_lookup(pool, database_url, tmp_path):
    await add_clients(pool, ["POLRES_A"])
    async with fetch_env(pool, database_url, tmp_path, scenario(["POLRES_A"]), NOON) as env:
        await run_cycle(env.deps, phase="engagement_only", trigger="manual")
        assert env.fake.calls("tt_info") == []
