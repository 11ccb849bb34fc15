"""Bench: notification decision for many clients and outbox throughput.

1. `notify_client` for N clients (each with 2 groups and ~6 posts of today) at a
   slot time: every client queues a scheduled list (first pass) and, at the
   same slot, nothing (second pass).
2. `enqueue` of M admin-log style messages one transaction each.
3. `OutboxSender.drain_once` of all pending rows through an in-memory gateway
   with `send_interval_seconds = 0` (the database cost per message; the real
   pace is set by the interval, default 2 s).

    .venv/bin/python bench/notify_outbox.py [--clients 200] [--messages 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import bench_database, store_posts
from db.posts import PostRecord
from core.settings import Settings
from core.chat_port import SendResult
from db.clients import Client, upsert_client
from core.clock import JAKARTA, ManualClock
from jobs.notify import notify_client
from jobs.outbox import OutboxSender, enqueue
from core.reporting import LoggingReporter


class NullGateway:
    name = "null"

    def __init__(self):
        self.n = 0

    def is_connected(self):
        return True

    async def send_text(self, to, text):
        self.n += 1
        return SendResult(message_id=f"B{self.n}")

    async def send_document(self, to, document):
        return await self.send_text(to, "")


async def main(clients: int, messages: int) -> None:
    settings = Settings(whatsapp={"send_interval_seconds": 0})
    clock = ManualClock(datetime(2026, 2, 17, 9, 5, tzinfo=JAKARTA))
    reporter = LoggingReporter()
    async with bench_database("cicero_bench_notify") as (_url, pool):
        for i in range(clients):
            cid = f"POLRES_{i:04d}"
            await upsert_client(pool, Client(id=cid, name=f"Polres {i}", type="org", tiktok=f"polres{i}",
                                             group_ids=[f"1203630{i:011d}@g.us", f"1203631{i:011d}@g.us"]))
            await store_posts(pool, "instagram", cid, [
                PostRecord(f"{cid}_IG{j}", clock.now() - timedelta(hours=j), "Kegiatan " * 12, 1000 + j)
                for j in range(4)])
            await store_posts(pool, "tiktok", cid, [
                PostRecord(f"{cid}_TT{j}", clock.now() - timedelta(hours=j), "Video") for j in range(2)])
        ids = [f"POLRES_{i:04d}" for i in range(clients)]

        for label in ("first pass (queues lists)", "same slot again (queues nothing)"):
            t0 = time.perf_counter()
            for cid in ids:
                await notify_client(pool, settings, clock, reporter, cid)
            dt = time.perf_counter() - t0
            print(f"notify {clients} clients, {label}: {dt:.2f} s ({dt / clients * 1000:.1f} ms/client)")

        t0 = time.perf_counter()
        for i in range(messages):
            await enqueue(pool, recipient=f"62811{i % 50:08d}", kind="admin_log", body=f"log {i}",
                          idempotency_key=f"bench:{i}", now=clock.now())
        dt = time.perf_counter() - t0
        print(f"enqueue {messages} messages: {dt:.2f} s ({messages / dt:.0f}/s)")

        pending = await pool.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'")
        gateway = NullGateway()
        sender = OutboxSender(pool, gateway, settings, clock, reporter)
        t0 = time.perf_counter()
        result = await sender.drain_once()
        dt = time.perf_counter() - t0
        print(f"drain {pending} pending messages: sent {result.sent} in {dt:.2f} s ({result.sent / dt:.0f}/s, "
              f"{dt / max(result.sent, 1) * 1000:.2f} ms/message DB overhead)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.messages))
