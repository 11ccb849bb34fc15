"""Bench: the files a recap sends — option 21's chart and workbook, the per-post workbooks (28/29), option 19.

No database: the attendance reports are assembled in memory by the engine's pure
part (`assemble_report`) for a directorate with 30 satker, so the figures are
the rendering cost alone (what `asyncio.to_thread` takes off the event loop).
Prints the median of `--runs` after a warm-up, with the scale, the file size
and the load average.

    .venv/bin/python bench/report_files.py [--runs 5] [--personnel 3000] [--posts 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.clock import JAKARTA
from db.attendance import ClientName, PostRow
from db.clients import Client
from handlers.reports.attendance import AttendanceRules, CombinedAttendance, Period, Platform, Scope, assemble_report
from handlers.reports.charts import render_combined_recap_chart
from handlers.reports.combined_excel import combined_recap_workbook
from handlers.reports.excel import likes_recap_workbook
from handlers.reports.per_post_excel import per_post_workbook
from handlers.reports.recaps import combined_recap

NOW = datetime(2026, 11, 25, 15, 20, tzinfo=JAKARTA)
SATKER = 30
DIVISIONS = ["BAG OPS", "BAG SDM", "SAT BINMAS", "SAT LANTAS", "SAT RESKRIM", "SIE HUMAS", "SPKT", "POLSEK KOTA"]
RANKS = ["AKBP", "KOMPOL", "AKP", "IPTU", "IPDA", "AIPTU", "BRIPKA", "BRIGPOL", "BRIPTU", "BRIPDA"]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} cores"


def world(personnel: int, posts: int, platform: Platform, seed: int):
    rng = random.Random(seed)
    client = Client(id="DITBINMAS", name="DIREKTORAT BINMAS", type="direktorat", instagram="ditbinmas",
                    tiktok="ditbinmas")
    satker = [ClientName(f"POLRES_{i:02d}", f"POLRES NOMOR {i:02d}", False, "DITBINMAS", True, None)
              for i in range(1, SATKER + 1)]
    clients = {c.id: c for c in satker}
    start = datetime(2026, 11, 25, 6, tzinfo=JAKARTA)
    post_rows = [PostRow(f"{platform.value[:2].upper()}{i:04d}", "DITBINMAS", start + timedelta(minutes=30 * i),
                         None, 0, 0) for i in range(posts)]
    ids = [p.post_id for p in post_rows]
    people, done_ids = [], {}
    for n in range(personnel):
        cid = "DITBINMAS" if n % (SATKER + 1) == 0 else satker[n % SATKER].id
        has_username = rng.random() > 0.1
        share = rng.random()
        done = [i for i in ids if rng.random() < share] if has_username else []
        nrp = f"{80000000 + n}"
        people.append((nrp, f"PERSONEL {n:05d}", rng.choice(RANKS), rng.choice(DIVISIONS), None, cid, False,
                       f"user{n}" if has_username else None))
        if done:
            done_ids[nrp] = done
    return assemble_report(client, platform, Period.today(NOW), Scope.DIRECTORATE, AttendanceRules(), post_rows,
                           people, {nrp: len(ids) for nrp, ids in done_ids.items()}, clients, satker,
                           done_post_ids=done_ids)


def timed(fn, runs: int):
    result = fn()                       # warm-up (matplotlib's font cache, openpyxl's imports)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--personnel", type=int, default=3000)
    ap.add_argument("--posts", type=int, default=20)
    args = ap.parse_args()
    ig = world(args.personnel, args.posts, Platform.INSTAGRAM, 1)
    tt = world(args.personnel, args.posts // 2, Platform.TIKTOK, 2)
    recap = combined_recap(CombinedAttendance(ig, tt))
    scale = f"{args.personnel:,} personnel, {SATKER} satker"
    print(f"report files — {scale}, {args.posts} IG / {args.posts // 2} TikTok posts; {load()}")
    cases = [
        ("option 21 chart (PNG)", lambda: render_combined_recap_chart(recap, NOW, target=90.0)),
        ("option 21 workbook", lambda: combined_recap_workbook(recap, NOW).data),
        ("option 28 per-post workbook (IG)", lambda: per_post_workbook(ig, NOW).data),
        ("option 29 per-post workbook (TikTok)", lambda: per_post_workbook(tt, NOW).data),
        ("option 19 workbook (layout included)", lambda: likes_recap_workbook(ig, NOW).data),
    ]
    for name, fn in cases:
        seconds, data = timed(fn, args.runs)
        print(f"  {name:<40} {seconds * 1000:8.0f} ms  {len(data) / 1024:8.0f} KiB   ({load()})")


if __name__ == "__main__":
    main()
