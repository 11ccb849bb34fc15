"""Bench: dirrequest reports at directorate scale (targets: text < 300 ms, Excel < 2 s).

A directorate with 30 satker, 3,000 personnel (role ditbinmas), 20 posts today
(12 Instagram, 8 TikTok) and 60,000 engagement rows. Times, from the admin's
message entering the router (fake WhatsApp transport) to the reply being sent:
option 5 (IG likes per division), option 21 (combined recap) and option 19
(likes Excel, one sheet per satker).

    .venv/bin/python bench/attendance.py [--runs 10]

Database: CICERO_BENCH_DATABASE_URL (a server URL) or 127.0.0.1:5432; a fresh
database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import bench_database, store_posts
from db.posts import PostRecord
from tests.support.chat import start_chat

SATKER = 30
PERSONNEL = 3000
DIRECTORATE_STAFF = 100
IG_POSTS, TT_POSTS = 12, 8
ENGAGEMENTS_PER_POST = 3000      # 20 × 3,000 = 60,000 rows
ADMIN = "6281100000001"
RANKS = ["AKBP", "KOMPOL", "AKP", "IPTU", "IPDA", "AIPTU", "AIPDA", "BRIPKA", "BRIGPOL", "BRIPTU", "BRIPDA"]
DIVISIONS = ["BAG OPS", "BAG SDM", "SAT BINMAS", "SAT LANTAS", "SAT RESKRIM", "SIE HUMAS", "SPKT", "POLSEK KOTA"]


async def fill(pool, now: datetime) -> None:
    from db.clients import Client, upsert_client

    rnd = random.Random(6)
    await upsert_client(pool, Client(id="DITBINMAS", name="DIREKTORAT BINMAS", type="direktorat",
                                     instagram="ditbinmas", tiktok="ditbinmas"))
    satker = [f"POLRES_{i:02d}" for i in range(1, SATKER + 1)]
    for cid in satker:
        await upsert_client(pool, Client(id=cid, name=cid.replace("_", " "), type="org", parent_id="DITBINMAS"))
    people = []
    for i in range(PERSONNEL):
        cid = "DITBINMAS" if i < DIRECTORATE_STAFF else satker[i % SATKER]
        ig = None if i % 13 == 0 else f"ig{i}"
        tt = None if i % 11 == 0 else f"tt{i}"
        people.append((f"{80000000 + i}", f"PERSONEL {i:04d}", rnd.choice(RANKS), rnd.choice(DIVISIONS),
                       "KANIT" if i % 40 == 0 else "BANIT", ig, tt, cid, True, i % 500 == 0, ["ditbinmas"]))
    await pool.copy_records_to_table(
        "personnel", records=people,
        columns=["nrp", "name", "rank", "division", "position", "instagram", "tiktok", "client_id", "active",
                 "exception", "roles"])
    start = now.replace(hour=6, minute=0, second=0, microsecond=0)
    ig_posts = [(f"SC{k:03d}", "DITBINMAS", start + timedelta(minutes=30 * k)) for k in range(IG_POSTS)]
    tt_posts = [(f"7300{k:015d}", "DITBINMAS", start + timedelta(minutes=45 * k)) for k in range(TT_POSTS)]
    await store_posts(pool, "instagram", "DITBINMAS", [PostRecord(code, at) for code, _, at in ig_posts])
    await store_posts(pool, "tiktok", "DITBINMAS", [PostRecord(vid, at) for vid, _, at in tt_posts])
    rows = []
    for platform, posts, prefix in (("instagram", ig_posts, "ig"), ("tiktok", tt_posts, "tt")):
        for post in posts:
            members = rnd.sample(range(PERSONNEL), 2400)
            names = {f"{prefix}{i}" for i in members} | {f"warga{post[0]}_{j}" for j in range(600)}
            rows += [(platform, post[0], u) for u in sorted(names)][:ENGAGEMENTS_PER_POST]
    await pool.copy_records_to_table("engagements", records=rows, columns=["platform", "post_id", "username"])
    await pool.execute("ANALYZE")
    print(f"data: {SATKER} satker, {PERSONNEL:,} personnel, {IG_POSTS + TT_POSTS} posts today, "
          f"{len(rows):,} engagement rows")


async def run(runs: int) -> None:
    from bot.router import Router
    from core.settings import load_settings
    from bot.whatsapp.fake import FakeGateway
    from handlers import dirrequest
    from core.clock import JAKARTA, ManualClock
    from core.reporting import LoggingReporter

    now = datetime(2026, 11, 25, 15, 20, tzinfo=JAKARTA)
    async with bench_database("cicero_bench_attendance") as (url, pool):
        await fill(pool, now)
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(Path(tmp) / "absent.toml", database={"url": url},
                                     whatsapp={"admins": [ADMIN], "transport": "console"}).settings
        gateway = FakeGateway()
        router = Router(settings=settings, pool=pool, clock=ManualClock(now), reporter=LoggingReporter(),
                        gateway=gateway, commands=dirrequest.COMMANDS)
        await start_chat(gateway, router)
        await gateway.inject("dirrequest", phone=ADMIN)
        await gateway.inject("DITBINMAS", phone=ADMIN)
        gateway.take()

        async def timed(option: str) -> tuple[float, list]:
            started = time.perf_counter()
            await gateway.inject(option, phone=ADMIN)
            elapsed = time.perf_counter() - started
            return elapsed, gateway.take()

        results = {}
        for option, label, target in (("5", "option 5  (IG likes per division, text)", 0.300),
                                      ("21", "option 21 (combined recap, text)", 0.300),
                                      ("19", "option 19 (likes Excel, 31 sheets)", 2.0)):
            await timed(option)  # warm-up: prepared statements, imports
            times = []
            for _ in range(runs):
                elapsed, sent = await timed(option)
                times.append(elapsed)
            docs = [m.document for m in sent if m.document]
            chars = sum(len(m.text or "") for m in sent)
            size = f", xlsx {len(docs[0].data) / 1024:,.0f} KiB" if docs else f", {chars:,} chars sent"
            med, worst = statistics.median(times), max(times)
            results[option] = med
            verdict = "OK" if med < target else "SLOW"
            print(f"{label}: median {med * 1000:7.1f} ms, max {worst * 1000:7.1f} ms over {runs} runs "
                  f"(target < {target * 1000:.0f} ms) {verdict}{size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.runs))


if __name__ == "__main__":
    main()
