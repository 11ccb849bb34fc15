"""The service entry points as an operator runs them: subprocesses, real signals."""

from __future__ import annotations

import pytest

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CICERO = [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parent.parent


def env_with(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CICERO_")}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.mark.slow
def test_embedded_database_is_started_when_no_url_is_configured(tmp_path, embedded_dir):
    data_dir = embedded_dir / "pg"
    env = env_with(CICERO_DATABASE__DATA_DIR=str(data_dir))
    cmd = CICERO + ["--config", str(tmp_path / "none.toml"), "db", "migrate"]
    # Two processes on the same data directory at once share one server.
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    for p, out in zip(procs, outputs):
        assert p.returncode == 0, out
        assert "embedded PostgreSQL" in out
    assert (data_dir / "PG_VERSION").exists()
    status = subprocess.run(CICERO + ["--config", str(tmp_path / "none.toml"), "db", "status"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "applied" in status.stdout and "pending" not in status.stdout


def wait_for(proc: subprocess.Popen, needle: str, timeout: float = 60) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not printed; output so far:\n{''.join(seen)}")


@pytest.mark.slow
def test_run_prints_banner_and_stops_cleanly_on_sigterm_and_sigint(database_url, tmp_path):
    env = env_with(
        CICERO_DATABASE__URL=database_url,
        CICERO_WHATSAPP__TRANSPORT="console",
        CICERO_API__ENABLED="false",
        CICERO_SCHEDULE__ENABLED="false",
        CICERO_GENERAL__ENVIRONMENT="development",
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = subprocess.Popen(CICERO + ["--config", str(tmp_path / "none.toml"), "run"], cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            banner = wait_for(proc, "running")
            assert "database" in banner and "whatsapp" in banner and "http api" in banner
            # no key configured: the banner names the setting literally (not eaten as console markup)
            assert "rapidapi   : no RapidAPI key ([instagram] key / CICERO_INSTAGRAM__KEY)" in banner, banner
            proc.send_signal(sig)
            rest, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, rest
        assert "stopped cleanly" in rest
        assert "Traceback" not in banner + rest
