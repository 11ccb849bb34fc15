"""The collection cycle over the task queue: `QueueRunner` publishes one task per client and
hands each stored result back to the cycle; at the deadline, unstarted tasks are given up.

The worker side here runs a stand-in `collect_client` (the real one is exercised
end to end in test_queue_fetch.py), so these tests pin the runner's contract.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from db import tasks as task_db
from db.clients import Client
from core.clock import ManualClock
from jobs.fetch_model import ClientResult, CyclePlan, PlatformCounts
from jobs.queue.collect_runner import QueueRunner
from jobs.queue.executor import Executor
from jobs.queue.in_process import InProcessQueue
from jobs.queue.model import BACKEND_IN_PROCESS, BACKEND_RABBITMQ, TaskRegistry
from jobs.queue.rabbit import RabbitQueue, RabbitWorker, Topology
from tests.test_queue import RABBIT_URL, _rabbit_reachable, delete_topology, eventually, with_queue

NOW = datetime(2026, 2, 17, 9, 5)


async def fake_collect(ctx) -> dict:
    """Stand-in for jobs.fetch.collect_client: a result that names the client and the phase."""
    p = ctx.task.payload
    result = ClientResult(client_id=p["client_id"], phase=p["phase"], likes_written=len(p["client_id"]),
                          after=PlatformCounts(instagram_posts=3))
    await ctx.pool.execute("INSERT INTO queue_cycle_runs (client_id, task_id) VALUES ($1, $2)", p["client_id"],
                           ctx.task.id)
    return result.to_dict()


class Backend:
    def __init__(self, kind: str, settings, pool, clock):
        self.kind, self.settings, self.pool, self.clock = kind, settings, pool, clock
        self.queue = None
        self.workers: list[RabbitWorker] = []

    def executor(self, name: str) -> Executor:
        return Executor(pool=self.pool, registry=TaskRegistry({"collect_client": fake_collect}), clock=self.clock,
                        delivery_limit=3, worker=name)

    async def start(self, *, workers: int = 1):
        if self.kind == BACKEND_IN_PROCESS:
            self.queue = InProcessQueue(self.executor("inproc"), concurrency=2)
            await self.queue.start()
            return self.queue
        self.queue = RabbitQueue(self.settings.queue, self.pool)
        await self.queue.start()
        for i in range(workers):
            await self.add_worker(f"w{i + 1}")
        return self.queue

    async def add_worker(self, name: str) -> RabbitWorker:
        w = RabbitWorker(self.settings.queue, self.executor(name), connection_name=f"test-{name}")
        await w.start()
        self.workers.append(w)
        return w

    async def close(self):
        for w in self.workers:
            await w.stop()
        if self.queue is not None:
            await self.queue.stop()
        if self.kind == BACKEND_RABBITMQ:
            await delete_topology(self.settings.queue.url, Topology.from_settings(self.settings.queue))


@pytest.fixture
async def runs(pool):
    await pool.execute("CREATE TABLE IF NOT EXISTS queue_cycle_runs (client_id TEXT, task_id UUID)")
    await pool.execute("TRUNCATE queue_cycle_runs")


def backend_fixture(kinds):
    @pytest.fixture(params=kinds)
    async def fixture(request, settings, pool, runs):
        if request.param == BACKEND_RABBITMQ and not _rabbit_reachable():
            pytest.skip(f"no RabbitMQ reachable at {RABBIT_URL}")
        s = with_queue(settings, url=RABBIT_URL if request.param == BACKEND_RABBITMQ else "",
                       queue_name=f"cicero.test.{secrets.token_hex(4)}")
        b = Backend(request.param, s, pool, ManualClock(NOW))
        yield b
        await b.close()

    return fixture


backend = backend_fixture([BACKEND_IN_PROCESS, BACKEND_RABBITMQ])
rabbit_backend = backend_fixture([BACKEND_RABBITMQ])


def plan_for(client_ids: list[str], clock, *, deadline_in: timedelta, started: list, finished: list) -> CyclePlan:
    async def may_start(client):
        started.append(client.id)
        return True

    async def on_finished(result):
        finished.append(result)

    now = clock.now()
    return CyclePlan(clients=[Client(id=c, name=c, type="org") for c in client_ids], phase="post_fetch", now=now,
                     job_run_id=None, deadline=now + deadline_in, may_start=may_start, finished=on_finished)


async def test_each_client_becomes_one_task_and_every_result_comes_back(backend, pool):
    queue = await backend.start(workers=2)
    started, finished = [], []
    plan = plan_for(["POLRES_A", "POLRES_BB", "POLRES_CCC"], backend.clock, deadline_in=timedelta(minutes=20),
                    started=started, finished=finished)

    await QueueRunner(queue, pool)(SimpleNamespace(clock=backend.clock), plan)

    assert started == ["POLRES_A", "POLRES_BB", "POLRES_CCC"]
    by_client = {r.client_id: r for r in finished}
    assert sorted(by_client) == ["POLRES_A", "POLRES_BB", "POLRES_CCC"]
    assert all(r.ok and r.phase == "post_fetch" for r in finished)
    assert by_client["POLRES_CCC"].likes_written == 10 and by_client["POLRES_A"].after.instagram_posts == 3
    rows = await pool.fetch("SELECT kind, status, attempts, payload, not_after FROM tasks ORDER BY payload->>'client_id'")
    assert [(r["kind"], r["status"], r["attempts"]) for r in rows] == [("collect_client", "done", 1)] * 3
    assert rows[0]["payload"] == {"client_id": "POLRES_A", "phase": "post_fetch", "now": plan.now.isoformat()}
    assert rows[0]["not_after"] == plan.deadline
    assert await pool.fetchval("SELECT count(*) FROM queue_cycle_runs") == 3


async def test_a_client_whose_task_dies_is_a_failed_client_not_a_lost_one(backend, pool):
    backend_registry_fail = {"collect_client": _always_fails}
    queue = await backend.start(workers=1)
    if backend.kind == BACKEND_IN_PROCESS:
        queue.executor.registry = TaskRegistry(backend_registry_fail)
    else:
        for w in backend.workers:
            w.executor.registry = TaskRegistry(backend_registry_fail)
    finished: list[ClientResult] = []
    plan = plan_for(["POLRES_A"], backend.clock, deadline_in=timedelta(minutes=20), started=[], finished=finished)

    await QueueRunner(queue, pool)(SimpleNamespace(clock=backend.clock), plan)

    [result] = finished
    assert (result.client_id, result.ok) == ("POLRES_A", False)
    assert "dead" in result.error and "RapidAPI down" in result.error


async def _always_fails(ctx):
    raise RuntimeError("RapidAPI down")


async def test_at_the_deadline_unstarted_tasks_are_given_up_and_never_run_later(rabbit_backend, pool):
    queue = await rabbit_backend.start(workers=0)  # nobody is consuming
    finished: list[ClientResult] = []
    plan = plan_for(["POLRES_A", "POLRES_B"], rabbit_backend.clock, deadline_in=timedelta(seconds=0.3),
                    started=[], finished=finished)

    await QueueRunner(queue, pool, grace_seconds=0.1, poll_seconds=0.05)(
        SimpleNamespace(clock=rabbit_backend.clock), plan)

    assert sorted(r.client_id for r in finished) == ["POLRES_A", "POLRES_B"]
    assert all(not r.ok and "no worker started" in r.error for r in finished)
    assert await pool.fetchval("SELECT count(*) FROM tasks WHERE status = 'dead'") == 2

    worker = await rabbit_backend.add_worker("late")  # a worker that comes up afterwards skips them

    async def drained():
        return worker.processed.get("duplicate", 0) == 2

    await eventually(drained, what="both stale deliveries acknowledged")
    assert await pool.fetchval("SELECT count(*) FROM queue_cycle_runs") == 0
    rows = await task_db.task_records(pool, [r["id"] for r in await pool.fetch("SELECT id FROM tasks")])
    assert {r.attempts for r in rows} == {0}


async def test_with_the_broker_down_the_bot_starts_and_the_cycle_runs_in_process(settings, pool, runs):
    s = with_queue(settings, url="amqp://guest:guest@127.0.0.1:1/", queue_name="cicero.test.down")
    clock = ManualClock(NOW)
    queue = RabbitQueue(s.queue, pool, required=False)
    await queue.start()  # logs, does not raise
    assert queue.health()["status"] == "down" and "cannot reach RabbitMQ" in queue.health()["error"]
    ran_here: list[str] = []

    async def fallback(deps, plan):
        for client in plan.clients:
            assert await plan.may_start(client)
            ran_here.append(client.id)
            await plan.finished(ClientResult(client_id=client.id, phase=plan.phase))

    finished: list[ClientResult] = []
    plan = plan_for(["POLRES_A", "POLRES_B", "POLRES_C"], clock, deadline_in=timedelta(minutes=20), started=[],
                    finished=finished)
    reporter = SimpleNamespace(messages=[])

    async def warning(text, **_):
        reporter.messages.append(text)

    reporter.warning = warning
    await QueueRunner(queue, pool, fallback=fallback)(SimpleNamespace(clock=clock, reporter=reporter), plan)

    assert ran_here == ["POLRES_A", "POLRES_B", "POLRES_C"]
    assert all(r.ok for r in finished) and len(finished) == 3
    assert "RabbitMQ tidak terjangkau" in reporter.messages[0]
    assert await pool.fetchval("SELECT count(*) FROM tasks") == 0  # nothing half-queued


async def test_with_the_broker_down_and_no_fallback_every_client_fails_with_the_reason(settings, pool, runs):
    s = with_queue(settings, url="amqp://guest:guest@127.0.0.1:1/", queue_name="cicero.test.down")
    clock = ManualClock(NOW)
    queue = RabbitQueue(s.queue, pool, required=False)
    await queue.start()
    finished: list[ClientResult] = []
    plan = plan_for(["POLRES_A", "POLRES_B"], clock, deadline_in=timedelta(minutes=20), started=[],
                    finished=finished)

    await QueueRunner(queue, pool)(SimpleNamespace(clock=clock), plan)

    assert [(r.client_id, r.ok) for r in finished] == [("POLRES_A", False), ("POLRES_B", False)]
    assert all("not queued: cannot reach RabbitMQ" in r.error for r in finished)
