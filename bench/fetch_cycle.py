"""Bench: a post-fetch collection cycle, 200 clients, against the fake RapidAPI at zero latency.

Default load (the issue's figure): 200 clients × 10 Instagram posts with 1,000 likers
each and 10 TikTok videos with 500 commenters each = 2,000,000 like rows and
1,000,000 comment rows. The fake runs in a subprocess (with `cache_pages`: each page is
encoded once, so the fake's own CPU on the same cores stays small); the cycle runs here
with the default in-process runner and `[fetch] client_concurrency`. `--twice` runs the same
cycle again (nothing new: every liker is already stored).

For each run it prints wall time, the CPU seconds of this (the cicero) process (less the
sampling thread's own CPU, printed beside it), the
CPU seconds of the PostgreSQL backends serving the bench database, the CPU seconds of
the fake API, the peak RSS of this process during the run, and the load average.
Targets (2 cores): first cycle ≤ 20 s, repeat ≤ 12 s, peak RSS ≤ 150 MB.

    .venv/bin/python bench/fetch_cycle.py [--clients 200] [--ig-posts 10] [--tt-posts 10]
        [--likers 1000] [--commenters 500] [--page 1000] [--concurrency 4] [--twice] [--profile]

Uses CICERO_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
to create and drop a fresh database. PostgreSQL CPU is sampled from the server's
backend processes whose title names the bench database (so it needs the server on
this machine); background work (WAL writer, checkpointer, autovacuum) is not in it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bench._db import bench_database
from core.settings import load_settings
from db.clients import Client, upsert_client
from core.clock import JAKARTA, ManualClock
from jobs.fetch import run_cycle
from jobs.fetch_model import fetch_deps

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {1: 20.0, 2: 12.0}  # wall seconds: first cycle, repeat cycle
RSS_TARGET_MB = 150.0


def start_fake(args, day) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "jobs.sources.fake_rapidapi", "--day", day.isoformat(),
           "--clients", str(args.clients), "--ig-posts", str(args.ig_posts), "--tt-posts", str(args.tt_posts),
           "--likers", str(args.likers), "--commenters", str(args.commenters), "--page", str(args.page),
           "--key", "bench-key"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    base = proc.stdout.readline().strip()
    if not base.startswith("http"):
        proc.kill()
        raise SystemExit(f"the fake RapidAPI did not start (got {base!r})")
    return proc, base


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def load() -> str:
    """The 1- and 5-minute load averages, as the benches print them beside a figure."""
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


@dataclass
class Sampler:
    """Samples, in a thread, the CPU of the database's backends and this process's RSS.

    The thread's own CPU (`own_cpu`) is counted by the process too; the bench
    subtracts it from the cicero figure. Looking for new backends reads every
    process's command line, so it is done once a second; the known backends'
    CPU is read every `interval`.
    """

    database: str
    interval: float = 0.2
    rescan_every: int = 5  # ticks between scans for new backends
    backend_cpu: dict[int, float] = field(default_factory=dict)  # pid -> latest CPU seconds seen
    peak_rss: int = 0
    own_cpu: float = 0.0
    _known: dict[int, psutil.Process] = field(default_factory=dict)
    _ticks: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _rescan(self) -> None:
        for p in psutil.process_iter(["name"]):
            try:
                if p.pid in self._known or not (p.info["name"] or "").startswith("postgres"):
                    continue
                if self.database in " ".join(p.cmdline()):
                    self._known[p.pid] = p
            except psutil.Error:
                continue

    def sample(self, rescan: bool = True) -> None:
        if rescan:
            self._rescan()
        for pid, p in list(self._known.items()):
            try:
                self.backend_cpu[pid] = _cpu(p)
            except psutil.Error:
                del self._known[pid]  # gone: its last reading stays in backend_cpu
        self.peak_rss = max(self.peak_rss, psutil.Process().memory_info().rss)

    def _loop(self) -> None:
        start = time.thread_time()
        while not self._stop.wait(self.interval):
            self._ticks += 1
            self.sample(rescan=self._ticks % self.rescan_every == 0)
        self.own_cpu = time.thread_time() - start

    def start(self) -> None:
        self.sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()

    @property
    def postgres_cpu(self) -> float:
        return sum(self.backend_cpu.values())


async def bench(args) -> list[dict]:
    from datetime import datetime

    now = datetime(2026, 2, 17, 12, 5, tzinfo=JAKARTA)
    fake, base = start_fake(args, now.date())
    fake_ps = psutil.Process(fake.pid)
    me = psutil.Process()
    runs: list[dict] = []
    try:
        async with bench_database("cicero_bench_fetch") as (url, pool):
            database = url.rsplit("/", 1)[1]
            for i in range(args.clients):
                cid = f"BENCH_{i:04d}"
                await upsert_client(pool, Client(id=cid, name=f"Bench {i}", type="org",
                                                 instagram=cid.lower().replace("_", ""),
                                                 tiktok=cid.lower().replace("_", "")))
            api = {"base_url": base, "key": "bench-key", "max_pages": 50, "timeout_seconds": 60}
            settings = load_settings(Path("/nonexistent/cicero.toml"), database={"url": url},
                                     instagram=api, tiktok=api,
                                     fetch={"client_concurrency": args.concurrency,
                                            "run_deadline_minutes": 60}).settings
            clock = ManualClock(now)
            async with fetch_deps(settings, pool, clock) as deps:
                for n in range(1, (2 if args.twice else 1) + 1):
                    sampler = Sampler(database)
                    sampler.start()
                    pg0, me0, fake0 = sampler.postgres_cpu, _cpu(me), _cpu(fake_ps)
                    profiler = cProfile.Profile() if args.profile else None
                    t0 = time.perf_counter()
                    if profiler is not None:
                        profiler.enable()
                    result = await run_cycle(deps, phase="post_fetch", trigger="manual")
                    if profiler is not None:
                        profiler.disable()
                    wall = time.perf_counter() - t0
                    sampler.stop()
                    failed = [c for c in result.clients if not c.ok]
                    runs.append({
                        "run": n, "status": result.status, "clients": len(result.clients), "failed": failed,
                        "wall": wall, "cicero_cpu": _cpu(me) - me0 - sampler.own_cpu, "sampler_cpu": sampler.own_cpu,
                        "postgres_cpu": sampler.postgres_cpu - pg0,
                        "fake_cpu": _cpu(fake_ps) - fake0, "peak_rss_mb": sampler.peak_rss / 2**20,
                        "listed": sum(c.likes_written + c.comments_written for c in result.clients),
                        "new": sum(c.likes_new + c.comments_new for c in result.clients),
                        "stored": await pool.fetchval("SELECT count(*) FROM engagements"),
                        "load": os.getloadavg(),
                    })
                    print_run(runs[-1])
                    if profiler is not None:
                        print_profile(profiler)
                    clock.advance(minutes=25)
    finally:
        fake.terminate()
        fake.wait(10)
    return runs


def print_run(r: dict) -> None:
    first_error = f" first error: {r['failed'][0].error}" if r["failed"] else ""
    target = TARGETS.get(r["run"])
    verdict = "" if target is None else (f"  (target ≤ {target:g} s: {'met' if r['wall'] <= target else 'NOT met'})")
    load = ", ".join(f"{x:.2f}" for x in r["load"])
    print(f"run {r['run']} ({'first' if r['run'] == 1 else 'repeat, nothing new'}): status={r['status']} "
          f"clients={r['clients']} failed={len(r['failed'])}{first_error}")
    print(f"  wall time              {r['wall']:8.2f} s{verdict}")
    print(f"  cicero process CPU     {r['cicero_cpu']:8.2f} s   (without the bench's sampler thread: "
          f"{r['sampler_cpu']:.2f} s)")
    print(f"  PostgreSQL CPU         {r['postgres_cpu']:8.2f} s   (backends of the bench database)")
    print(f"  fake RapidAPI CPU      {r['fake_cpu']:8.2f} s   (separate process, not part of cicero)")
    print(f"  peak RSS (cicero)      {r['peak_rss_mb']:8.0f} MiB  (target ≤ {RSS_TARGET_MB:g} MB: "
          f"{'met' if r['peak_rss_mb'] * 1.048576 <= RSS_TARGET_MB else 'NOT met'})")
    print(f"  engagement pairs       {r['listed']:>10,} listed, {r['new']:,} new ({r['stored']:,} stored)")
    print(f"  load average after     {load}")


def print_profile(profiler: cProfile.Profile, top: int = 25) -> None:
    """The functions with the most own time in the cycle (cProfile: slows the run, shows the shares)."""
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--ig-posts", type=int, default=10)
    p.add_argument("--tt-posts", type=int, default=10)
    p.add_argument("--likers", type=int, default=1000)
    p.add_argument("--commenters", type=int, default=500)
    p.add_argument("--page", type=int, default=1000, help="likers/comments per page served by the fake")
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--twice", action="store_true", help="run the same cycle again (nothing new to store)")
    p.add_argument("--profile", action="store_true",
                   help="profile each cycle (cProfile, in this process) and print the top functions by own time")
    args = p.parse_args()
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; cpus {os.cpu_count()}")
    asyncio.run(bench(args))
    print(f"peak RSS of the whole bench process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"load: {args.clients} clients × ({args.ig_posts} IG posts × {args.likers} likers + "
          f"{args.tt_posts} TikTok videos × {args.commenters} commenters), {args.page} per page, "
          f"concurrency {args.concurrency}")


if __name__ == "__main__":
    main()
