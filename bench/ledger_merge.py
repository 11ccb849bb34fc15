"""Bench: what the attendance ledger adds to one client's engagement merge, measured apart from the noise.

The fetch-cycle comparison in `bench/attendance.py` times whole cycles with and without the ledger; on a
shared 2-vCPU machine identical cycles differ by more than the ledger costs. This times the merge itself
(`jobs.collect_engagement.store_engagement`: the engagement rows, each post's fetch, and the ledger's marks
in the same transaction) for the fetch cycle's load — 200 clients of 150 personnel, 10 Instagram posts of
1,000 likers each, 120 of them the client's own personnel — alternating client by client between the ledger
kept and not kept, so both see the same machine at the same moment, and counting the CPU of this process
and of its one PostgreSQL backend. The parity is swapped on a second fresh database.

    .venv/bin/python bench/ledger_merge.py [--clients 200]

Prints per merge: wall, cicero CPU and PostgreSQL CPU with and without the ledger, and the ledger's share.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bench._db import bench_database
from bench.fetch_cycle import _cpu, load

PERSONNEL, POSTS, LIKERS, OWN = 150, 10, 1000, 120
WHEN = datetime(2026, 2, 17, 3, 0, tzinfo=timezone.utc)


async def prepare(pool, clients: int) -> None:
    from core.clock import JAKARTA
    from db.attendance_ledger import fold_days
    from db.clients import Client, upsert_client
    from db.posts import PostRecord, upsert_posts

    people = []
    for i in range(clients):
        cid = f"BENCH_{i:04d}"
        await upsert_client(pool, Client(id=cid, name=f"Bench {i}", type="org", instagram=cid.lower()))
        people += [(f"9{i:04d}{k:03d}", f"ANGGOTA {i} {k}", cid, f"own{i:04d}x{k:03d}") for k in range(PERSONNEL)]
        async with pool.acquire() as conn:
            await upsert_posts(conn, "instagram", cid, [PostRecord(f"SC{i:04d}{k}", WHEN + timedelta(minutes=k))
                                                       for k in range(POSTS)], seen_at=WHEN)
    await pool.copy_records_to_table("personnel", records=people, columns=["nrp", "name", "client_id", "instagram"])
    async with pool.acquire() as conn:   # as a collection run starts: the days before today folded
        await fold_days(conn, WHEN.astimezone(JAKARTA).date() - timedelta(days=1))
    await pool.execute("VACUUM ANALYZE")


def listings_of(client_no: int, rnd: random.Random) -> dict[str, list[str]]:
    out = {}
    for k in range(POSTS):
        own = [f"own{client_no:04d}x{j:03d}" for j in rnd.sample(range(PERSONNEL), OWN)]
        out[f"SC{client_no:04d}{k}"] = own + [f"warga{rnd.randrange(10**9)}" for _ in range(LIKERS - OWN)]
    return out


async def one_database(clients: int, ledger_on_even: bool) -> dict[bool, list[tuple[float, float, float]]]:
    from db import attendance_ledger
    from jobs.collect_engagement import store_engagement

    kept = attendance_ledger.record_merged

    async def not_kept(*_a, **_kw) -> None:
        return None

    times: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
    async with bench_database("cicero_bench_ledger_merge") as (_url, pool):
        await prepare(pool, clients)
        async with pool.acquire() as conn:
            backends = [psutil.Process(r[0]) for r in
                        await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")]
        rnd = random.Random(7)
        try:
            for i in range(clients):
                with_ledger = (i % 2 == 0) == ledger_on_even
                attendance_ledger.record_merged = kept if with_ledger else not_kept
                listings = listings_of(i, rnd)
                pg0, py0, t0 = sum(map(_cpu, backends)), time.process_time(), time.perf_counter()
                await store_engagement(pool, "instagram", listings, WHEN)
                wall, py, pg = time.perf_counter() - t0, time.process_time() - py0, sum(map(_cpu, backends)) - pg0
                if i >= 10:   # the first merges read the username map and warm the caches
                    times[with_ledger].append((wall, py, pg))
        finally:
            attendance_ledger.record_merged = kept
    return times


async def run(clients: int) -> None:
    print(f"cpus {os.cpu_count()}, {load()}")
    times: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
    for ledger_on_even in (True, False):
        got = await one_database(clients, ledger_on_even)
        for k in times:
            times[k] += got[k]
    figures = {}
    for with_ledger, rows in times.items():
        wall = statistics.median(r[0] for r in rows) * 1000
        py, pg = (sum(r[i] for r in rows) / len(rows) * 1000 for i in (1, 2))
        figures[with_ledger] = (wall, py, pg)
        print(f"merge of a client's {POSTS} posts × {LIKERS:,} likers, {'with' if with_ledger else 'without'} the "
              f"ledger: median wall {wall:.2f} ms, CPU cicero {py:.2f} + PostgreSQL {pg:.2f} ms "
              f"(mean of {len(rows)}) [{load()}]")
    (w1, py1, pg1), (w0, py0, pg0) = figures[True], figures[False]
    print(f"the ledger per merge ({clients * PERSONNEL:,} personnel): wall +{w1 - w0:.2f} ms "
          f"({(w1 - w0) * 100 / w0:+.1f} %), CPU +{py1 + pg1 - py0 - pg0:.2f} ms "
          f"({(py1 + pg1 - py0 - pg0) * 100 / (py0 + pg0):+.1f} % of the merge: cicero {py1 - py0:+.2f}, "
          f"PostgreSQL {pg1 - pg0:+.2f}) [{load()}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    asyncio.run(run(parser.parse_args().clients))


if __name__ == "__main__":
    main()
