"""Bench: the extra time the attendance ledger adds to a 200-client post-fetch cycle (target ≤ 10 %).

The load is fetch_cycle.py's (200 clients, 10 Instagram posts of 1,000 likers and 10 TikTok videos of 500
commenters each, a fake RapidAPI on loopback in its own process) plus 150 personnel per client who like
(120 a post) and comment (100 a video) their own client's posts. Two estimates:

* **whole cycles**, with and without the ledger kept, a fresh database each, in ABBA order: the issue's
  figure as it reads, median of `--rounds` each. On a shared 2-vCPU machine identical cycles differ by
  more than the ledger costs, so a few rounds can land either side of 10 %.
* **one cycle, clients alternating** between the ledger kept and not (a context variable set per client,
  which `record_merged`, `add_tasks` and `refresh_tasks` read), twice with the halves swapped: both halves
  run side by side on the same machine at the same moment, so drift cancels. With the cores saturated a
  cycle lasts as long as its clients' work, so the extra time of a client with the ledger over one without
  is the extra time of a cycle.

    .venv/bin/python bench/ledger_cycle.py [--clients 200] [--rounds 2] [--mixed 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bench._db import bench_database
from bench.fetch_cycle import Sampler, _cpu, load
from core.clock import JAKARTA, ManualClock

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 2, 17, 12, 5, tzinfo=JAKARTA)
OWN_PERSONNEL = 150                 # per client of the fetch cycle
OWN_LIKERS, OWN_COMMENTERS = 120, 100   # of each post's 1,000 likers / 500 commenters; the rest is the public
LEDGER_WRITERS = ("record_merged", "refresh_tasks", "add_tasks")


def own_username(client_no: int, k: int) -> str:
    return f"anggota{client_no:04d}x{k:03d}"


def serve_fake(clients: int) -> None:
    """The fetch cycle's fake RapidAPI (fetch_cycle.py's load), where each client's posts are liked and commented
    by its own personnel as well as by the public; prints the base URL and serves until killed."""
    from datetime import date as day_type

    from jobs.sources.fake_rapidapi import FakeRapidApi, Scenario

    scenario = Scenario.generated(day=day_type(2026, 2, 17), clients=[f"BENCH_{i:04d}" for i in range(clients)],
                                  ig_posts=10, tt_posts=10, likers=1000, commenters=500, api_key="bench-key",
                                  likers_page_size=1000, comments_page_size=1000)
    rnd = random.Random(5)
    for acc in scenario.accounts:
        client_no = int(acc.username[-4:])
        own = OWN_LIKERS if acc.platform == "instagram" else OWN_COMMENTERS
        for post in acc.posts:
            people = [own_username(client_no, k) for k in rnd.sample(range(OWN_PERSONNEL), own)]
            post.engagers = people + post.engagers[:len(post.engagers) - own]

    async def serve() -> None:
        fake = FakeRapidApi(scenario, record=False, cache_pages=True)
        print(await fake.start(), flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


@asynccontextmanager
async def cycle_world(clients: int):
    """A fresh database with the clients and their personnel, the fake API in its own process, and the
    collection's dependencies on them: yields (deps, pool, database name)."""
    from core.settings import load_settings
    from db.clients import Client, upsert_client
    from jobs.fetch_model import fetch_deps

    fake = await asyncio.create_subprocess_exec(sys.executable, str(Path(__file__).resolve()), "--serve-fake",
                                                str(clients), cwd=ROOT, stdout=subprocess.PIPE)
    try:
        base = (await fake.stdout.readline()).decode().strip()
        async with bench_database("cicero_bench_ledger_fetch") as (url, pool):
            people = []
            for i in range(clients):
                cid = f"BENCH_{i:04d}"
                handle = cid.lower().replace("_", "")
                await upsert_client(pool, Client(id=cid, name=f"Bench {i}", type="org", instagram=handle,
                                                 tiktok=handle))
                people += [(f"9{i:04d}{k:03d}", f"ANGGOTA {i} {k}", cid, own_username(i, k), own_username(i, k))
                           for k in range(OWN_PERSONNEL)]
            await pool.copy_records_to_table("personnel", records=people,
                                             columns=["nrp", "name", "client_id", "instagram", "tiktok"])
            await pool.execute("ANALYZE")
            # the previous cycle's 3 million rows must not be checkpointed during this one
            await pool.execute("CHECKPOINT")
            api = {"base_url": base, "key": "bench-key", "max_pages": 50, "timeout_seconds": 60}
            settings = load_settings(Path("/nonexistent/cicero.toml"), database={"url": url},
                                     instagram=api, tiktok=api,
                                     fetch={"client_concurrency": 4, "run_deadline_minutes": 60}).settings
            async with fetch_deps(settings, pool, ManualClock(NOW)) as deps:
                yield deps, pool, url.rsplit("/", 1)[1]
    finally:
        fake.terminate()
        await fake.wait()


@asynccontextmanager
async def ledger_kept_when(kept_now):
    """The ledger's writers run only while `kept_now()` is true (a no-op otherwise)."""
    from db import attendance_ledger

    kept = {name: getattr(attendance_ledger, name) for name in LEDGER_WRITERS}

    def gated(writer):
        async def write(*args, **kwargs):
            if kept_now():
                return await writer(*args, **kwargs)
        return write

    for name, writer in kept.items():
        setattr(attendance_ledger, name, gated(writer))
    try:
        yield
    finally:
        for name, writer in kept.items():
            setattr(attendance_ledger, name, writer)


