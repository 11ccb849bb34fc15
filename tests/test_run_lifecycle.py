"""A collection run always ends in a final state: cancelled on shutdown, abandoned when its process died."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from bot.cli import main
from db.job_runs import get_run, start_run
from jobs.fetch import LOCK_CLASS, LOCK_RUN, abandon_stale_runs, run_cycle
from jobs.fetch_model import CyclePlan, FetchDeps
from jobs.sources.fake_rapidapi import Scenario
from tests.support.factories import Factory, wib
from tests.support.fetch_env import fetch_env

DAY = date(2026, 2, 17)
NOON = wib(2026, 2, 17, 12, 5)


async def test_a_run_cancelled_mid_cycle_is_closed_as_cancelled(pool, database_url, tmp_path):
    await Factory(pool).client("POLRES_A")
    started = asyncio.Event()

    async def hanging_runner(deps: FetchDeps, plan: CyclePlan) -> None:
        started.set()
        await asyncio.Event().wait()  # a client that never finishes before the shutdown

    async with fetch_env(pool, database_url, tmp_path, Scenario.generated(day=DAY, clients=["POLRES_A"]), NOON) as env:
        run = asyncio.create_task(run_cycle(env.deps, trigger="manual", runner=hanging_runner))
        await started.wait()
        run.cancel()
        try:
            await run
        except asyncio.CancelledError:
            pass
    row = await pool.fetchrow("SELECT status, finished_at, note FROM job_runs ORDER BY id DESC LIMIT 1")
    assert row["status"] == "cancelled" and row["finished_at"] is not None
    assert "shutdown" in row["note"]
    # the lock went with the cancelled run: the next run is not skipped
    assert await pool.fetchval("SELECT pg_try_advisory_lock($1, $2)", LOCK_CLASS, LOCK_RUN)
    await pool.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, LOCK_RUN)


async def test_stale_running_rows_are_abandoned_at_start_up_but_not_while_a_run_holds_the_lock(pool):
    stale = await start_run(pool, job="fetch_posts", phase="post_fetch", trigger="schedule", started_at=NOON,
                            owner="gone-host:4242")
    async with pool.acquire() as holder:  # another process is running a cycle right now
        await holder.execute("SELECT pg_advisory_lock($1, $2)", LOCK_CLASS, LOCK_RUN)
        assert await abandon_stale_runs(pool, NOON) == []
        assert (await get_run(pool, stale)).status == "running"
        await holder.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, LOCK_RUN)
    assert await abandon_stale_runs(pool, wib(2026, 2, 17, 13)) == [stale]
    run = await get_run(pool, stale)
    assert run.status == "abandoned" and run.finished_at == wib(2026, 2, 17, 13)
    assert await abandon_stale_runs(pool, wib(2026, 2, 17, 14)) == []  # nothing left to close


def test_general_log_level_is_applied(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)  # the listing reads the phase switches
    cfg = tmp_path / "config.toml"
    cfg.write_text('[general]\nlog_level = "WARNING"\n', encoding="utf-8")
    assert main(["--config", str(cfg), "schedule", "--date", "2026-02-17", "--json"]) == 0
    assert logging.getLogger().getEffectiveLevel() == logging.WARNING
    assert main(["--config", str(cfg), "--debug", "schedule", "--date", "2026-02-17", "--json"]) == 0
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG
