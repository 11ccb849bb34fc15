"""Bench: the 17:05 personal reminders, and `cek tugas saya` through the router, at province scale.

50 Polres with 60 personnel each (3,000), a third of them opted in to reminders
(`notifwa on`), 6 Instagram + 4 TikTok posts per Polres today, about two
thirds of the personnel liking/commenting each post. Prints the time of one
reminder run (every opted-in person checked, the outbox rows written) and of
`cek tugas saya` from a personnel number (message in → reply sent), with the
load average beside each figure.

    .venv/bin/python bench/reminders.py [--runs 10]

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

CLIENTS, PER_CLIENT = 50, 60
IG_POSTS, TT_POSTS = 6, 4


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


async def fill(pool, now: datetime) -> list[str]:
    from db.clients import Client, upsert_client

    rnd = random.Random(16)
    people, opted, phones = [], [], []
    for c in range(CLIENTS):
        cid = f"POLRES_{c:02d}"
        await upsert_client(pool, Client(id=cid, name=cid.replace("_", " "), type="org", instagram=f"ig{c}",
                                         tiktok=f"tt{c}"))
        for i in range(PER_CLIENT):
            n = c * PER_CLIENT + i
            phone = f"62813{n:08d}"
            people.append((f"{80000000 + n}", f"PERSONEL {n:04d}", "BRIPDA", "SAT BINMAS", None,
                           None if n % 13 == 0 else f"ig{n}", None if n % 11 == 0 else f"tt{n}", phone, cid, True,
                           False, []))
            phones.append(phone)
            if n % 3 == 0:
                opted.append((f"{80000000 + n}", True, now))
    await pool.copy_records_to_table("personnel", records=people, columns=PERSONNEL_COLUMNS)
    await pool.copy_records_to_table("personnel_reminder_settings", records=opted,
                                     columns=["nrp", "enabled", "updated_at"])
    start = now.replace(hour=6, minute=0, second=0, microsecond=0)
    rows = []
    for c in range(CLIENTS):
        cid = f"POLRES_{c:02d}"
        rows += await store_task_day(pool, cid, f"{c:02d}", start, range(c * PER_CLIENT, (c + 1) * PER_CLIENT),
                                     rnd, ig_posts=IG_POSTS, tt_posts=TT_POSTS)
    await store_engagement_and_ledger(pool, rows)
    print(f"data: {CLIENTS} clients, {len(people):,} personnel ({len(opted):,} opted in), "
          f"{CLIENTS * (IG_POSTS + TT_POSTS)} posts today, {len(rows):,} engagement rows")
    return phones


async def run(runs: int) -> None:
    from bot.router import Router
    from bot.whatsapp.fake import FakeGateway
    from core.clock import JAKARTA, ManualClock
    from core.reporting import LoggingReporter
    from core.settings import load_settings
    from handlers.personnel.reminders import send_reminders
    from handlers.registry import all_commands
    from tests.support.chat import start_chat

    now = datetime(2026, 11, 25, 17, 5, tzinfo=JAKARTA)
    async with bench_database("cicero_bench_reminders") as (url, pool):
        phones = await fill(pool, now)
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(Path(tmp) / "absent.toml", database={"url": url},
                                     whatsapp={"transport": "console"}).settings
        times = []
        for i in range(runs):
            started = time.perf_counter()
            result = await send_reminders(pool, settings, now, slot=f"bench{i}")
            times.append(time.perf_counter() - started)
        print(f"reminder run: median {statistics.median(times) * 1000:7.1f} ms, max {max(times) * 1000:7.1f} ms "
              f"over {runs} runs; {result.opted_in:,} opted in, {result.queued:,} queued, {result.done:,} done "
              f"({load()})")

        gateway = FakeGateway()
        router = Router(settings=settings, pool=pool, clock=ManualClock(now), reporter=LoggingReporter(),
                        gateway=gateway, commands=all_commands())
        await start_chat(gateway, router)
        phone = phones[7]
        await gateway.inject("menu", phone=phone)
        times = []
        for _ in range(runs + 1):
            gateway.take()
            started = time.perf_counter()
            await gateway.inject("2", phone=phone)
            times.append(time.perf_counter() - started)
        times = times[1:]  # the first warms up prepared statements
        print(f"cek tugas saya: median {statistics.median(times) * 1000:7.1f} ms, max {max(times) * 1000:7.1f} ms "
              f"over {runs} runs, message in to reply sent ({load()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.runs))


if __name__ == "__main__":
    main()
