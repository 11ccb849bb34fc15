"""Bench: chat messages through the router (authorisation, session load/save, reply) on real PostgreSQL.

Runs N messages from M senders through `bot.router.Router` with the fake
gateway: a mix of `help`, a menu round trip (open, choose, back, batal) and
unknown senders; prints messages per second and latency percentiles, first
sequentially, then with M senders in parallel.

    .venv/bin/python -m bench.router [--messages 2000] [--senders 50]
"""

from __future__ import annotations

import argparse
import logging
import asyncio
import statistics
import time
from datetime import datetime

from bench._db import bench_database
from bot.router import Router
from core.settings import load_settings
from bot.whatsapp.fake import FakeGateway
from handlers.context import Command
from handlers.identity import ANY_KNOWN
from handlers.menus import Choice, Menu, MenuStep
from handlers.registry import all_commands
from core.clock import JAKARTA, ManualClock
from core.reporting import LoggingReporter


async def _choices(ctx):
    return [Choice("1", "satu"), Choice("2", "dua")]


async def _on_main(ctx, choice, text):
    if choice.key == "2":
        ctx.goto("sub")
    else:
        await ctx.reply("ok")


BENCH_MENU = Menu(id="benchmenu", title="Menu Bench", start="main", steps=[
    MenuStep("main", prompt="Menu", choices=_choices, handle=_on_main),
    MenuStep("sub", prompt="Sub", choices=_choices, handle=_on_main),
])
SCRIPT = ["help", "benchmenu", "1", "2", "back", "batal", "status?", "help"]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


async def main(messages: int, senders: int) -> None:
    async with bench_database("cicero_bench_router") as (url, pool):
        settings = load_settings(None, database={"url": url},
                                 whatsapp={"admins": [f"62811{i:08d}" for i in range(senders)]}).settings
        commands = [*all_commands(),
                    Command(id="benchmenu", triggers=("benchmenu",), help="bench", allowed=ANY_KNOWN, menu=BENCH_MENU)]
        gateway = FakeGateway()
        router = Router(settings=settings, pool=pool, clock=ManualClock(datetime(2026, 2, 17, 9, tzinfo=JAKARTA)),
                        reporter=LoggingReporter(), gateway=gateway, commands=commands)
        phones = [f"62811{i:08d}" for i in range(senders)] + ["6289900000000"]

        async def one(i: int, phone: str) -> float:
            msg = gateway.message(SCRIPT[i % len(SCRIPT)], phone=phone, message_id=f"B{phone}-{i}")
            t0 = time.perf_counter()
            await router.handle(msg)
            return time.perf_counter() - t0

        # sequential
        lat = []
        t0 = time.perf_counter()
        for i in range(messages):
            lat.append(await one(i, phones[i % len(phones)]))
        elapsed = time.perf_counter() - t0
        print(f"sequential : {messages} messages in {elapsed:.2f} s = {messages / elapsed:,.0f} msg/s; "
              f"p50 {statistics.median(lat) * 1000:.2f} ms, p99 {percentile(lat, 0.99) * 1000:.2f} ms")

        # parallel: every sender sends its share in order, senders concurrently
        per_sender = max(1, messages // len(phones))

        async def sender(phone: str) -> list[float]:
            return [await one(10_000 + i, phone) for i in range(per_sender)]

        t0 = time.perf_counter()
        results = await asyncio.gather(*(sender(p) for p in phones))
        elapsed = time.perf_counter() - t0
        lat = [x for r in results for x in r]
        print(f"parallel   : {len(lat)} messages from {len(phones)} senders in {elapsed:.2f} s = "
              f"{len(lat) / elapsed:,.0f} msg/s; p50 {statistics.median(lat) * 1000:.2f} ms, "
              f"p99 {percentile(lat, 0.99) * 1000:.2f} ms")
        print(f"replies sent: {len(gateway.sent)}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--senders", type=int, default=50)
    a = ap.parse_args()
    logging.disable(logging.WARNING)  # the audit lines for the unknown sender would drown the figures
    asyncio.run(main(a.messages, a.senders))
