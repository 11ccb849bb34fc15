"""Task queue behaviour, on both backends: in-process and a real RabbitMQ (127.0.0.1:5672).

Each RabbitMQ test uses its own queue names and deletes them afterwards. Tests
that kill a worker run it as a separate process (`tests/support/queue_worker.py`).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
import uuid
from pathlib import Path

import aio_pika
import pytest

from bot.adminlog import AdminLog
from db import tasks as task_db
from core.clock import SystemClock
from jobs.queue.executor import Executor, wait_for_tasks
from jobs.queue.in_process import InProcessQueue
from jobs.queue.model import BACKEND_IN_PROCESS, BACKEND_RABBITMQ, QueueUnavailable, Task, TaskRegistry
from jobs.queue.rabbit import RabbitQueue, RabbitWorker, Topology
from handlers.status import queue_status_lines
from jobs.queue.status import queue_status
from tests.conftest import _tcp_reachable
from tests.support.http_fake import Canned
from tests.support.queue_tasks import EFFECTS_DDL, TEST_HANDLERS

ROOT = Path(__file__).resolve().parent.parent
RABBIT_URL = os.environ.get("CICERO_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
BACKENDS = [BACKEND_IN_PROCESS, BACKEND_RABBITMQ]


def _rabbit_reachable() -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(RABBIT_URL)
    return _tcp_reachable(parts.hostname or "127.0.0.1", parts.port or 5672)


needs_rabbit = pytest.mark.skipif(not _rabbit_reachable(), reason=f"no RabbitMQ reachable at {RABBIT_URL}")


async def admin_messages(pool) -> list[str]:
    """Admin-log messages queued in the outbox (what the admins will read)."""
    rows = await pool.fetch("SELECT body FROM outbox WHERE kind = 'admin_log' ORDER BY id")
    return [r["body"] for r in rows]


async def eventually(predicate, *, timeout: float = 30.0, what: str = "condition"):
    """Poll an async predicate until it is truthy (a condition, not a time, is awaited)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def delete_topology(url: str, topology: Topology) -> None:
    conn = await aio_pika.connect(url)
    try:
        ch = await conn.channel()
        for name in (topology.queue, topology.dead_queue):
            await ch.queue_delete(name)
        await ch.exchange_delete(topology.dead_exchange)
    finally:
        await conn.close()


def with_queue(settings, **queue):
    return settings.model_copy(update={"queue": settings.queue.model_copy(update=queue)})


