"""The simulated day through the REAL collection cycle (`run_cycle`) against the fake RapidAPI.

Same story and same checks as `test_notify_day.py`, but posts reach the
database only through `jobs.fetch.run_cycle` (post_fetch runs and one manual
fetch at 19:40; engagement-only runs fetch no posts) and notifications run
from the cycle's `after_client` hook wired with `jobs.notify.make_after_client`.
"""

from datetime import datetime

from bot.whatsapp.fake import FakeGateway  # noqa: F401  (the day runner uses it)
from jobs.fetch import run_cycle
from jobs.notify import make_after_client
from jobs.sources.fake_rapidapi import FakeAccount, FakePost, Scenario
from tests.support.factories import Factory
from tests.support.fetch_env import fetch_env
from tests.test_notify_day import (
    EVENTS, GROUPS, MANUAL_FETCH_AT, assert_day_changes, check_day, simulate_day, wib,
)

ALL_CLIENTS = [*GROUPS, "POLRES_NOGROUP"]


def handle(cid: str) -> str:
    return cid.lower().replace("_", "")


def scenario_for_clients() -> Scenario:
    accounts = []
    for cid in ALL_CLIENTS:
        accounts += [FakeAccount("instagram", handle(cid)), FakeAccount("tiktok", handle(cid))]
    return Scenario(accounts=accounts)


def publish_until(scenario: Scenario, now: datetime) -> None:
    """Make the fake platform show what exists at `now`."""
    for e in EVENTS:
        account = scenario.account(e.platform, handle(e.client_id))
        existing = next((p for p in account.posts if p.id == e.post_id), None)
        if existing is None and e.posted_at <= now:
            existing = FakePost(id=e.post_id, posted_at=e.posted_at, caption=f"Kegiatan {e.post_id}",
                                engagers=["warga00001"])
            account.posts.append(existing)
        if existing is not None and e.removed_at and e.removed_at <= now:
            existing.removed = True


async def test_simulated_day_through_the_collection_cycle(pool, database_url, tmp_path):
    scenario = scenario_for_clients()
    async with fetch_env(pool, database_url, tmp_path, scenario, wib(2026, 2, 17, 6, 0),
                         whatsapp={"send_interval_seconds": 0, "transport": "console"}) as env:
        f = Factory(pool)
        for cid in ALL_CLIENTS:
            await f.client(cid, type="direktorat" if cid == "DITBINMAS" else "org", group_ids=GROUPS.get(cid, []))
        cycles = []

        async def run(clock, reporter, phase):
            env.clock.set(clock.now())
            publish_until(scenario, clock.now())
            env.deps.reporter = reporter
            env.deps.after_client = make_after_client(pool, env.settings, clock, reporter)
            trigger = "manual" if clock.now() == MANUAL_FETCH_AT else "schedule"
            result = await run_cycle(env.deps, phase=phase, trigger=trigger)
            cycles.append((clock.now().strftime("%H:%M"), phase, result.status, len(result.clients)))

        gateway, reporter = await simulate_day(pool, env.settings, run)

    assert len(cycles) == 34 and all(n == len(ALL_CLIENTS) for *_, n in cycles), cycles
    assert all(status == "ok" for _, _, status, _ in cycles), cycles
    task_rows = await check_day(pool, gateway)
    a1 = GROUPS["POLRES_A"][0]
    assert_day_changes(task_rows)
    list_1705 = next(r.body for r in task_rows if r.recipient == a1 and r.idempotency_key.endswith("-17@05"))
    assert "📸 Instagram: *2* unggahan" in list_1705 and "🎵 TikTok: *1* video" in list_1705
    assert "Like: 1 | Komentar: 0" in list_1705  # counts as collected from the fake API
    assert reporter.texts("error") == []
