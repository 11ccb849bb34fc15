"""The real collection cycle on RabbitMQ workers, against the fake RapidAPI over loopback.

The cycle runs in the test process (as in `cicero run`) with a `QueueRunner`;
`collect_client` runs on workers — in-test ones, and real `cicero worker`
processes for the crash test. The clock is the system clock here because the
worker processes use it for the cycle deadline; the fake's posts are dated today.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys

import httpx
import pytest

from bot.adminlog import AdminLog
from core.clock import SystemClock, local_day
from jobs.fetch import run_cycle
from jobs.fetch_model import FetchDeps
from jobs.queue.collect_runner import QueueRunner
from jobs.queue.executor import Executor
from jobs.queue.rabbit import RabbitQueue, RabbitWorker, Topology
from jobs.queue.kinds import default_registry
from jobs.sources.fake_rapidapi import FakeRapidApi, Scenario
from tests.support.factories import Factory
from tests.support.fetch_env import API_KEY, fetch_settings
from tests.test_queue import RABBIT_URL, ROOT, _rabbit_reachable, delete_topology, eventually, wait_for_line

pytestmark = pytest.mark.skipif(not _rabbit_reachable(), reason=f"no RabbitMQ reachable at {RABBIT_URL}")

CLIENTS = [f"POLRES_Q{i}" for i in range(6)]
IG_POSTS, TT_POSTS, LIKERS, COMMENTERS = 2, 2, 60, 40


@pytest.fixture
async def world(pool, database_url, tmp_path):
    """Clients in the database, a fake RapidAPI with today's posts, settings and FetchDeps for the bot side."""
    clock = SystemClock()
    scenario = Scenario.generated(day=local_day(clock.now()), clients=CLIENTS, ig_posts=IG_POSTS, tt_posts=TT_POSTS,
                                  likers=LIKERS, commenters=COMMENTERS, api_key=API_KEY)
    f = Factory(pool)
    for cid in CLIENTS:
        await f.client(cid)
    fake = FakeRapidApi(scenario)
    base = await fake.start()
    settings = fetch_settings(database_url, base, tmp_path,
                              queue={"url": RABBIT_URL, "queue_name": f"cicero.test.{secrets.token_hex(4)}"},
                              whatsapp={"admins": ["6281100000001"]})
    async with httpx.AsyncClient() as http:
        deps = FetchDeps(pool=pool, settings=settings, clock=clock, http=http)
        yield fake, settings, deps
    await fake.stop()
    await delete_topology(RABBIT_URL, Topology.from_settings(settings.queue))


def assert_every_client_collected(result, expected=CLIENTS):
    assert result.status == "ok", [(c.client_id, c.error) for c in result.clients]
    assert sorted(c.client_id for c in result.clients) == sorted(expected)
    for c in result.clients:
        assert (c.after.instagram_posts, c.after.tiktok_posts) == (IG_POSTS, TT_POSTS)
        assert (c.after.likes, c.after.comments) == (IG_POSTS * LIKERS, TT_POSTS * COMMENTERS)


async def engagement_count(pool) -> int:
    return await pool.fetchval("SELECT count(*) FROM engagements")


async def test_a_cycle_runs_on_two_workers_and_fills_the_same_data(world, pool):
    fake, settings, deps = world
    publisher = RabbitQueue(settings.queue, pool)
    await publisher.start()
    workers = []
    for name in ("w1", "w2"):
        ex = Executor(pool=pool, registry=default_registry(), clock=deps.clock,
                      reporter=AdminLog(pool=pool, settings=settings, clock=deps.clock),
                      services={"settings": settings, "fetch_deps": deps}, worker=name)
        w = RabbitWorker(settings.queue, ex, connection_name=f"test-{name}")
        await w.start()
        workers.append(w)
    try:
        result = await run_cycle(deps, phase="post_fetch", trigger="manual", runner=QueueRunner(publisher, pool))
    finally:
        for w in workers:
            await w.stop()
        await publisher.stop()

    assert_every_client_collected(result)
    tasks = await pool.fetch("SELECT status, attempts, worker, job_run_id FROM tasks")
    assert len(tasks) == len(CLIENTS) and {t["status"] for t in tasks} == {"done"}
    assert {t["worker"] for t in tasks} == {"w1", "w2"}
    assert {t["job_run_id"] for t in tasks} == {result.job_run_id}
    distinct = len(CLIENTS) * (IG_POSTS * LIKERS + TT_POSTS * COMMENTERS)
    # generated engagers are drawn from one pool, so compare with what the posts hold
    assert await engagement_count(pool) == await pool.fetchval(
        "SELECT count(*) FROM (SELECT DISTINCT platform, post_id, username FROM engagements) e")
    assert await engagement_count(pool) == distinct


