"""Bench: a 5,000-row personnel .xlsx sent to the WhatsApp console (`import CLIENT`): dry run, then `ya`.

Through the real router, inbound pipeline and fake gateway against a fresh
database; prints the time of each step and the load average.

    .venv/bin/python bench/console_import.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import bench_database
from bench.import_users import DIVISIONS, RANKS

ADMIN = "6281100000001"


def workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    rnd = random.Random(7)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["user_id", "nama", "title", "divisi", "jabatan", "whatsapp", "insta", "tiktok"])
    for i in range(rows):
        ws.append([80000000 + i, f"Personel {i}", rnd.choice(RANKS), rnd.choice(DIVISIONS), "BANIT",
                   f"0812{i:08d}" if i % 3 else None, f"user{i}" if i % 5 else None, f"@tok{i}" if i % 4 else None])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def main(rows: int) -> None:
    from bot.inbound import InboundPipeline
    from bot.router import Router
    from bot.whatsapp.fake import FakeGateway
    from core.clock import SystemClock
    from core.reporting import LoggingReporter
    from core.settings import load_settings
    from db.clients import Client, upsert_client
    from handlers.registry import all_commands

    data = workbook(rows)
    async with bench_database() as (url, pool):
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(Path(tmp) / "absent.toml", database={"url": url},
                                     whatsapp={"admins": [ADMIN]}).settings
        await upsert_client(pool, Client(id="POLRES_BENCH", name="Polres Bench", type="org"))
        gateway = FakeGateway()
        router = Router(settings=settings, pool=pool, clock=SystemClock(settings.tz), reporter=LoggingReporter(),
                        gateway=gateway, commands=all_commands())
        await gateway.start(InboundPipeline(router.handle, resolve_lid=gateway.phone_for_lid))
        started = time.perf_counter()
        await gateway.inject_document(data, "personel.xlsx", caption="import POLRES_BENCH", phone=ADMIN)
        dry = time.perf_counter() - started
        preview = next(m.text for m in gateway.take() if m.text and "Pemeriksaan" in m.text)
        started = time.perf_counter()
        await gateway.inject("ya", phone=ADMIN)
        applied = time.perf_counter() - started
        done = next(m.text for m in gateway.take() if m.text and "selesai" in m.text)
        stored = await pool.fetchval("SELECT count(*) FROM personnel")
    load = os.getloadavg()
    print()
    print(f"rows                  : {rows} ({len(data) / 1_000_000:.2f} MB .xlsx)")
    print(f"dry run (read + check): {dry:.2f} s   → {preview.splitlines()[2]}")
    print(f"apply on 'ya'         : {applied:.2f} s   → {done.splitlines()[1]}; {stored} rows stored")
    print(f"load average          : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores shared)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    asyncio.run(main(parser.parse_args().rows))
