"""`cicero demo` as a newcomer runs it: no WhatsApp, no RapidAPI key, no database configured."""

from __future__ import annotations

import pytest

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CICERO_")}
    env.update(PYTHONUNBUFFERED="1", COLUMNS="200", PYTHONPATH=str(ROOT), **extra)
    return env


@pytest.mark.slow
def test_demo_collects_reports_saves_documents_and_cleans_up(tmp_path, embedded_dir):
    scratch = embedded_dir  # TMPDIR of the demo: its temporary data directory is made (and removed) here
    script = "dirrequest\n1\n5\n19\nbatal\nstatus\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "none.toml"), "demo",
         "--api-port", str(free_port())],
        input=script, cwd=tmp_path, env=demo_env(TMPDIR=str(scratch)), capture_output=True, text=True,
        timeout=240,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "seeded 3 clients and 300 personnel" in out
    assert "collection cycle: 3/3 clients ok" in out
    assert "demo / demo12345" in out
    assert "Rekap Absensi Likes Instagram" in out        # a real report over the collected data
    assert "[bot → 120363000000000002@g.us]" in out       # a group notification, shown with its recipient
    # option 19: the Excel file is saved under var/outbox-files/ and its path is printed
    saved = re.search(r"saved as (var/outbox-files/\S+\.xlsx)", out)
    assert saved, out
    workbook = load_workbook(tmp_path / saved.group(1))
    assert workbook.sheetnames
    assert "Status Cicero" in out
    assert "stopped cleanly" in out
    assert "Traceback" not in out + proc.stderr
    # the temporary directory with the embedded database is gone
    assert "removed the demo's temporary directory" in out
    assert not list(scratch.glob("cicero-demo-*"))


def read_until(proc: subprocess.Popen, needle: str, seen: list[str], deadline: float) -> str | None:
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            return None
        seen.append(line)
        if needle in line:
            return line
    return None


@pytest.mark.slow
def test_demo_fast_clock_replays_the_day_then_runs_at_real_speed(tmp_path, embedded_dir):
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "none.toml"), "demo", "--fast-clock",
         "--speed", "6000", "--data-dir", str(embedded_dir / "pg"), "--api-port", str(free_port())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path, env=demo_env(),
        text=True,
    )
    seen: list[str] = []
    deadline = time.monotonic() + 200
    try:
        finished = read_until(proc, "replay finished", seen, deadline)
        assert finished, "".join(seen)
        # at 6000× the old clock passed midnight within a second; now it stays at the replay's last minute
        time.sleep(2)
        proc.stdin.write("status\n")
        proc.stdin.flush()
        header = read_until(proc, "Status Cicero", seen, deadline)
        proc.stdin.close()  # end of input: the demo stops
        rest = proc.stdout.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = "".join(seen) + rest
    assert proc.returncode == 0, out
    for fire in ("06:05 WIB — posts + likes/comments", "17:05 WIB — posts + likes/comments",
                 "17:30 WIB — likes/comments only", "22:00 WIB — likes/comments only"):
        assert fire in out
    assert "The demo clock now runs at real speed from 22:" in finished
    replay_day = re.search(r'"hari ini" is still (\d\d/\d\d/\d{4})', finished).group(1)
    assert header and f"{replay_day} pukul 22." in header, header
    assert "Daftar Tugas" in out
    # the scheduled reports at their times: the directorate group's recaps, the leaders' at 18:20
    for fire in ("06:45 WIB — scheduled reports", "15:20 WIB — scheduled reports",
                 "18:10 WIB — scheduled reports", "18:20 WIB — scheduled reports"):
        assert fire in out
    assert re.search(r"18:10 WIB — scheduled reports: [1-9]\d* sent", out)
    assert "[bot → 6281100000011]" in out                     # the directorate's super-admin (demo leader)
    assert "Traceback" not in out
