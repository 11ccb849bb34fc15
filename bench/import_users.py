"""Bench: `cicero import-users` of a 5,000-row sheet (target: under 5 s).

Runs the real command twice against a fresh database: the first run creates
every row, the second finds them unchanged.

    .venv/bin/python bench/import_users.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import bench_database

RANKS = ["AKBP", "KOMPOL", "AKP", "IPTU", "IPDA", "AIPTU", "AIPDA", "BRIPKA", "BRIGPOL", "BRIPTU", "BRIPDA"]
DIVISIONS = ["SAT BINMAS", "SAT LANTAS", "SAT RESKRIM", "SAT INTELKAM", "SAT SAMAPTA", "SIE HUMAS", "BAG OPS"]


def write_sheet(path: Path, rows: int) -> None:
    rnd = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "nama", "title", "divisi", "jabatan", "whatsapp", "insta", "tiktok"])
        for i in range(rows):
            w.writerow([
                f"{80000000 + i}", f"Personel {i}", rnd.choice(RANKS), rnd.choice(DIVISIONS), "BANIT",
                f"0812{i:08d}" if i % 3 else "", f"user{i}" if i % 5 else "", f"@tok{i}" if i % 4 else "",
            ])


def run_cli(url: str, args: list[str]) -> float:
    from bot.cli import main

    os.environ["CICERO_DATABASE__URL"] = url
    started = time.perf_counter()
    code = main(["--config", "/nonexistent/config.toml", *args])
    elapsed = time.perf_counter() - started
    if code not in (0, 1):
        raise SystemExit(f"command failed with exit code {code}")
    return elapsed


async def main(rows: int) -> None:
    async with bench_database() as (url, _pool):
        with tempfile.TemporaryDirectory() as tmp:
            sheet = Path(tmp) / "personel.csv"
            write_sheet(sheet, rows)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, run_cli, url,
                                       ["clients", "add", "POLRES_BENCH", "--name", "Polres Bench", "--type", "org"])
            first = await loop.run_in_executor(None, run_cli, url, ["import-users", "--client", "POLRES_BENCH", str(sheet)])
            second = await loop.run_in_executor(None, run_cli, url, ["import-users", "--client", "POLRES_BENCH", str(sheet)])
    print()
    print(f"rows                      : {rows}")
    print(f"first import (all created): {first:.2f} s  (whole command, incl. pool + migration check)")
    print(f"re-import (all unchanged) : {second:.2f} s")
    print(f"target                    : < 5.00 s -> {'OK' if max(first, second) < 5 else 'MISSED'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    asyncio.run(main(parser.parse_args().rows))
