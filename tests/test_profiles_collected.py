"""Each post-fetch run stores the accounts' profile figures (one call per client and platform at most)."""

from __future__ import annotations

from datetime import date

from db.profiles import latest_profile, profile_history
from jobs.fetch import run_cycle
from jobs.sources.fake_rapidapi import Scenario
from tests.support.factories import Factory, wib
from tests.support.fetch_env import fetch_env

DAY = date(2026, 2, 17)


async def test_profiles_are_stored_per_day_with_at_most_one_call_per_run(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    sc = Scenario.generated(day=DAY, clients=["POLRES_A"], ig_posts=2, tt_posts=1, likers=5, commenters=3)
    sc.account("instagram", "polresa").followers = 15_300
    sc.account("tiktok", "polresa").followers = 4_100
    async with fetch_env(pool, database_url, tmp_path, sc, wib(2026, 2, 17, 9, 5)) as env:
        await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        first_calls = [r.call for r in env.fake.requests]
        env.fake.requests.clear()
        env.clock.advance(minutes=25)  # inside [fetch] profile_refresh_minutes (180): no profile call
        await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        again = [r.call for r in env.fake.requests]
        env.fake.requests.clear()
        sc.account("instagram", "polresa").followers = 15_450
        env.clock.set(wib(2026, 2, 18, 9, 5))  # the next day: new figures, history kept
        await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        next_day = [r.call for r in env.fake.requests]
    assert first_calls.count("ig_info") == 1
    assert first_calls.count("tt_info") == 1  # the secUid lookup answered the profile too: no extra call
    assert "ig_info" not in again and "tt_info" not in again
    assert next_day.count("ig_info") == 1 and next_day.count("tt_info") == 1
    ig = await latest_profile(pool, "POLRES_A", "instagram")
    assert ig.day == date(2026, 2, 18) and ig.profile.followers == 15_450
    assert ig.profile.display_name == "POLRESA" and ig.profile.avatar_url == "https://cdn.example/polresa.jpg"
    assert ig.profile.post_count == 4 and ig.profile.bio == "Akun resmi POLRESA"
    tt = await latest_profile(pool, "POLRES_A", "tiktok")
    assert tt.profile.followers == 4_100 and tt.profile.username == "polresa"
    history = await profile_history(pool, "POLRES_A", "instagram", DAY, date(2026, 2, 18))
    assert [(h.day, h.profile.followers) for h in history] == [(DAY, 15_300), (date(2026, 2, 18), 15_450)]


async def test_a_failing_profile_call_is_a_warning_not_a_failure(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    sc = Scenario.generated(day=DAY, clients=["POLRES_A"], ig_posts=1, tt_posts=1, likers=3, commenters=2)
    async with fetch_env(pool, database_url, tmp_path, sc, wib(2026, 2, 17, 9, 5), api={"max_retries": 0}) as env:
        env.fake.fail("ig_info", "500", times=None)
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    c = result.clients[0]
    assert c.ok and any(w.startswith("instagram profile not refreshed:") for w in c.warnings)
    assert await latest_profile(pool, "POLRES_A", "instagram") is None
