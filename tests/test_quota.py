"""The RapidAPI quota meter: requests per key and day, one warning under the share, one when exhausted."""

from __future__ import annotations

import json
from datetime import date

from db.quota import usage_on
from jobs.fetch import run_cycle
from jobs.quota import key_id
from jobs.sources.fake_rapidapi import Scenario
from tests.support.factories import Factory, wib
from tests.support.fetch_env import API_KEY, fetch_env
from tests.support.recording_reporter import RecordingReporter
from tests.test_fetch_cli import run_cli

DAY = date(2026, 2, 17)
NOON = wib(2026, 2, 17, 12, 5)
IG_FIRST_RUN, IG_RUN = 5, 4  # profile + 1 listing + 3 likers pages; the profile is then fresh for 3 hours
TT_FIRST_RUN, TT_LATER_RUN = 4, 3  # secUid + 1 listing + 2 comment pages; then the secUid is stored


async def test_the_admins_hear_once_when_the_quota_runs_low_and_once_when_it_is_exhausted(pool, database_url,
                                                                                           tmp_path):
    await Factory(pool).client("POLRES_A")
    sc = Scenario.generated(day=DAY, clients=["POLRES_A"], ig_posts=3, tt_posts=2, likers=10, commenters=5,
                            quota_limit=10)  # per product: IG 5 left, then 1 (10 %: low), then 0; TikTok 6, 3, 0
    async with fetch_env(pool, database_url, tmp_path, sc, NOON) as env:
        reporter = env.deps.reporter = RecordingReporter()
        for _ in range(4):
            await run_cycle(env.deps, phase="post_fetch", trigger="manual")
            env.clock.advance(minutes=25)
    quota_texts = [t for t in reporter.texts() if "Kuota RapidAPI" in t]
    low = [t for t in quota_texts if "tinggal" in t]
    gone = [t for t in quota_texts if "sudah habis" in t]
    # each key (instagram and tiktok are metered apart) is told once when low and once when gone
    assert low == ["⚠️ Kuota RapidAPI instagram (kunci %s) tinggal 10%% (1 dari 10 permintaan)." % key_id(API_KEY)]
    assert sorted(t.split()[3] for t in gone) == ["instagram", "tiktok"]
    usage = {u.platform: u for u in await usage_on(pool, DAY)}
    assert usage["instagram"].key_id == key_id(API_KEY)
    assert usage["instagram"].requests_today == IG_FIRST_RUN + 3 * IG_RUN
    assert usage["tiktok"].requests_today == TT_FIRST_RUN + 3 * TT_LATER_RUN
    assert usage["tiktok"].remaining == 0 and usage["tiktok"].limit_requests == 10


async def test_cicero_quota_shows_todays_use_and_the_projection(pool, database_url, tmp_path):
    from core.clock import SystemClock
    from jobs.sources.fake_rapidapi import FakeRapidApi
    from tests.test_fetch_cli import write_config

    await Factory(pool).client("POLRES_A")
    today = SystemClock().now().date()
    sc = Scenario.generated(day=today, clients=["POLRES_A"], ig_posts=2, tt_posts=1, likers=5, commenters=3,
                            api_key="cli-key", quota_limit=1000)
    async with FakeRapidApi(sc) as fake:
        cfg = write_config(tmp_path, database_url, fake.base_url)
        code, out = await run_cli("--config", str(cfg), "fetch")
        assert code == 0, out
        code, out = await run_cli("--config", str(cfg), "quota", "--json")
    assert code == 0, out
    lines = {line["platform"]: line for line in json.loads(out[out.index("["):])}
    ig = lines["instagram"]
    assert ig["requests_today"] == 4 and ig["key_id"] == key_id("cli-key")  # profile + 1 listing + 2 likers
    assert ig["projected_today"] >= ig["requests_today"]
    assert ig["limit_requests"] == 1000 and ig["remaining"] is not None and ig["remaining"] < 1000
