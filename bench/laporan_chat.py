"""Bench: the admin's `laporan`, `laporan CLIENT`, `jadwal` and `status` replies at scale, through the router.

Creates a directorate and N org clients (each with a group and an operator),
seeds the default report subscriptions (`seed_defaults`: 9 for the directorate,
3 per org client), switches one collection phase off, then sends each command
R times from an admin through `bot.router.Router` with the fake gateway on real
PostgreSQL. Prints the subscription count, latency (median / max) and the
reply size (characters, WhatsApp messages) per command, with the load average.

    .venv/bin/python -m bench.laporan_chat [--clients 200] [--repeat 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
from datetime import datetime

from bench._db import bench_database
from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from core.clock import JAKARTA, ManualClock
from core.reporting import LoggingReporter
from core.settings import load_settings
from db.audit import Actor
from db.clients import Client, upsert_client
from handlers.registry import all_commands
from handlers.reports.subscriptions.defaults import seed_defaults
from jobs.schedule_switch import switch_phase

ADMIN = "6281100000001"


async def main(clients: int, repeat: int) -> None:
    async with bench_database("cicero_bench_laporan") as (url, pool):
        settings = load_settings(None, database={"url": url}, whatsapp={"admins": [ADMIN]}).settings
        now = datetime(2026, 2, 17, 9, 10, tzinfo=JAKARTA)
        await upsert_client(pool, Client(id="DITBINMAS", name="Ditbinmas", type="direktorat",
                                         group_ids=["120363000000000000@g.us"], operator_phone="6281200000000",
                                         super_phones=["6281300000000"]))
        for i in range(clients):
            await upsert_client(pool, Client(id=f"POLRES_{i:03d}", name=f"Polres {i}", type="org",
                                             parent_id="DITBINMAS", group_ids=[f"1203630000{i:08d}@g.us"],
                                             operator_phone=f"62812{i:08d}"))
        seeded = await seed_defaults(pool, settings, now)
        await switch_phase(pool, Actor("bench", "system"), "late_sweep", False, at=now)
        gateway = FakeGateway()
        router = Router(settings=settings, pool=pool, clock=ManualClock(now), reporter=LoggingReporter(),
                        gateway=gateway, commands=all_commands())
        print(f"scale: {clients} org clients + 1 directorate, {seeded.added} subscriptions; "
              f"{repeat} runs per command; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              f"on {os.cpu_count()} cores")
        for command in ("laporan", "laporan POLRES_007", "jadwal", "status"):
            lat, chars, parts = [], 0, 0
            for r in range(repeat):
                msg = gateway.message(command, phone=ADMIN, message_id=f"B{command}-{r}")
                t0 = time.perf_counter()
                await router.handle(msg)
                lat.append(time.perf_counter() - t0)
                sent = [m.text for m in gateway.take() if m.text]
                chars, parts = sum(len(t) for t in sent), len(sent)
            print(f"{command:<20}: median {statistics.median(lat) * 1000:7.1f} ms, max {max(lat) * 1000:7.1f} ms; "
                  f"reply {chars:,} chars in {parts} message(s)")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args()
    asyncio.run(main(a.clients, a.repeat))
