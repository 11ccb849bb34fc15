"""Bench: attendance at directorate scale — the engine over the ledger, the API, the reports, the fetch cost.

Prints, each as the median of `--runs` (default 10) after a warm-up, with the
personnel count beside every figure and the load average:

| measure | target |
|---|---|
| IG recap, whole directorate scope: 3,000 personnel, 20 posts, 60,000 engagement rows — engine time | ≤ 12 ms |
| the same at 30,000 personnel (600,000 rows) | ≤ 120 ms |
| the same, 3,000 personnel, a month (November: 600 posts) | ≤ 40 ms |
| `GET /api/insta/rekap-likes` uncached, 3,000 personnel, whole directorate (HTTP on loopback) | ≤ 25 ms |
| extra time the ledger adds to a 200-client post-fetch cycle (fetch_cycle.py's load; 150 personnel per client who like and comment their own client's posts; `bench/ledger_cycle.py`) | ≤ 10 % |

The engine and the API run as in the service: on the application's pool, which keeps each scope's
directory and the divisions of unchanged counts between recaps (`db/directory_cache.py`); "uncached"
means without the API's response cache, so every request reads the ledger. For reference the engine is
also timed with every division made again (as the first recap after a collection run that changed every
count) and with nothing kept (a bare connection: the first recap after a personnel change), and options 5,
21 and 19 through the router (fake WhatsApp).
Each directorate has 30 satker; its personnel carry its role, so "whole
directorate scope" is every person of the directorate and its satker.

    .venv/bin/python bench/attendance.py [--runs 10] [--skip-fetch] [--fetch-clients 200]

Database: CICERO_BENCH_DATABASE_URL (a server URL) or 127.0.0.1:5432; fresh
databases are created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench._db import bench_database
from bench.fetch_cycle import load
from bench.ledger_cycle import fetch_overhead
from core.clock import JAKARTA, ManualClock

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 30, 15, 20, tzinfo=JAKARTA)   # a month of posts: 1–30 November
SATKER = 30
ADMIN = "6281100000001"
RANKS = ["AKBP", "KOMPOL", "AKP", "IPTU", "IPDA", "AIPTU", "AIPDA", "BRIPKA", "BRIGPOL", "BRIPTU", "BRIPDA",
         "KOMISARIS BESAR POLISI", "AJUN KOMISARIS POLISI"]
DIVISIONS = ["BAG OPS", "BAG SDM", "SAT BINMAS", "SAT LANTAS", "SAT RESKRIM", "SIE HUMAS", "SPKT", "POLSEK KOTA"]
# directorate id -> (personnel, days of posts, IG posts a day, TikTok posts a day, share of personnel per post)
WORLDS = {"DITBINMAS": (3_000, 1, 12, 8), "DITBESAR": (30_000, 1, 12, 8), "DITBULAN": (3_000, 30, 12, 8)}
LIKERS_SHARE, PUBLIC_SHARE = 0.8, 0.2     # of a post's engagement rows: personnel / public (= personnel count)


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def verdict(value_ms: float, target_ms: float) -> str:
    return f"(target ≤ {target_ms:g} ms) {'OK' if value_ms <= target_ms else 'SLOW'}"


async def fill_world(pool, directorate: str, personnel: int, days: int, ig_a_day: int, tt_a_day: int,
                     rnd: random.Random, serial: int) -> int:
    """One directorate with 30 satker, its personnel and posts; returns the engagement rows written."""
    from db.clients import Client, upsert_client
    from db.posts import PostRecord, upsert_posts

    role = directorate.lower()
    await upsert_client(pool, Client(id=directorate, name=f"DIREKTORAT {directorate[3:]}", type="direktorat",
                                     instagram=role, tiktok=role))
    satker = [f"{directorate}_POLRES_{i:02d}" for i in range(1, SATKER + 1)]
    for cid in satker:
        await upsert_client(pool, Client(id=cid, name=cid.replace("_", " "), type="org", parent_id=directorate))
    people = []
    for i in range(personnel):
        cid = directorate if i < personnel // 30 else satker[i % SATKER]
        people.append((f"{serial + i}", f"PERSONEL {i:05d}", rnd.choice(RANKS), rnd.choice(DIVISIONS),
                       "KANIT" if i % 40 == 0 else "BANIT", None if i % 13 == 0 else f"{role}.ig{i}",
                       None if i % 11 == 0 else f"{role}.tt{i}", cid, True, i % 500 == 0, [role]))
    await pool.copy_records_to_table(
        "personnel", records=people, columns=["nrp", "name", "rank", "division", "position", "instagram", "tiktok",
                                              "client_id", "active", "exception", "roles"])
    rows = []
    first_day = NOW.date() - timedelta(days=days - 1)
    for d in range(days):
        start = datetime.combine(first_day + timedelta(days=d), datetime.min.time(), tzinfo=JAKARTA) + timedelta(hours=6)
        for platform, per_day, prefix in (("instagram", ig_a_day, "ig"), ("tiktok", tt_a_day, "tt")):
            records = [PostRecord(f"{directorate}{prefix.upper()}{d:02d}{k:02d}", start + timedelta(minutes=40 * k))
                       for k in range(per_day)]
            async with pool.acquire() as conn:
                await upsert_posts(conn, platform, directorate, records, seen_at=NOW)
            for post in records:
                members = rnd.sample(range(personnel), int(personnel * LIKERS_SHARE))
                rows += [(platform, post.post_id, f"{role}.{prefix}{i}") for i in members]
                rows += [(platform, post.post_id, f"warga.{post.post_id}.{j}") for j in range(int(personnel * PUBLIC_SHARE))]
    await pool.copy_records_to_table("engagements", records=rows, columns=["platform", "post_id", "username"])
    return len(rows)


async def fill(pool) -> None:
    from db.attendance_ledger import fold_days, rebuild

    rnd = random.Random(13)
    for n, (directorate, (personnel, days, ig, tt)) in enumerate(WORLDS.items()):
        t0 = time.perf_counter()
        rows = await fill_world(pool, directorate, personnel, days, ig, tt, rnd, 80_000_000 + n * 1_000_000)
        print(f"data {directorate}: {SATKER} satker, {personnel:,} personnel, {days * (ig + tt)} posts over {days} "
              f"day(s), {rows:,} engagement rows ({time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    async with pool.acquire() as conn:
        outcome = await rebuild(conn)
        # as a collection run leaves it: the days before today in the monthly totals, today's daily rows not
        await fold_days(conn, NOW.date() - timedelta(days=1))
    await pool.execute("VACUUM ANALYZE")   # the settled state autovacuum keeps a production database in
    print(f"ledger rebuilt from raw engagement: {outcome.written:,} rows in {time.perf_counter() - t0:.1f} s "
          f"({load()})")


async def engine_times(pool, runs: int) -> None:
    """The engine on the application's pool, as recaps between two collection runs meet it (the directory and
    the divisions of unchanged counts kept), and, for reference, with every division made again and with
    nothing kept."""
    from db.clients import get_client
    from handlers.reports.attendance import AttendanceRules, Period, Platform, Scope, build_attendance

    # two rules that put everyone in the same category but are not equal: alternating them makes every
    # division again on each recap, as the first recap after a collection run that changed every count
    same_but_new = (AttendanceRules(), AttendanceRules(partial_percent=1e-6))
    cases = [("DITBINMAS", Period.today(NOW), 12, "a day"), ("DITBESAR", Period.today(NOW), 120, "a day"),
             ("DITBULAN", Period.month(NOW.year, NOW.month), 40, "a month")]
    ways = [("", True, False), (", every division made again", True, True), (", nothing kept", False, False)]
    for directorate, period, target, what in cases:
        client = await get_client(pool, directorate)
        for label, kept, remake in ways:
            times = []
            async with pool.acquire() as conn:
                db = pool if kept else conn
                for i in range(runs + 2):
                    rules = same_but_new[i % 2] if remake else same_but_new[0]
                    t0 = time.perf_counter()
                    report = await build_attendance(db, client, period, Platform.INSTAGRAM, rules=rules,
                                                    scope=Scope.DIRECTORATE)
                    if i >= 2:
                        times.append(time.perf_counter() - t0)
            ms = median_ms(times)
            how = verdict(ms, target) if not label else "(reference)"
            print(f"IG recap engine, whole directorate, {what}{label}: {report.tally.personnel:,} personnel, "
                  f"{report.task_count} IG tasks — median {ms:6.1f} ms over {runs} {how} "
                  f"(fastest {min(times) * 1000:.1f}, slowest {max(times) * 1000:.1f}) [{load()}]")


async def api_time(pool, url: str, runs: int) -> None:
    """The API as a dashboard meets it: `cicero api` in its own process, a client in this one."""
    import gc

    import httpx

    # this process still holds the worlds it generated: keep its collector off them, so the client's own
    # garbage collection (walking them while it decodes 900 KiB answers) is not charged to the server
    gc.collect()
    gc.freeze()

    from bot.api.security import hash_password
    from db.dashboard_accounts import create_account

    await create_account(pool, username="bench", password_hash=hash_password("bench-password-1"), role="admin",
                         whatsapp=None, client_ids=[])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CICERO_DATABASE__URL": url, "CICERO_GENERAL__ENVIRONMENT": "development",
           "CICERO_API__RECAP_CACHE_SECONDS": "0"}   # uncached: every request runs the engine
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--config", "/nonexistent/cicero.toml", "api", "--host", "127.0.0.1",
        "--port", str(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(100):   # wait for it to listen
                try:
                    r = await http.post("/api/auth/dashboard-login",
                                        json={"username": "bench", "password": "bench-password-1"})
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            headers = {"Authorization": f"Bearer {r.json()['token']}"}
            params = {"client_id": "DITBINMAS", "periode": "harian", "tanggal": NOW.date().isoformat()}
            times = []
            for i in range(runs + 2):
                t0 = time.perf_counter()
                r = await http.get("/api/insta/rekap-likes", params=params, headers=headers)
                if i >= 2:
                    times.append(time.perf_counter() - t0)
            users = r.json()["usersCount"]
            ms = median_ms(times)
            print(f"GET /api/insta/rekap-likes uncached, whole directorate: {users:,} personnel, "
                  f"{len(r.content) / 1024:,.0f} KiB of JSON, sent gzip — median {ms:6.1f} ms over {runs} "
                  f"{verdict(ms, 25)} [{load()}]")
    finally:
        server.terminate()
        await server.wait()


async def report_times(pool, url: str, runs: int) -> None:
    """For reference: options 5, 21 and 19 from the admin's message to the reply (router + fake WhatsApp)."""
    from bot.router import Router
    from bot.whatsapp.fake import FakeGateway
    from core.reporting import LoggingReporter
    from core.settings import load_settings
    from handlers import dirrequest
    from tests.support.chat import start_chat

    settings = load_settings(Path("/nonexistent/cicero.toml"), database={"url": url},
                             whatsapp={"admins": [ADMIN], "transport": "console"}).settings
    gateway = FakeGateway()
    router = Router(settings=settings, pool=pool, clock=ManualClock(NOW), reporter=LoggingReporter(),
                    gateway=gateway, commands=dirrequest.COMMANDS)
    await start_chat(gateway, router)
    await gateway.inject("dirrequest", phone=ADMIN)
    await gateway.inject("DITBINMAS", phone=ADMIN)
    gateway.take()
    for option, label, people in (("5", "option 5  (IG per division, the directorate's own staff)", 100),
                                  ("21", "option 21 (combined recap, whole directorate)", 3000),
                                  ("19", "option 19 (likes Excel, 31 sheets, whole directorate)", 3000)):
        times = []
        for i in range(runs + 1):
            t0 = time.perf_counter()
            await gateway.inject(option, phone=ADMIN)
            if i:
                times.append(time.perf_counter() - t0)
            gateway.take()
        print(f"{label}: {people:,} personnel — median {median_ms(times):7.1f} ms over {runs} [{load()}]")


async def run(args) -> None:
    print(f"cpus {os.cpu_count()}, {load()}")
    if args.fetch_only:
        await fetch_overhead(args.fetch_clients, args.fetch_rounds)
        return
    async with bench_database("cicero_bench_attendance") as (url, pool):
        await fill(pool)
        await engine_times(pool, args.runs)
        await api_time(pool, url, args.runs)
        await report_times(pool, url, args.runs)
    if not args.skip_fetch:
        await fetch_overhead(args.fetch_clients, args.fetch_rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--skip-fetch", action="store_true", help="leave out the fetch-cycle comparison")
    parser.add_argument("--fetch-clients", type=int, default=200)
    parser.add_argument("--fetch-rounds", type=int, default=2, help="cycles with and without the ledger each")
    parser.add_argument("--fetch-only", action="store_true", help="only the fetch-cycle comparison")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