@pytest.mark.slow
async def test_killing_a_cicero_worker_mid_cycle_loses_nothing(world, pool):
    fake, settings, deps = world
    fake.fail("ig_likes", "slow", times=None, delay=0.15)  # each client takes a moment
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CICERO_CONFIG": str(ROOT / "tests" / "absent-config.toml"),
           "CICERO_DATABASE__URL": settings.database.url, "CICERO_GENERAL__ENVIRONMENT": "development",
           "CICERO_QUEUE__URL": RABBIT_URL, "CICERO_QUEUE__QUEUE_NAME": settings.queue.queue_name,
           "CICERO_WHATSAPP__ADMINS": json.dumps(settings.whatsapp.admins),
           "CICERO_INSTAGRAM__BASE_URL": settings.instagram.base_url, "CICERO_INSTAGRAM__KEY": API_KEY,
           "CICERO_TIKTOK__BASE_URL": settings.tiktok.base_url, "CICERO_TIKTOK__KEY": API_KEY}
    procs = []
    for _ in range(2):
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "worker", cwd=ROOT, env=env,
                                                    stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.STDOUT)
        procs.append(proc)
        await wait_for_line(proc, "consuming")
    publisher = RabbitQueue(settings.queue, pool)
    await publisher.start()
    try:
        cycle = asyncio.create_task(
            run_cycle(deps, phase="post_fetch", trigger="manual", runner=QueueRunner(publisher, pool)))
        victim = procs[0]

        async def victim_busy():
            return await pool.fetchval("SELECT count(*) FROM tasks WHERE status = 'running' AND worker LIKE $1",
                                       f"%:{victim.pid}")

        await eventually(victim_busy, what="a task running on the first worker")
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        result = await asyncio.wait_for(cycle, 120)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await proc.wait()
        await publisher.stop()

    assert_every_client_collected(result)
    tasks = await pool.fetch("SELECT status, attempts, worker FROM tasks")
    assert len(tasks) == len(CLIENTS) and {t["status"] for t in tasks} == {"done"}
    redone = [t for t in tasks if t["attempts"] == 2]
    assert len(redone) >= 1 and all(t["worker"].endswith(f":{procs[1].pid}") for t in redone)
    assert await engagement_count(pool) == len(CLIENTS) * (IG_POSTS * LIKERS + TT_POSTS * COMMENTERS)


@pytest.mark.slow
async def test_cicero_fetch_publishes_to_the_workers_when_a_broker_is_configured(world, pool):
    fake, settings, deps = world
    ex = Executor(pool=pool, registry=default_registry(), clock=deps.clock,
                  services={"settings": settings, "fetch_deps": deps}, worker="w1")
    worker = RabbitWorker(settings.queue, ex, connection_name="test-w1")
    await worker.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CICERO_CONFIG": str(ROOT / "tests" / "absent-config.toml"),
           "CICERO_DATABASE__URL": settings.database.url, "CICERO_GENERAL__ENVIRONMENT": "development",
           "CICERO_QUEUE__URL": RABBIT_URL, "CICERO_QUEUE__QUEUE_NAME": settings.queue.queue_name,
           "CICERO_INSTAGRAM__BASE_URL": "http://127.0.0.1:9", "CICERO_TIKTOK__BASE_URL": "http://127.0.0.1:9"}
    try:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "fetch", cwd=ROOT, env=env,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out = (await asyncio.wait_for(proc.stdout.read(), 120)).decode()
        assert await proc.wait() == 0, out
    finally:
        await worker.stop()

    # the CLI process had no working RapidAPI URL: every client was collected by the worker
    assert "): ok" in out
    tasks = await pool.fetch("SELECT status, worker FROM tasks")
    assert [(t["status"], t["worker"]) for t in tasks] == [("done", "w1")] * len(CLIENTS)
    assert await engagement_count(pool) == len(CLIENTS) * (IG_POSTS * LIKERS + TT_POSTS * COMMENTERS)
