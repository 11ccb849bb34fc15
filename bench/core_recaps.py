"""Bench: building the core recaps of issue 15 (options 2, 17, 18, 34, 35) at directorate scale.

Prints the median of `--runs` (default 5) after a warm-up of each
`REPORTS[id].build` — the path both dirrequest and the subscriptions take —
with the personnel count, the parts built and their size, and the load average:

| report | world | reference |
|---|---|---|
| option 2 executive summary (4 attendance builds + PNG chart) | 3,000 personnel, 30 satker, 20 posts | ≤ 1 s |
| option 17 / 18 daily report (text + 2 TXT + Excel, 31 sheets) | the same | ≤ 2 s |
| option 34 / 35 Kasat Binmas, today | the same | ≤ 200 ms |
| option 34 Kasat Binmas, this month (November: 600 posts) | 3,000 personnel | ≤ 300 ms |

The world is `bench/attendance.py`'s (30 satker, 80 % of personnel engage each
post, public engagement besides), with one Kasat Binmas per satker.

    .venv/bin/python bench/core_recaps.py [--runs 5]

Database: CICERO_BENCH_DATABASE_URL (a server URL) or 127.0.0.1:5432; a fresh database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import bench_database
from bench.attendance import NOW, SATKER, fill_world, load

WORLDS = {"DITBINMAS": (3_000, 1, 12, 8), "DITBULAN": (3_000, 30, 12, 8)}
CASES = (
    ("executive_summary", "DITBINMAS", "today", 1000),
    ("daily_report_ig", "DITBINMAS", "today", 2000),
    ("daily_report_tt", "DITBINMAS", "today", 2000),
    ("kasat_binmas_ig_likes", "DITBINMAS", "today", 200),
    ("kasat_binmas_tt_comments", "DITBINMAS", "today", 200),
    ("kasat_binmas_ig_likes", "DITBULAN", "this_month", 300),
)


async def fill(pool) -> None:
    from db.attendance_ledger import rebuild

    rnd = random.Random(13)
    for n, (directorate, (personnel, days, ig, tt)) in enumerate(WORLDS.items()):
        rows = await fill_world(pool, directorate, personnel, days, ig, tt, rnd, 80_000_000 + n * 1_000_000)
        # one Kasat Binmas per satker, written as people write it
        await pool.execute(
            """UPDATE personnel SET position = 'Kasat Binmas Polres ' || client_id
               WHERE nrp IN (SELECT min(nrp) FROM personnel WHERE client_id LIKE $1 || '_POLRES_%' GROUP BY client_id)""",
            directorate)
        print(f"data {directorate}: {SATKER} satker, {personnel:,} personnel, {days * (ig + tt)} posts over {days} "
              f"day(s), {rows:,} engagement rows")
    async with pool.acquire() as conn:
        await rebuild(conn)
    await pool.execute("ANALYZE")


async def run(runs: int) -> None:
    from core.settings import load_settings
    from db.clients import get_client
    from handlers.reports.attendance import Period
    from handlers.reports.catalog import REPORTS, BuildRequest

    settings = load_settings(Path("/nonexistent/config.toml")).settings
    async with bench_database("cicero_bench_recaps") as (_url, pool):
        await fill(pool)
        print(f"\n{'report':<26} {'client':<10} {'period':<10} {'median':>9}  parts (bytes)   reference   load")
        for report_id, client_id, period_name, reference_ms in CASES:
            client = await get_client(pool, client_id)
            period = getattr(Period, period_name)(NOW)
            req = BuildRequest(pool, settings, client, period, NOW)
            out = await REPORTS[report_id].build(req)            # warm-up (and matplotlib's first import)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                out = await REPORTS[report_id].build(req)
                times.append((time.perf_counter() - t0) * 1000)
            ms = statistics.median(times)
            sizes = ", ".join(f"{len(p) if isinstance(p, str) else len(p.data):,}" for p in out.parts)
            verdict = "ok" if ms <= reference_ms else "OVER"
            print(f"{report_id:<26} {client_id:<10} {period_name:<10} {ms:>7.0f} ms  {len(out.parts)} ({sizes})"
                  f"   ≤ {reference_ms} ms {verdict}   {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(run(parser.parse_args().runs))


if __name__ == "__main__":
    main()
