"""Bench: the collection cycle through the task queue — in-process, then 1, 2 and 4 RabbitMQ workers.

Volume (the collection bench's): 200 clients × 10 Instagram posts with 1,000
likers each and 10 TikTok videos with 500 commenters each, served by the fake
RapidAPI (`jobs/sources/fake_rapidapi.py`, in its own process, zero latency).
Each mode starts from empty post/engagement tables and runs one real
`jobs.fetch.run_cycle(..., runner=QueueRunner(...))`: one `collect_client`
task per client, results read back from PostgreSQL.

Also measures the broker overhead per task: the median round trip of a no-op
task (submit → worker → completion record → waiter) on RabbitMQ minus the same
in-process.

    .venv/bin/python bench/queue_scale.py                       # full volume
    .venv/bin/python bench/queue_scale.py --clients 20          # quicker
    .venv/bin/python bench/queue_scale.py --synthetic           # without the collection code:
                                                                # each task COPYs the same rows
Needs PostgreSQL (CICERO_BENCH_DATABASE_URL, default 127.0.0.1:5432) and RabbitMQ
(CICERO_BENCH_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672/).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import bench_database  # noqa: E402
from core.settings import load_settings  # noqa: E402
from db.clients import Client, upsert_client  # noqa: E402
from core.clock import SystemClock, local_day  # noqa: E402
from jobs.queue.collect_runner import QueueRunner  # noqa: E402
from jobs.queue.executor import Executor, wait_for_tasks  # noqa: E402
from jobs.queue.in_process import InProcessQueue  # noqa: E402
from jobs.queue.model import Task, TaskContext  # noqa: E402
from jobs.queue.rabbit import RabbitQueue, Topology  # noqa: E402
from jobs.queue.kinds import NOOP, default_registry  # noqa: E402
from core.reporting import LoggingReporter  # noqa: E402

AMQP = os.environ.get("CICERO_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
API_KEY = "bench-key"
SYNTHETIC = "bench_synthetic"
RESET_TABLES = "engagements, client_posts, instagram_posts, tiktok_posts, tasks, job_runs, notification_state, outbox"


# --------------------------------------------------------------------------- synthetic task


async def synthetic_collect(ctx: TaskContext) -> dict:
    """Stand-in for collect_client: COPY the same engagement rows one client would produce."""
    p = ctx.task.payload
    cid, posts, likers, commenters = p["client_id"], p["posts"], p["likers"], p["commenters"]
    rows = [("instagram", f"{cid}_IG{i}", f"warga{u:05d}") for i in range(posts) for u in range(likers)]
    rows += [("tiktok", f"{cid}_TT{i}", f"warga{u:05d}") for i in range(posts) for u in range(commenters)]
    async with ctx.pool.acquire() as conn:
        await conn.copy_records_to_table("engagements", records=rows, columns=["platform", "post_id", "username"])
    return {"client_id": cid, "rows": len(rows)}


def worker_main(concurrency: int) -> int:
    """`queue_scale.py --as-worker N`: a `cicero worker` with the synthetic kind added."""
    from rich.console import Console

    from bot.worker import run_worker

    settings = load_settings(Path(tempfile.gettempdir()) / "cicero-bench-absent.toml").settings
    return asyncio.run(run_worker(settings, Console(soft_wrap=True), concurrency=concurrency,
                                  extra_handlers={SYNTHETIC: synthetic_collect}))


# --------------------------------------------------------------------------- plumbing


async def start_fake_api(args, day) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jobs.sources.fake_rapidapi", "--day", day.isoformat(), "--clients", str(args.clients),
        "--ig-posts", str(args.posts), "--tt-posts", str(args.posts), "--likers", str(args.likers),
        "--commenters", str(args.commenters), "--page", str(args.page), "--key", API_KEY,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )
    base_url = (await asyncio.wait_for(proc.stdout.readline(), 120)).decode().strip()
    return proc, base_url


def worker_env(settings) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CICERO_DATABASE__URL": settings.database.url,
           "CICERO_QUEUE__URL": settings.queue.url, "CICERO_QUEUE__QUEUE_NAME": settings.queue.queue_name,
           "CICERO_QUEUE__PREFETCH": str(settings.queue.prefetch),
           "CICERO_INSTAGRAM__BASE_URL": settings.instagram.base_url, "CICERO_INSTAGRAM__KEY": API_KEY,
           "CICERO_TIKTOK__BASE_URL": settings.tiktok.base_url, "CICERO_TIKTOK__KEY": API_KEY,
           "CICERO_INSTAGRAM__MAX_PAGES": "50", "CICERO_TIKTOK__MAX_PAGES": "50",
           "CICERO_INSTAGRAM__TIMEOUT_SECONDS": "60", "CICERO_TIKTOK__TIMEOUT_SECONDS": "60",
           "CICERO_CONFIG": str(Path(tempfile.gettempdir()) / "cicero-bench-absent.toml")}
    return env


async def start_workers(n: int, concurrency: int, settings) -> list[asyncio.subprocess.Process]:
    procs = []
    for _ in range(n):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).resolve()), "--as-worker", str(concurrency), cwd=ROOT,
            env=worker_env(settings), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        procs.append(proc)
    for proc in procs:
        while b"consuming" not in (line := await asyncio.wait_for(proc.stdout.readline(), 120)):
            if not line:
                raise RuntimeError("a worker process exited during start-up")
    return procs


async def stop_workers(procs) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        await proc.wait()


async def delete_topology(settings) -> None:
    import aio_pika

    t = Topology.from_settings(settings.queue)
    conn = await aio_pika.connect(AMQP)
    ch = await conn.channel()
    for name in (t.queue, t.dead_queue):
        await ch.queue_delete(name)
    await ch.exchange_delete(t.dead_exchange)
    await conn.close()


def executor_for(pool, clock, services=None) -> Executor:
    registry = default_registry().with_handlers({SYNTHETIC: synthetic_collect})
    return Executor(pool=pool, registry=registry, clock=clock, reporter=LoggingReporter(), delivery_limit=5,
                    services=services or {}, worker="bench-inproc")


# --------------------------------------------------------------------------- one mode


async def run_mode(label: str, args, settings, pool, clock, queue, fetch_services) -> dict:
    await pool.execute(f"TRUNCATE {RESET_TABLES} RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    if args.synthetic:
        tasks = [Task(kind=SYNTHETIC, payload={"client_id": f"BENCH_{i:04d}", "posts": args.posts,
                                               "likers": args.likers, "commenters": args.commenters})
                 for i in range(args.clients)]
        for t in tasks:
            await queue.submit(t)
        records = await wait_for_tasks(pool, [t.id for t in tasks], timeout=3600, poll_seconds=1)
        ok = sum(r.status == "done" for r in records)
    else:
        from jobs.fetch import run_cycle

        deps = fetch_services["fetch_deps"]
        result = await run_cycle(deps, phase="post_fetch", trigger="manual", runner=QueueRunner(queue, pool))
        ok = sum(c.ok for c in result.clients)
    wall = time.perf_counter() - started
    rows = await pool.fetchval("SELECT count(*) FROM engagements")
    out = {"mode": label, "wall": wall, "clients_ok": ok, "rows": rows,
           "tasks_per_s": args.clients / wall, "rows_per_s": rows / wall}
    print(f"{label:<22} {wall:8.1f} s  {ok:>4}/{args.clients} clients ok  {out['tasks_per_s']:7.2f} tasks/s  "
          f"{rows:>9,} engagement rows  {out['rows_per_s']:>10,.0f} rows/s", flush=True)
    return out


async def noop_round_trip(queue, pool, n: int) -> float:
    """Median seconds from submit to the waiter seeing the completion record, one task at a time."""
    times = []
    for _ in range(n):
        task = Task(kind=NOOP)
        t0 = time.perf_counter()
        await queue.submit(task)
        await wait_for_tasks(pool, [task.id], timeout=60, poll_seconds=0.5)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


async def main(args) -> None:
    from contextlib import AsyncExitStack

    clock = SystemClock()
    day = local_day(clock.now())
    mode = "synthetic tasks (COPY of the same rows)" if args.synthetic else "real collect_client against fake RapidAPI"
    print(f"queue bench: {args.clients} clients × {args.posts} IG posts × {args.likers} likers + {args.posts} "
          f"TikTok videos × {args.commenters} commenters; {mode}; cores={os.cpu_count()}", flush=True)
    async with bench_database("cicero_qbench") as (url, pool), AsyncExitStack() as stack:
        fake = None
        base_url = "http://127.0.0.1:9"
        if not args.synthetic:
            fake, base_url = await start_fake_api(args, day)
            stack.push_async_callback(_kill, fake)
        settings = load_settings(
            Path(tempfile.gettempdir()) / "cicero-bench-absent.toml",
            database={"url": url}, general={"environment": "development"},
            instagram={"base_url": base_url, "key": API_KEY, "max_pages": 50, "timeout_seconds": 60},
            tiktok={"base_url": base_url, "key": API_KEY, "max_pages": 50, "timeout_seconds": 60},
            queue={"url": AMQP, "queue_name": f"cicero.bench.{secrets.token_hex(3)}", "prefetch": 1},
            fetch={"run_deadline_minutes": 120},
        ).settings
        for i in range(args.clients):
            handle = f"bench{i:04d}"
            await upsert_client(pool, Client(id=f"BENCH_{i:04d}", name=f"Bench {i}", type="org",
                                             instagram=handle, tiktok=handle))
        services: dict = {"settings": settings}
        if not args.synthetic:
            from jobs.fetch_model import fetch_deps

            services["fetch_deps"] = await stack.enter_async_context(
                fetch_deps(settings, pool, clock, reporter=LoggingReporter()))
        results = []

        inproc = InProcessQueue(executor_for(pool, clock, services), concurrency=args.inproc_concurrency)
        await inproc.start()
        results.append(await run_mode(f"in-process (x{args.inproc_concurrency})", args, settings, pool, clock,
                                      inproc, services))
        inproc_rt = await noop_round_trip(inproc, pool, args.noop)
        await inproc.stop()

        publisher = RabbitQueue(settings.queue, pool, connection_name="cicero-bench")
        await publisher.start()
        stack.push_async_callback(delete_topology, settings)
        stack.push_async_callback(publisher.stop)
        rabbit_rt = None
        for n in args.workers:
            procs = await start_workers(n, args.worker_concurrency, settings)
            try:
                label = f"rabbitmq {n} worker{'s' if n > 1 else ''} (x{args.worker_concurrency})"
                results.append(await run_mode(label, args, settings, pool, clock, publisher, services))
                if n == 1:
                    rabbit_rt = await noop_round_trip(publisher, pool, args.noop)
            finally:
                await stop_workers(procs)
        print()
        print(f"no-op task round trip (median of {args.noop}): in-process {inproc_rt * 1000:.1f} ms, "
              f"RabbitMQ {rabbit_rt * 1000:.1f} ms → broker overhead per task {(rabbit_rt - inproc_rt) * 1000:.1f} ms"
              if rabbit_rt is not None else "")
        base = results[0]["wall"]
        for r in results[1:]:
            print(f"{r['mode']:<22} speed vs in-process: {base / r['wall']:.2f}×")


async def _kill(proc) -> None:
    if proc.returncode is None:
        proc.kill()
        await proc.wait()


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--posts", type=int, default=10, help="Instagram posts and TikTok videos per client")
    p.add_argument("--likers", type=int, default=1000)
    p.add_argument("--commenters", type=int, default=500)
    p.add_argument("--page", type=int, default=1000, help="likers/comments per fake API page (as bench/fetch_cycle.py)")
    p.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4])
    p.add_argument("--worker-concurrency", type=int, default=2, help="tasks at once per worker process")
    p.add_argument("--inproc-concurrency", type=int, default=4, help="tasks at once in-process")
    p.add_argument("--noop", type=int, default=100, help="no-op round trips for the overhead figure")
    p.add_argument("--synthetic", action="store_true", help="synthetic tasks instead of the collection code")
    p.add_argument("--as-worker", type=int, metavar="N", help=argparse.SUPPRESS)
    return p.parse_args(argv)


if __name__ == "__main__":
    a = parse()
    if a.as_worker:
        sys.exit(worker_main(a.as_worker))
    asyncio.run(main(a))
