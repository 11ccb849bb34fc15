"""Bench: the dashboard pages' heavier calls at directorate scale, uncached, over HTTP on loopback.

One directorate (30 satker, 3,000 personnel carrying its role, 30 days of 12
Instagram + 8 TikTok posts, 80 % of the personnel engaging each post — the
`bench/attendance.py` DITBULAN world). Prints the median of `--runs` after a
warm-up, with the personnel count and the load average beside every figure:

| call | what it runs |
|---|---|
| `GET /api/dashboard/anev?time_range=7d` | 2 + 14 engine runs (the period and each day) |
| `GET /api/dashboard/anev?time_range=30d` | 2 + 60 engine runs |
| `GET /api/dashboard/anev/export?time_range=30d` | the same, rendered as .xlsx |
| `GET /api/clients/{id}/summary?month=…` | 4 engine runs (the month and the month before) |
| `GET /api/social/aggregator?periode=bulanan` | post history and profiles (no engine) |

    .venv/bin/python bench/dashboard_pages.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import bench_database
from bench.attendance import NOW, fill_world, load, median_ms
from core.clock import ManualClock

DIRECTORATE = "DITBULAN"


async def fill(pool) -> None:
    from db.attendance_ledger import rebuild

    t0 = time.perf_counter()
    rows = await fill_world(pool, DIRECTORATE, 3_000, 30, 12, 8, random.Random(13), 80_000_000)
    async with pool.acquire() as conn:
        await rebuild(conn)
    await pool.execute("ANALYZE")
    print(f"data {DIRECTORATE}: 30 satker, 3,000 personnel, 600 posts over 30 days, {rows:,} engagement rows "
          f"({time.perf_counter() - t0:.1f} s, {load()})")


async def measure(pool, url: str, runs: int) -> None:
    import httpx

    from bot.api.deps import ApiDeps
    from bot.api.part import ApiPart
    from bot.api.security import hash_password
    from core.settings import load_settings
    from db.dashboard_accounts import create_account

    settings = load_settings(Path("/nonexistent/cicero.toml"), database={"url": url},
                             general={"environment": "development"}).settings
    await create_account(pool, username="bench", password_hash=hash_password("bench-password-1"), role="admin",
                         whatsapp=None, client_ids=[])
    part = ApiPart(ApiDeps(settings=settings, db=pool, clock=ManualClock(NOW), rekap_cache_seconds=0),
                   host="127.0.0.1", port=0)
    await part.start()
    scope = {"client_id": DIRECTORATE, "scope": "direktorat", "role": DIRECTORATE.lower()}
    cases = [
        ("GET /api/dashboard/anev?time_range=7d", "/api/dashboard/anev", {**scope, "time_range": "7d"}),
        ("GET /api/dashboard/anev?time_range=30d", "/api/dashboard/anev", {**scope, "time_range": "30d"}),
        ("GET /api/dashboard/anev/export?time_range=30d", "/api/dashboard/anev/export", {**scope, "time_range": "30d"}),
        ("GET /api/clients/{id}/summary?month", f"/api/clients/{DIRECTORATE}/summary",
         {**scope, "month": f"{NOW:%Y-%m}"}),
        ("GET /api/social/aggregator?periode=bulanan", "/api/social/aggregator",
         {"client_id": DIRECTORATE, "periode": "bulanan"}),
    ]
    try:
        async with httpx.AsyncClient(base_url=part.base_url, timeout=120) as http:
            r = await http.post("/api/auth/dashboard-login", json={"username": "bench", "password": "bench-password-1"})
            headers = {"Authorization": f"Bearer {r.json()['token']}"}
            for label, path, params in cases:
                times = []
                for i in range(runs + 1):
                    t0 = time.perf_counter()
                    r = await http.get(path, params=params, headers=headers)
                    assert r.status_code == 200, r.text[:300]
                    if i:
                        times.append(time.perf_counter() - t0)
                print(f"{label:48} 3,000 personnel, {len(r.content) / 1024:7,.0f} KiB — median "
                      f"{median_ms(times):7.1f} ms over {runs} [{load()}]")
    finally:
        await part.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    async with bench_database("cicero_bench_pages") as (url, pool):
        await fill(pool)
        await measure(pool, url, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