async def whole_cycle(clients: int, with_ledger: bool) -> tuple[float, float, float, int, int]:
    """(wall, cicero + PostgreSQL CPU, cicero CPU, engagement rows, ledger rows) of one cycle."""
    from jobs.fetch import run_cycle

    async with cycle_world(clients) as (deps, pool, name), ledger_kept_when(lambda: with_ledger):
        sampler = Sampler(name)  # CPU is steadier than wall on shared cores
        sampler.start()
        me, pg0 = psutil.Process(), sampler.postgres_cpu
        cpu0 = _cpu(me)
        t0 = time.perf_counter()
        result = await run_cycle(deps, phase="post_fetch", trigger="manual")
        wall = time.perf_counter() - t0
        sampler.stop()
        own, pg = _cpu(me) - cpu0 - sampler.own_cpu, sampler.postgres_cpu - pg0
        rows = await pool.fetchval("SELECT count(*) FROM engagements")
        marks = await pool.fetchval("SELECT count(*) FROM attendance_ledger")
        if result.status != "ok":
            print(f"  (cycle status {result.status})")
        return wall, own + pg, own, rows, marks


async def whole_cycles(clients: int, rounds: int) -> None:
    walls: dict[bool, list[float]] = {True: [], False: []}
    cpus: dict[bool, list[float]] = {True: [], False: []}
    for n in range(rounds):
        for with_ledger in ((False, True) if n % 2 == 0 else (True, False)):   # neither always goes first
            wall, cpu, own, rows, marks = await whole_cycle(clients, with_ledger)
            walls[with_ledger].append(wall)
            cpus[with_ledger].append(cpu)
            print(f"  fetch cycle {'with' if with_ledger else 'without'} the ledger: {wall:6.2f} s, "
                  f"cicero + PostgreSQL {cpu:6.2f} CPU-s ({own:.2f} + {cpu - own:.2f}), {rows:,} engagement rows, "
                  f"{marks:,} ledger rows [{load()}]")
    base, with_ledger = statistics.median(walls[False]), statistics.median(walls[True])
    extra = (with_ledger - base) * 100 / base
    cpu_base, cpu_with = statistics.median(cpus[False]), statistics.median(cpus[True])
    cpu_extra = (cpu_with - cpu_base) * 100 / cpu_base
    # each round's two cycles ran back to back: their ratio is less exposed to the machine's drift
    paired = statistics.median((w - b) * 100 / b for w, b in zip(walls[True], walls[False]))
    print(f"ledger cost in a {clients}-client post-fetch cycle ({clients * OWN_PERSONNEL:,} personnel), whole "
          f"cycles: {base:.2f} s → {with_ledger:.2f} s, {extra:+.1f} % (target ≤ 10 %) "
          f"{'OK' if extra <= 10 else 'SLOW'}; round by round {paired:+.1f} %; cicero + PostgreSQL CPU "
          f"{cpu_base:.2f} → {cpu_with:.2f} CPU-s, {cpu_extra:+.1f} % [median of {rounds}, {load()}]")


async def mixed_cycles(clients: int, cycles: int) -> None:
    from jobs import fetch

    kept_here: contextvars.ContextVar[bool] = contextvars.ContextVar("ledger_kept", default=True)
    durations: dict[bool, list[float]] = {True: [], False: []}
    collect = fetch.collect_client
    for n in range(cycles):
        def kept_for(client_id: str, parity: int = n % 2) -> bool:
            return int(client_id[-4:]) % 2 == parity

        async def collect_gated(deps, client, *args, **kwargs):
            kept_here.set(kept_for(client.id))   # this client's task only: a context variable per task
            return await collect(deps, client, *args, **kwargs)

        async with cycle_world(clients) as (deps, pool, _name), ledger_kept_when(kept_here.get):
            fetch.collect_client = collect_gated
            try:
                t0 = time.perf_counter()
                result = await fetch.run_cycle(deps, phase="post_fetch", trigger="manual")
                wall = time.perf_counter() - t0
            finally:
                fetch.collect_client = collect
            marks = await pool.fetchval("SELECT count(DISTINCT client_id) FROM attendance_ledger")
        got = {True: [], False: []}
        for client in result.clients:
            got[kept_for(client.client_id)].append(client.duration_seconds)
        for k in durations:
            durations[k] += got[k]
        print(f"  one cycle, clients alternating: {wall:6.2f} s, mean client {statistics.mean(got[True]):.3f} s "
              f"with the ledger ({marks} clients in it), {statistics.mean(got[False]):.3f} s without "
              f"[status {result.status}, {load()}]")
    with_ledger, base = statistics.mean(durations[True]), statistics.mean(durations[False])
    extra = (with_ledger - base) * 100 / base
    print(f"ledger cost in a {clients}-client post-fetch cycle ({clients * OWN_PERSONNEL:,} personnel), clients "
          f"alternating: a client's work {base:.3f} s → {with_ledger:.3f} s, {extra:+.1f} % (target ≤ 10 %) "
          f"{'OK' if extra <= 10 else 'SLOW'} [mean of {len(durations[True])} clients each over {cycles} cycles, "
          f"{load()}]")


async def fetch_overhead(clients: int, rounds: int, mixed: int = 2) -> None:
    await whole_cycles(clients, rounds)
    await mixed_cycles(clients, mixed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="whole cycles with and without the ledger each")
    parser.add_argument("--mixed", type=int, default=2, help="cycles with the clients alternating")
    parser.add_argument("--serve-fake", type=int, metavar="CLIENTS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.serve_fake)
        return
    print(f"cpus {os.cpu_count()}, {load()}")
    asyncio.run(fetch_overhead(args.clients, args.rounds, args.mixed))


if __name__ == "__main__":
    main()
