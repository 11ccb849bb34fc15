"""Bench: GET /api/insta/rekap-likes under load (target: ≥ 200 req/s, p99 < 250 ms on 2 cores).

A fresh database with one client of 3,000 personnel and 20 Instagram posts of
today (about 60% of personnel liked each post); the real `cicero api` command
serves it on 127.0.0.1 in its own process; this process logs in and runs
50 concurrent keep-alive clients for 30 s, then prints requests/s, p50 and p99.
It also prints what one uncached engine run + rendering costs (the API caches a
rendered recap for 15 s, single-flight, so that cost is paid once per window).

    .venv/bin/python bench/api_load.py [--personnel 3000] [--posts 20] [--clients 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import bench_database, store_posts  # noqa: E402
from db.posts import PostRecord  # noqa: E402
from bot.api.security import hash_password  # noqa: E402
from db.clients import Client, get_client, upsert_client  # noqa: E402
from db.dashboard_accounts import create_account  # noqa: E402
from db.personnel import Personnel, upsert_personnel  # noqa: E402
from handlers.reports.attendance import Period, Platform, build_attendance  # noqa: E402
from core.clock import JAKARTA, SystemClock, local_day  # noqa: E402

CLIENT = "POLRES_BENCH"
PASSWORD = "bench-password-123"
DIVISIONS = ["BAG OPS", "BAG SDM", "SAT BINMAS", "SAT LANTAS", "SAT RESKRIM", "SAT INTELKAM", "SIE HUMAS",
             "POLSEK KOTA", "POLSEK UTARA", "SPKT"]
RANKS = ["AKBP", "KOMPOL", "AKP", "IPTU", "IPDA", "AIPTU", "AIPDA", "BRIPKA", "BRIGPOL", "BRIPTU", "BRIPDA"]


async def seed(pool, personnel: int, posts: int) -> None:
    rnd = random.Random(7)
    await upsert_client(pool, Client(id=CLIENT, name="POLRES BENCH", type="org", instagram="polresbench",
                                     regional_id="JATIM"))
    people = [Personnel(nrp=str(80000000 + i), name=f"PERSONEL {i}", client_id=CLIENT, rank=rnd.choice(RANKS),
                        division=rnd.choice(DIVISIONS), position="BANIT",
                        instagram=f"user{i}" if i % 10 else None)
              for i in range(personnel)]
    await upsert_personnel(pool, people)
    today = local_day(SystemClock().now())
    start = datetime.combine(today, datetime.min.time(), tzinfo=JAKARTA) + timedelta(hours=6)
    for j in range(posts):
        code = f"BENCH{j:03d}"
        await store_posts(pool, "instagram", CLIENT, [PostRecord(code, start + timedelta(minutes=20 * j),
                                                                 like_count=1000)])
        likers = [p.instagram for p in people if p.instagram and rnd.random() < 0.6]
        await pool.executemany("INSERT INTO engagements (platform, post_id, username) VALUES ('instagram', $1, $2)",
                               [(code, u) for u in likers])
    # a fresh database has no planner statistics; production tables are analysed by autovacuum
    await pool.execute("ANALYZE")
    await create_account(pool, username="bench", password_hash=hash_password(PASSWORD), role="operator",
                         whatsapp=None, client_ids=[CLIENT])


async def engine_cost(pool, runs: int = 5) -> float:
    client = await get_client(pool, CLIENT)
    import json

    from bot.api.render import rekap_payload

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        report = await build_attendance(pool, client, Period.today(SystemClock().now()), Platform.INSTAGRAM)
        body = json.dumps(rekap_payload(report), ensure_ascii=False, separators=(",", ":")).encode()
        times.append(time.perf_counter() - t)
    print(f"uncached engine + render: median {statistics.median(times) * 1000:.0f} ms "
          f"({len(report.people)} rows, {len(body) / 1024:.0f} KiB JSON)")
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CICERO_")}
    env.update(CICERO_DATABASE__URL=url, CICERO_API__PORT=str(port), CICERO_API__HOST="127.0.0.1",
               CICERO_API__JWT_SECRET="bench-secret-" + "x" * 40, PYTHONUNBUFFERED="1",
               CICERO_API__LOGIN_MAX_FAILURES="100")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "--config", "/nonexistent/config.toml", "api"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "HTTP API on" in line:
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit(f"server did not start: {proc.stdout.read()}")


async def load(base: str, clients: int, seconds: float, params: dict) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        r = await http.post("/api/auth/dashboard-login", json={"username": "bench", "password": PASSWORD})
        r.raise_for_status()
        headers = {"Authorization": f"Bearer {r.json()['token']}", "Content-Type": "application/json"}
        t = time.perf_counter()
        first = await http.get("/api/insta/rekap-likes", params=params, headers=headers)
        first.raise_for_status()
        body = first.json()
        print(f"first (cold) request: {(time.perf_counter() - t) * 1000:.0f} ms, {len(body['data'])} rows, "
              f"{body['totalPosts']} posts, {len(first.content) / 1024:.0f} KiB JSON, "
              f"{first.headers.get('content-encoding', 'identity')} "
              f"{int(first.headers.get('content-length', 0)) / 1024:.0f} KiB on the wire")

    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                try:
                    # read the (gzip) body as sent: the server's cost, not this process's inflating
                    async with http.stream("GET", "/api/insta/rekap-likes", params=params, headers=headers) as resp:
                        size = 0
                        async for chunk in resp.aiter_raw():
                            size += len(chunk)
                        if resp.status_code != 200 or size == 0:
                            errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(f"{clients} concurrent clients for {elapsed:.1f} s: {len(latencies)} requests, {errors} errors")
    print(f"throughput: {len(latencies) / elapsed:.0f} req/s   p50: {p(0.50):.1f} ms   p99: {p(0.99):.1f} ms   "
          f"max: {latencies[-1] * 1000:.0f} ms")
    print("targets: >= 200 req/s and p99 < 250 ms on 2 cores (load generator shares the machine)")


async def main(args) -> None:
    print(f"cores: {os.cpu_count()}, load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    async with bench_database("cicero_bench_api") as (url, pool):
        t = time.perf_counter()
        await seed(pool, args.personnel, args.posts)
        print(f"seeded {args.personnel} personnel, {args.posts} posts in {time.perf_counter() - t:.1f} s")
        await engine_cost(pool)
        port = free_port()
        server = start_server(url, port)
        try:
            params = {"client_id": CLIENT, "periode": "harian", "role": "operator", "scope": "ORG"}
            await load(f"http://127.0.0.1:{port}", args.clients, args.seconds, params)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--personnel", type=int, default=3000)
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    asyncio.run(main(ap.parse_args()))
