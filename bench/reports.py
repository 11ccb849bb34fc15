"""Bench: the whole 18:20 batch of scheduled reports for 200 clients — build and queue.

200 Polres (org clients of DITBINMAS) with 60 personnel each (12,000), 6
Instagram + 4 TikTok posts each today, about two thirds of the personnel
liking/commenting each post; each Polres has a group and an operator, the
directorate has two super-admins. The `[reports]` defaults are seeded, then
the minute tick at 18:20 fires the batch: every Polres' IG likes and TikTok
comments per division (to its group and operator) and the directorate's
leader recaps (6, 9, and 34/35 once they are in the catalog). Prints the time
from the tick's start to the last outbox row committed, per build
concurrency, with the scale and the load average (target ≤ 5 s).

    .venv/bin/python bench/reports.py [--runs 3] [--concurrency 1,4,8]

Database: CICERO_BENCH_DATABASE_URL (a server URL) or 127.0.0.1:5432; a fresh
database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import PERSONNEL_COLUMNS, bench_database, store_engagement_and_ledger, store_task_day

CLIENTS, PER_CLIENT = 200, 60
IG_POSTS, TT_POSTS = 6, 4


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


async def fill(pool, now: datetime) -> None:
    from db.clients import Client, upsert_client

    rnd = random.Random(15)
    await upsert_client(pool, Client(id="DITBINMAS", name="Ditbinmas", type="direktorat", instagram="ditbinmas",
                                     tiktok="ditbinmas", group_ids=["120363000000000001@g.us"],
                                     operator_phone="6281100000010", super_phones=["6281100000011", "6281100000012"]))
    people, rows = [], []
    start = now.replace(hour=6, minute=0, second=0, microsecond=0)
    for c in range(CLIENTS):
        cid = f"POLRES_{c:03d}"
        await upsert_client(pool, Client(id=cid, name=cid.replace("_", " "), type="org", instagram=f"ig{c}",
                                         tiktok=f"tt{c}", group_ids=[f"1203630000001{c:05d}@g.us"],
                                         operator_phone=f"62812{c:08d}", parent_id="DITBINMAS"))
        for i in range(PER_CLIENT):
            n = c * PER_CLIENT + i
            people.append((f"{80000000 + n}", f"PERSONEL {n:05d}", "BRIPDA", f"SAT {'BINMAS' if i % 2 else 'LANTAS'}",
                           "KASAT BINMAS" if i == 0 else None, None if n % 13 == 0 else f"ig{n}",
                           None if n % 11 == 0 else f"tt{n}", None, cid, True, False, ["ditbinmas"]))
        rows += await store_task_day(pool, cid, f"{c:03d}", start, range(c * PER_CLIENT, (c + 1) * PER_CLIENT),
                                     rnd, ig_posts=IG_POSTS, tt_posts=TT_POSTS)
    await pool.copy_records_to_table("personnel", records=people, columns=PERSONNEL_COLUMNS)
    await store_engagement_and_ledger(pool, rows)
    print(f"data: {CLIENTS} clients, {len(people):,} personnel, {CLIENTS * (IG_POSTS + TT_POSTS):,} posts today, "
          f"{len(rows):,} engagement rows")


async def run(runs: int, concurrencies: list[int]) -> None:
    from core.clock import JAKARTA
    from core.reporting import LoggingReporter
    from core.settings import load_settings
    from handlers.reports.subscriptions.defaults import seed_defaults
    from handlers.reports.subscriptions.delivery import run_due

    seeded_at = datetime(2026, 11, 25, 6, 0, tzinfo=JAKARTA)
    at = datetime(2026, 11, 25, 18, 20, tzinfo=JAKARTA)
    async with bench_database("cicero_bench_reports") as (url, pool):
        await fill(pool, at)
        with tempfile.TemporaryDirectory() as tmp:
            base = load_settings(Path(tmp) / "absent.toml", database={"url": url},
                                 whatsapp={"transport": "console", "admins": ["6281100000001"]}).settings
        seed = await seed_defaults(pool, base, seeded_at)
        print(f"subscriptions: {seed.added:,} defaults seeded")
        for concurrency in concurrencies:
            settings = base.model_copy(update={"reports": base.reports.model_copy(
                update={"build_concurrency": concurrency, "catch_up_minutes": 5})})  # only the 18:20 slots
            times = []
            for _ in range(runs):
                await pool.execute("DELETE FROM report_fires")
                await pool.execute("DELETE FROM outbox")
                started = time.perf_counter()
                result = await run_due(pool, settings, at, LoggingReporter())
                times.append(time.perf_counter() - started)
            rows = await pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'report'")
            print(f"18:20 batch, build concurrency {concurrency}: median {statistics.median(times):6.2f} s, "
                  f"max {max(times):6.2f} s over {runs} runs; {result.fired} reports built, "
                  f"{result.empty} empty, {result.failed} failed, {rows:,} outbox rows ({load()}, "
                  f"{os.cpu_count()} cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", default="1,4,8", help="build concurrencies to compare (comma-separated)")
    args = parser.parse_args()
    asyncio.run(run(args.runs, [int(c) for c in args.concurrency.split(",")]))


if __name__ == "__main__":
    main()
