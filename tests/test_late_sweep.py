"""Late engagement: the daily sweep of earlier days' posts, and `cicero fetch --day`."""

from __future__ import annotations

from datetime import date

from db.posts import last_engagement_fetch
from handlers.reports.attendance import Period, Platform, build_attendance
from handlers.reports.text import render_division_detail
from jobs.fetch import run_cycle
from jobs.schedule import fire_times, phase_at
from jobs.sources.fake_rapidapi import Scenario
from tests.support.api import PASSWORD, api_client, api_deps, bearer, dashboard_token, make_account
from tests.support.factories import Factory, wib
from tests.support.fetch_env import fetch_env
from tests.test_fetch_cli import run_cli, write_config

DAY = date(2026, 2, 17)


def test_the_sweep_is_on_the_schedule_after_the_last_evening_run(settings):
    times = fire_times(settings, DAY)
    assert times[-1].time == "23:30" and times[-1].phase == "late_sweep"
    assert max(ft.time for ft in times if ft.phase == "engagement_only") < "23:30"
    assert phase_at(settings, wib(2026, 2, 18, 23, 30)) == "late_sweep"


async def test_likes_that_arrive_after_the_last_evening_run_are_recorded_by_the_sweep(pool, database_url, tmp_path,
                                                                                      settings):
    f = Factory(pool)
    await f.client("POLRES_A")
    await f.person("1001", client_id="POLRES_A", instagram="telat")
    sc = Scenario.generated(day=DAY, clients=["POLRES_A"], ig_posts=2, tt_posts=1, likers=10, commenters=4)
    async with fetch_env(pool, database_url, tmp_path, sc, wib(2026, 2, 17, 12, 5)) as env:
        notified = []

        async def hook(result):
            notified.append(result.client_id)

        env.deps.after_client = hook
        await run_cycle(env.deps, phase="post_fetch", trigger="schedule")
        env.clock.set(wib(2026, 2, 17, 22, 0))
        await run_cycle(env.deps, trigger="schedule")  # the last engagement-only run of the day
        for post in sc.account("instagram", "polresa").posts:
            if post.id.startswith("POLRES_A_IG"):
                post.engagers.append("telat")  # liked after 22:00
        env.clock.set(wib(2026, 2, 18, 23, 30))
        notified.clear()
        env.fake.requests.clear()
        sweep = await run_cycle(env.deps, trigger="schedule")
    assert sweep.phase == "late_sweep" and sweep.status == "ok"
    c = sweep.clients[0]
    assert c.likes_new == 2 and c.after.likes == c.before.likes + 2
    assert {r.call for r in env.fake.requests} == {"ig_likes", "tt_comments"}  # engagement only, no listing
    assert notified == []  # no task notifications about a past day
    start, end = Period.on(DAY).bounds()
    assert await last_engagement_fetch(pool, "instagram", ["POLRES_A"], start, end) == wib(2026, 2, 18, 23, 30)

    # attendance of that day changed accordingly, and its report says when the data was fetched
    await make_account(pool, "op_a", role="operator", client_ids=["POLRES_A"])
    async with api_client(api_deps(settings, pool, env.clock)) as http:
        token = await dashboard_token(http, "op_a", PASSWORD)
        r = await http.get("/api/insta/rekap-likes", params={"client_id": "POLRES_A", "periode": "harian",
                                                              "tanggal": DAY.isoformat()}, headers=bearer(token))
    assert r.status_code == 200, r.text
    assert {row["user_id"]: row["jumlah_like"] for row in r.json()["data"]}["1001"] == 2
    client = await f.client("POLRES_A")
    report = await build_attendance(pool, client, Period.on(DAY), Platform.INSTAGRAM)
    assert "Data likes/komentar per: Rabu, 18 Februari 2026, pukul 23.30 WIB" in render_division_detail(
        report, wib(2026, 2, 19, 8, 0))


async def test_cicero_fetch_day_refreshes_one_past_day(pool, database_url, tmp_path):
    from core.clock import SystemClock
    from jobs.sources.fake_rapidapi import FakeRapidApi
    from datetime import timedelta

    await Factory(pool).client("POLRES_A")
    yesterday = SystemClock().now().date() - timedelta(days=1)
    sc = Scenario.generated(day=yesterday, clients=["POLRES_A"], ig_posts=2, tt_posts=1, likers=6, commenters=3,
                            api_key="cli-key")
    async with FakeRapidApi(sc) as fake:
        cfg = write_config(tmp_path, database_url, fake.base_url)
        # yesterday's tasks, stored when they were today's (a post-fetch on that day)
        from db.posts import PostRecord
        from bench._db import store_posts

        await store_posts(pool, "instagram", "POLRES_A", [PostRecord(p.id, p.posted_at, like_count=6)
                                                          for p in sc.account("instagram", "polresa").posts
                                                          if p.posted_at.date() == yesterday])
        code, out = await run_cli("--config", str(cfg), "fetch", "--day", yesterday.isoformat())
        assert code == 0, out
        assert f"likes/comments only, {yesterday.isoformat()}" in out
        assert {r.call for r in fake.requests} <= {"ig_likes", "tt_comments"}
        assert await pool.fetchval("SELECT count(*) FROM engagements WHERE platform = 'instagram'") == 12
        code, out = await run_cli("--config", str(cfg), "fetch", "--day", "2999-01-01")
        assert code == 2 and "is in the future" in out
