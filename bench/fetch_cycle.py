"""Bench: one post-fetch collection cycle, 200 clients, against the fake RapidAPI at zero latency.

Default load (the issue's figure): 200 clients × 10 Instagram posts with 1,000 likers
each and 10 TikTok videos with 500 commenters each = 2,000,000 like rows and
1,000,000 comment rows. The fake runs in a subprocess (its own core); the cycle runs
here with the default in-process runner and `[fetch] client_concurrency`.
Prints wall time, engagement rows written per second and peak RSS (this process
and the fake). Target: under 30 s on a 2-core machine.

    .venv/bin/python bench/fetch_cycle.py [--clients 200] [--ig-posts 10] [--tt-posts 10]
        [--likers 1000] [--commenters 500] [--page 1000] [--concurrency 4] [--twice]

Uses CICERO_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
to create and drop a fresh database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
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


async def bench(args) -> None:
    from datetime import datetime

    now = datetime(2026, 2, 17, 12, 5, tzinfo=JAKARTA)
    fake, base = start_fake(args, now.date())
    fake_ps = psutil.Process(fake.pid)
    try:
        async with bench_database("cicero_bench_fetch") as (url, pool):
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
            runs = 2 if args.twice else 1
            async with fetch_deps(settings, pool, clock) as deps:
                for n in range(runs):
                    t0 = time.perf_counter()
                    result = await run_cycle(deps, phase="post_fetch", trigger="manual")
                    wall = time.perf_counter() - t0
                    rows = sum(c.likes_written + c.comments_written for c in result.clients)
                    failed = [c for c in result.clients if not c.ok]
                    stored = await pool.fetchval("SELECT count(*) FROM engagements")
                    print(f"run {n + 1}: status={result.status} clients={len(result.clients)} failed={len(failed)}"
                          + (f" first error: {failed[0].error}" if failed else ""))
                    print(f"  wall time            {wall:8.2f} s")
                    print(f"  engagement rows      {rows:>10,} written ({stored:,} stored)")
                    print(f"  rows written / s     {rows / wall:>10,.0f}")
                    clock.advance(minutes=25)
    finally:
        try:
            fake_rss = fake_ps.memory_info().rss
        except psutil.Error:
            fake_rss = 0
        fake.terminate()
        fake.wait(10)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"  peak RSS (cycle)     {peak_kib / 1024:8.0f} MiB")
    print(f"  RSS of the fake API  {fake_rss / 2**20:8.0f} MiB (at the end, separate process)")
    print(f"  load: {args.clients} clients × ({args.ig_posts} IG posts × {args.likers} likers + "
          f"{args.tt_posts} TikTok videos × {args.commenters} commenters), {args.page} per page, "
          f"concurrency {args.concurrency}, cpus {os.cpu_count()}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--ig-posts", type=int, default=10)
    p.add_argument("--tt-posts", type=int, default=10)
    p.add_argument("--likers", type=int, default=1000)
    p.add_argument("--commenters", type=int, default=500)
    p.add_argument("--page", type=int, default=1000, help="likers/comments per page served by the fake")
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--twice", action="store_true", help="run the cycle a second time (every row refreshed)")
    asyncio.run(bench(p.parse_args()))


if __name__ == "__main__":
    main()
