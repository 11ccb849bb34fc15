"""/api/health and the WhatsApp `status` command report the same facts about one running service."""

from __future__ import annotations

import pytest

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "6281100000001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_until(proc: subprocess.Popen, needle: str, timeout: float = 90) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not seen in:\n{''.join(seen)}")


@pytest.mark.slow
def test_health_endpoint_and_status_command_agree(database_url, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CICERO_")}
    env.update(PYTHONUNBUFFERED="1", COLUMNS="200", CICERO_DATABASE__URL=database_url,
               CICERO_WHATSAPP__ADMINS=f'["{ADMIN}"]', CICERO_GENERAL__ENVIRONMENT="development",
               CICERO_API__PORT=str(port), CICERO_SCHEDULE__ENABLED="false")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "none.toml"), "console",
                             "--as", ADMIN], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        read_until(proc, "running")
        health = None
        for _ in range(50):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert health is not None, "API did not answer"
        proc.stdin.write("status\n")
        proc.stdin.flush()
        status = read_until(proc, "perbarui likes/komentar")
        proc.stdin.close()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    components = health["components"]
    assert components["database"]["status"] == "ok" and "Database: ✅" in status
    assert components["whatsapp"]["connected"] is True and "WhatsApp: ✅ terhubung" in status
    assert components["whatsapp"]["transport"] == "console"
    # the schedule is disabled here: both say so
    assert components["scheduler"]["status"] == "disabled" and "jadwal nonaktif" in status
    assert health["status"] == "ok"
