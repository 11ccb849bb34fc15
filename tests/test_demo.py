"""`cicero demo` as a newcomer runs it: no WhatsApp, no RapidAPI key, no database configured."""

from __future__ import annotations

import pytest

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CICERO_")}
    env.update(PYTHONUNBUFFERED="1", COLUMNS="200")
    return env


@pytest.mark.slow
def test_demo_collects_reports_and_notifies_groups(tmp_path, embedded_dir):
    script = "dirrequest\n1\n5\nbatal\nstatus\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "none.toml"), "demo",
         "--data-dir", str(embedded_dir / "pg"), "--api-port", str(free_port())],
        input=script, cwd=ROOT, env=demo_env(), capture_output=True, text=True, timeout=240,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "seeded 3 clients and 300 personnel" in out
    assert "collection cycle: 3/3 clients ok" in out
    assert "demo / demo12345" in out
    assert "Rekap Absensi Likes Instagram" in out        # a real report over the collected data
    assert "[bot → 120363000000000002@g.us]" in out       # a group notification, shown with its recipient
    assert "Status Cicero" in out
    assert "stopped cleanly" in out
    assert "Traceback" not in out + proc.stderr


@pytest.mark.slow
def test_demo_fast_clock_replays_the_day_including_17_05(tmp_path, embedded_dir):
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "none.toml"), "demo", "--fast-clock",
         "--speed", "6000", "--data-dir", str(embedded_dir / "pg"), "--api-port", str(free_port())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, env=demo_env(), text=True,
    )
    seen: list[str] = []
    deadline = time.monotonic() + 200
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "replay finished" in line:
                break
        proc.stdin.close()  # end of input: the demo stops
        rest = proc.stdout.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = "".join(seen) + rest
    assert proc.returncode == 0, out
    for fire in ("06:05 WIB — post_fetch", "17:05 WIB — post_fetch", "17:30 WIB — engagement_only",
                 "22:00 WIB — engagement_only"):
        assert fire in out
    assert "Daftar Tugas" in out
    assert "Traceback" not in out