class Harness:
    """One backend, driven the same way: submit tasks, run consumers, crash them, deliver again."""

    def __init__(self, backend: str, settings, pool):
        self.backend = backend
        self.settings = settings
        self.pool = pool
        self.reporter = AdminLog(pool=pool, settings=settings, clock=SystemClock())
        self.publisher: RabbitQueue | None = None
        self.workers: list[RabbitWorker] = []
        self.inproc: InProcessQueue | None = None
        self.processes: list[asyncio.subprocess.Process] = []

    def executor(self, name: str) -> Executor:
        return Executor(pool=self.pool, registry=TaskRegistry(dict(TEST_HANDLERS)), clock=SystemClock(),
                        reporter=self.reporter, delivery_limit=self.settings.queue.delivery_limit, worker=name)

    async def start(self, consumers: int = 1) -> None:
        """Start the backend with `consumers` workers (in-process: concurrency)."""
        if self.backend == BACKEND_IN_PROCESS:
            self.inproc = InProcessQueue(self.executor("inproc"), concurrency=consumers)
            await self.inproc.start()
            return
        if self.publisher is None:
            self.publisher = RabbitQueue(self.settings.queue, self.pool)
            await self.publisher.start()
        for _i in range(consumers):
            await self.add_worker(f"w{len(self.workers) + 1}")

    async def add_worker(self, name: str) -> RabbitWorker:
        worker = RabbitWorker(self.settings.queue, self.executor(name), concurrency=1,
                              connection_name=f"test-{name}")
        await worker.start()
        self.workers.append(worker)
        return worker

    async def submit(self, task: Task) -> None:
        if self.backend == BACKEND_IN_PROCESS:
            await self.inproc.submit(task)
        else:
            await self.publisher.submit(task)

    async def deliver_again(self, task: Task) -> None:
        """The same task handed to the backend a second time (a duplicate or redelivery)."""
        if self.backend == BACKEND_IN_PROCESS:
            self.inproc.deliver(task)
        else:
            await self.publisher.publish(task)

    async def settled(self, deliveries: int) -> None:
        """Wait until `deliveries` deliveries were handled (in-process: until idle)."""
        if self.backend == BACKEND_IN_PROCESS:
            await self.inproc.stop()
            return

        async def handled():
            return sum(sum(w.processed.values()) for w in self.workers) >= deliveries

        await eventually(handled, what=f"{deliveries} deliveries handled")

    async def spawn_worker_process(self) -> asyncio.subprocess.Process:
        env = {
            **os.environ,
            "CICERO_DATABASE__URL": self.settings.database.url,
            "CICERO_QUEUE__URL": self.settings.queue.url,
            "CICERO_QUEUE__QUEUE_NAME": self.settings.queue.queue_name,
            "CICERO_QUEUE__DELIVERY_LIMIT": str(self.settings.queue.delivery_limit),
            "CICERO_GENERAL__ENVIRONMENT": "development",
            "CICERO_WHATSAPP__ADMINS": json.dumps(self.settings.whatsapp.admins),
            "PYTHONPATH": str(ROOT),
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.queue_worker", "1", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        self.processes.append(proc)
        await wait_for_line(proc, "consuming")
        return proc

    async def close(self) -> None:
        for proc in self.processes:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        if self.inproc is not None:
            await self.inproc.abort()
        for w in self.workers:
            await w.stop()
        if self.publisher is not None:
            await self.publisher.stop()
        if self.backend == BACKEND_RABBITMQ:
            await delete_topology(self.settings.queue.url, Topology.from_settings(self.settings.queue))


async def wait_for_line(proc, needle: str, timeout: float = 60.0) -> str:
    seen = []

    async def read():
        while True:
            line = await proc.stdout.readline()
            if not line:
                raise AssertionError("worker process exited early:\n" + "".join(seen))
            text = line.decode(errors="replace")
            seen.append(text)
            if needle in text:
                return text

    return await asyncio.wait_for(read(), timeout)


@pytest.fixture
async def effects(pool):
    await pool.execute(EFFECTS_DDL)
    await pool.execute("TRUNCATE queue_test_effects")

    async def rows(task_id=None):
        if task_id is None:
            return await pool.fetch("SELECT * FROM queue_test_effects ORDER BY started")
        return await pool.fetch("SELECT * FROM queue_test_effects WHERE task_id = $1", task_id)

    return rows


@pytest.fixture(params=BACKENDS)
async def harness(request, settings, pool, effects):
    backend = request.param
    if backend == BACKEND_RABBITMQ and not _rabbit_reachable():
        pytest.skip(f"no RabbitMQ reachable at {RABBIT_URL}")
    settings = with_queue(settings, url=RABBIT_URL if backend == BACKEND_RABBITMQ else "",
                          queue_name=f"cicero.test.{secrets.token_hex(4)}", delivery_limit=2)
    h = Harness(backend, settings, pool)
    yield h
    await h.close()


async def test_a_submitted_task_is_consumed_and_its_result_recorded(harness, pool, effects):
    await harness.start()
    task = Task(kind="effect", payload={"echo": "halo"})
    await harness.submit(task)

    [record] = await wait_for_tasks(pool, [task.id], timeout=30)

    assert (record.status, record.attempts, record.backend) == ("done", 1, harness.backend)
    assert record.result == {"echo": "halo", "attempt": 1}
    assert len(await effects(task.id)) == 1


async def test_a_task_delivered_twice_runs_once(harness, pool, effects):
    await harness.start()
    task = Task(kind="effect", payload={"echo": 1})
    await harness.submit(task)
    await wait_for_tasks(pool, [task.id], timeout=30)

    await harness.deliver_again(task)
    await harness.settled(deliveries=2)

    record = await task_db.task_record(pool, task.id)
    assert (record.status, record.attempts) == ("done", 1)
    assert len(await effects(task.id)) == 1


async def test_two_copies_delivered_at_once_run_once(harness, pool, effects):
    await harness.start(consumers=2)
    task = Task(kind="effect", payload={"seconds": 0.5})
    await harness.submit(task)
    await harness.deliver_again(task)  # a duplicate publish: the second consumer gets it while the first runs

    await harness.settled(deliveries=2)

    record = await task_db.task_record(pool, task.id)
    assert (record.status, record.attempts) == ("done", 1)
    assert len(await effects(task.id)) == 1


async def test_a_poison_task_is_dead_lettered_and_reported_to_admins(harness, pool):
    await harness.start()
    task = Task(kind="boom")
    await harness.submit(task)

    [record] = await wait_for_tasks(pool, [task.id], timeout=30)

    assert record.status == "dead"
    assert record.attempts == harness.settings.queue.delivery_limit
    assert "kaboom" in record.error
    [report] = await eventually(lambda: admin_messages(pool), what="an admin message in the outbox")
    assert "boom" in report and "kaboom" in report and str(task.id) in report
    if harness.backend == BACKEND_RABBITMQ:
        async def dead_lettered():
            return (await queue_status(harness.settings, pool)).dead_letters == 1

        await eventually(dead_lettered, what="one message in the dead-letter queue")


async def test_an_unknown_task_kind_is_dead_at_once(harness, pool):
    await harness.start()
    task = Task(kind="no_such_kind")
    await harness.submit(task)

    [record] = await wait_for_tasks(pool, [task.id], timeout=30)

    assert (record.status, record.attempts) == ("dead", 1)
    assert "unknown task kind" in record.error
    [report] = await eventually(lambda: admin_messages(pool), what="an admin message in the outbox")
    assert "no_such_kind" in report


async def test_two_workers_share_the_load(harness, pool, effects):
    await harness.start(consumers=2)
    tasks = [Task(kind="effect", payload={"echo": i, "seconds": 0.3}) for i in range(6)]
    for task in tasks:
        await harness.submit(task)

    records = await wait_for_tasks(pool, [t.id for t in tasks], timeout=60)

    assert [r.status for r in records] == ["done"] * 6
    rows = await effects()
    assert sorted(str(r["task_id"]) for r in rows) == sorted(str(t.id) for t in tasks)
    overlapping = any(a["started"] < b["finished"] and b["started"] < a["finished"]
                      for i, a in enumerate(rows) for b in rows[i + 1:])
    assert overlapping, "two tasks should have run at the same time"
    if harness.backend == BACKEND_RABBITMQ:
        assert {r["worker"] for r in rows} == {"w1", "w2"}


@pytest.mark.slow
async def test_a_worker_killed_mid_task_loses_nothing_and_the_task_completes_once(harness, pool, effects):
    task = Task(kind="hang_first")
    if harness.backend == BACKEND_IN_PROCESS:
        await harness.start()
        await harness.submit(task)
        await eventually(lambda: _status_is(pool, task, "running"), what="task running")
        await harness.inproc.abort()  # the process dies: the asyncio task is gone mid-run
        await harness.start()         # a new process resumes unfinished tasks
    else:
        harness.publisher = RabbitQueue(harness.settings.queue, pool)
        await harness.publisher.start()
        proc = await harness.spawn_worker_process()
        await harness.submit(task)
        await eventually(lambda: _status_is(pool, task, "running"), what="task running in the worker process")
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        await harness.add_worker("survivor")

    [record] = await wait_for_tasks(pool, [task.id], timeout=60)

    assert (record.status, record.attempts) == ("done", 2)
    [effect] = await effects(task.id)
    assert effect["attempt"] == 2


async def _status_is(pool, task, status):
    record = await task_db.task_record(pool, task.id)
    return record is not None and record.status == status


@pytest.mark.slow
@needs_rabbit
async def test_sigterm_finishes_the_running_task_and_requeues_nothing_twice(settings, pool, effects):
    settings = with_queue(settings, url=RABBIT_URL, queue_name=f"cicero.test.{secrets.token_hex(4)}")
    h = Harness(BACKEND_RABBITMQ, settings, pool)
    try:
        h.publisher = RabbitQueue(settings.queue, pool)
        await h.publisher.start()
        proc = await h.spawn_worker_process()
        slow, waiting = Task(kind="effect", payload={"seconds": 1.5}), Task(kind="effect")
        await h.submit(slow)
        await eventually(lambda: _status_is(pool, slow, "running"), what="slow task running")
        await h.submit(waiting)

        proc.send_signal(signal.SIGTERM)
        out = (await proc.stdout.read()).decode()
        assert await proc.wait() == 0, out
        assert "stopped cleanly" in out

        first = await task_db.task_record(pool, slow.id)
        assert (first.status, first.attempts) == ("done", 1)
        second = await task_db.task_record(pool, waiting.id)
        assert (second.status, second.attempts) == ("queued", 0)

        await h.add_worker("next")
        [second] = await wait_for_tasks(pool, [waiting.id], timeout=30)
        assert (second.status, second.attempts) == ("done", 1)
        assert len(await effects()) == 2
    finally:
        await h.close()


@pytest.mark.slow
@needs_rabbit
async def test_an_unreadable_message_is_dead_lettered_and_reported(settings, pool):
    settings = with_queue(settings, url=RABBIT_URL, queue_name=f"cicero.test.{secrets.token_hex(4)}")
    h = Harness(BACKEND_RABBITMQ, settings, pool)
    try:
        await h.start()
        channel = h.publisher._channel
        await channel.default_exchange.publish(
            aio_pika.Message(b"{not json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=settings.queue.queue_name,
        )

        async def dead_lettered():
            return (await queue_status(settings, pool)).dead_letters == 1

        await eventually(dead_lettered, what="the unreadable message in the dead-letter queue")
        [report] = await eventually(lambda: admin_messages(pool), what="an admin message in the outbox")
        assert "tidak bisa dibaca" in report
    finally:
        await h.close()


@pytest.mark.slow
@needs_rabbit
async def test_queue_status_shows_depth_consumers_and_dead_letters(settings, pool):
    settings = with_queue(settings, url=RABBIT_URL, queue_name=f"cicero.test.{secrets.token_hex(4)}")
    h = Harness(BACKEND_RABBITMQ, settings, pool)
    try:
        h.publisher = RabbitQueue(settings.queue, pool)
        await h.publisher.start()
        for i in range(3):
            await h.submit(Task(kind="effect", payload={"echo": i}))

        status = await queue_status(settings, pool, management_url="http://127.0.0.1:9")  # no management API

        assert status.reachable and status.source == "amqp-passive"
        assert (status.work.name, status.work.messages, status.work.consumers) == (settings.queue.queue_name, 3, 0)
        assert status.dead_letters == 0
        assert status.task_counts == {"queued": 3}
        assert "3 tugas menunggu, 0 worker aktif, 0 dead-letter" in queue_status_lines(status)[0]
        await h.add_worker("w1")
        await eventually(lambda: _all_done(pool), what="three tasks done")
        status = await queue_status(settings, pool, management_url="http://127.0.0.1:9")
        assert (status.work.messages, status.work.consumers) == (0, 1)
        assert "3 selesai" in queue_status_lines(status)[1]
    finally:
        await h.close()


async def _all_done(pool):
    return await pool.fetchval("SELECT count(*) = 3 FROM tasks WHERE status = 'done'")


async def test_queue_status_reads_the_management_api_when_it_answers(settings, pool, http_fake):
    settings = with_queue(settings, url="amqp://ops:rahasia@127.0.0.1:1/cicero", queue_name="cicero.tasks")
    http_fake.route("GET", "/api/queues/cicero/cicero.tasks",
                    Canned(body=json.dumps({"messages": 7, "messages_unacknowledged": 2, "consumers": 3}),
                           content_type="application/json"))
    http_fake.route("GET", "/api/queues/cicero/cicero.tasks.dead",
                    Canned(body=json.dumps({"messages": 1, "messages_unacknowledged": 0, "consumers": 0}),
                           content_type="application/json"))

    status = await queue_status(settings, pool, management_url=http_fake.base_url)

    assert status.source == "management-api"
    assert (status.work.messages, status.work.unacked, status.work.consumers, status.dead_letters) == (7, 2, 3, 1)
    assert http_fake.requests[0].headers["authorization"].startswith("Basic ")
    assert "ops:rahasia" not in status.broker


async def test_queue_status_says_when_the_broker_is_unreachable(settings, pool):
    settings = with_queue(settings, url="amqp://guest:guest@127.0.0.1:1/")

    status = await queue_status(settings, pool, management_url="http://127.0.0.1:9", timeout=2)

    assert not status.reachable
    assert "TIDAK TERJANGKAU" in queue_status_lines(status)[0]


async def test_queue_status_in_process(settings, pool):
    status = await queue_status(settings, pool)

    assert (status.backend, status.reachable) == (BACKEND_IN_PROCESS, True)
    assert "tanpa RabbitMQ" in queue_status_lines(status)[0]


async def test_the_in_process_queue_refuses_tasks_once_stopped(settings, pool):
    q = InProcessQueue(Executor(pool=pool, registry=TaskRegistry(dict(TEST_HANDLERS)), clock=SystemClock()))
    await q.start()
    await q.stop()
    with pytest.raises(QueueUnavailable):
        await q.submit(Task(kind="effect"))


def test_a_message_body_round_trips_and_bad_bodies_are_poison():
    from jobs.queue.model import PoisonTask

    task = Task(kind="collect_client", payload={"client_id": "POLRES_A"}, job_run_id=7)
    assert Task.from_body(task.to_body()) == task
    for body in (b"\xff", b"[]", b'{"id": "x", "kind": "a"}', b'{"id": "%s"}' % str(task.id).encode()):
        with pytest.raises(PoisonTask):
            Task.from_body(body)


def _cli_env(settings, **extra) -> dict:
    return {**os.environ, "CICERO_DATABASE__URL": settings.database.url, "CICERO_GENERAL__ENVIRONMENT": "development",
            "PYTHONPATH": str(ROOT), **extra}


WORKER_PROBE = """
import sys
from bot.cli import main
rc = main(["worker", "--concurrency", "2"])
print("NEONIZE_LOADED=%s" % ("neonize" in sys.modules), flush=True)
sys.exit(rc)
"""


@pytest.mark.slow
@needs_rabbit
async def test_cicero_worker_never_imports_neonize_and_stops_cleanly_on_sigterm(settings, tmp_path):
    name = f"cicero.test.{secrets.token_hex(4)}"
    env = _cli_env(settings, CICERO_QUEUE__URL=RABBIT_URL, CICERO_QUEUE__QUEUE_NAME=name,
                   CICERO_CONFIG=str(tmp_path / "absent.toml"))
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", WORKER_PROBE, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        await wait_for_line(proc, "consuming")
        proc.send_signal(signal.SIGTERM)
        out = (await asyncio.wait_for(proc.stdout.read(), 60)).decode()
        assert await proc.wait() == 0, out
        assert "NEONIZE_LOADED=False" in out
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        s = with_queue(settings, url=RABBIT_URL, queue_name=name)
        await delete_topology(RABBIT_URL, Topology.from_settings(s.queue))


@pytest.mark.slow
def test_cicero_worker_without_a_broker_url_says_what_to_set(settings, tmp_path, capsys):
    import subprocess

    env = _cli_env(settings, CICERO_CONFIG=str(tmp_path / "absent.toml"), CICERO_QUEUE__URL="")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "worker"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "set queue.url" in done.stdout


@pytest.mark.slow
async def test_cicero_queue_status_json_lists_counts_and_dead_tasks(settings, pool, tmp_path):
    dead = Task(kind="collect_client", payload={"client_id": "POLRES_A"})
    await task_db.insert_task(pool, task_id=dead.id, kind=dead.kind, payload=dead.payload, backend="rabbitmq")
    await task_db.finish_task_dead(pool, dead.id, "RuntimeError: RapidAPI down")
    await task_db.insert_task(pool, task_id=uuid.uuid4(), kind="noop", payload={}, backend="rabbitmq")
    env = _cli_env(settings, CICERO_CONFIG=str(tmp_path / "absent.toml"), CICERO_QUEUE__URL="")

    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "queue", "status", "--json",
                                                cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 120)

    assert proc.returncode == 0, out.decode() + err.decode()
    text = out.decode()
    data = json.loads(text[text.index("{"):])
    assert data["backend"] == "in-process" and data["reachable"] is True
    assert data["task_counts_24h"] == {"dead": 1, "queued": 1}
    [row] = data["dead_tasks_24h"]
    assert (row["id"], row["kind"], row["error"]) == (str(dead.id), "collect_client", "RuntimeError: RapidAPI down")


@pytest.mark.slow
@needs_rabbit
async def test_a_worker_process_reports_a_poison_task_through_the_outbox(settings, pool):
    settings = with_queue(settings, url=RABBIT_URL, queue_name=f"cicero.test.{secrets.token_hex(4)}",
                          delivery_limit=2)
    h = Harness(BACKEND_RABBITMQ, settings, pool)
    try:
        h.publisher = RabbitQueue(settings.queue, pool)
        await h.publisher.start()
        await h.spawn_worker_process()
        task = Task(kind="boom")
        await h.submit(task)

        [record] = await wait_for_tasks(pool, [task.id], timeout=60)

        assert (record.status, record.attempts) == ("dead", 2)
        [report] = await eventually(lambda: admin_messages(pool), what="an admin message in the outbox")
        assert "kaboom" in report
        recipients = await pool.fetch("SELECT recipient FROM outbox WHERE kind = 'admin_log'")
        assert [r["recipient"] for r in recipients] == settings.whatsapp.admins
    finally:
        await h.close()


@pytest.mark.slow
def test_cicero_worker_with_an_unreachable_broker_says_so_and_exits_4(settings, tmp_path):
    import subprocess

    env = _cli_env(settings, CICERO_CONFIG=str(tmp_path / "absent.toml"),
                   CICERO_QUEUE__URL="amqp://guest:guest@127.0.0.1:1/")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "worker"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "cannot reach RabbitMQ at amqp://127.0.0.1:1/" in done.stdout and "fix [queue] url" in done.stdout
    assert "guest" not in done.stdout


@pytest.mark.slow
async def test_a_task_that_kills_its_worker_every_time_is_given_up_and_reported(settings, pool):
    settings = with_queue(settings, delivery_limit=2)
    h = Harness(BACKEND_IN_PROCESS, settings, pool)
    task = Task(kind="hang")
    try:
        await h.start()
        await h.submit(task)
        for attempt in (1, 2):
            await eventually(lambda attempt=attempt: _attempts_are(pool, task, attempt), what=f"attempt {attempt} running")
            await h.inproc.abort()  # the worker dies mid-task
            await h.start()         # and comes back, resuming unfinished tasks

        [record] = await wait_for_tasks(pool, [task.id], timeout=30)
        # The report is queued right after the task is marked dead: wait for it before the
        # harness shuts the worker down, or the shutdown can cancel it mid-write.
        [report] = await eventually(lambda: admin_messages(pool), what="an admin message in the outbox")
    finally:
        await h.close()

    assert (record.status, record.attempts) == ("dead", 3)
    assert "interrupted" in record.error
    assert "hang" in report


async def _attempts_are(pool, task, n):
    record = await task_db.task_record(pool, task.id)
    return record is not None and record.status == "running" and record.attempts == n
