"""Hardening, embedded PostgreSQL (issue 18, point 9): a postmaster that crashed and came back is not left behind.

Real processes: `cicero api` on an embedded database, the postmaster killed with
SIGKILL, another `cicero` command bringing it back, then the owner stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.api import free_port
from tests.test_service import CICERO, ROOT, env_with, wait_for

pytestmark = pytest.mark.slow


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def _running(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_until(predicate, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _kill_postmaster(data_dir: Path) -> int:
    pid = _postmaster_pid(data_dir)
    assert _running(pid)
    children = psutil.Process(pid).children(recursive=True)
    os.kill(pid, signal.SIGKILL)
    _wait_until(lambda: not _running(pid) and not any(_running(c.pid) for c in children), what="postgres to die")
    return pid


@pytest.fixture
def data_dir(embedded_dir):
    return embedded_dir / "pg"


@pytest.fixture
def env(data_dir):
    yield env_with(CICERO_DATABASE__DATA_DIR=str(data_dir), CICERO_GENERAL__ENVIRONMENT="development",
                    CICERO_INSTAGRAM__BASE_URL="http://127.0.0.1:9", CICERO_TIKTOK__BASE_URL="http://127.0.0.1:9",
                    COLUMNS="250")
    leftover = _postmaster_pid(data_dir)  # a failed test must not leave its server behind
    if _running(leftover):
        psutil.Process(leftover).terminate()


def _cicero(tmp_path, env, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(CICERO + ["--config", str(tmp_path / "none.toml"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _start_api(tmp_path, env, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(CICERO + ["--config", str(tmp_path / "none.toml"), "api", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(proc, "HTTP API on", timeout=180)
    return proc


def test_the_owner_stops_a_postmaster_that_crashed_and_was_restarted_by_another_process(tmp_path, env, data_dir):
    port = free_port()
    owner = _start_api(tmp_path, env, port)
    try:
        first = _kill_postmaster(data_dir)
        # another cicero command brings the database back (and leaves it to the owner when it exits)
        _wait_until(lambda: _cicero(tmp_path, env, "db", "status").returncode == 0, timeout=120,
                    what="`cicero db status` to restart the embedded server")
        second = _postmaster_pid(data_dir)
        assert second != first and _running(second)
        health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=30).json()
        assert health["components"]["database"]["status"] == "ok"  # the owner's pool reconnected
        owner.send_signal(signal.SIGTERM)
        assert owner.wait(60) == 0
    finally:
        if owner.poll() is None:
            owner.kill()
    assert not _running(second), "the restarted postmaster was left running with no cicero process"


def test_doctor_reports_an_orphaned_embedded_postgres(tmp_path, env, data_dir):
    crashed = _start_api(tmp_path, env, free_port())
    crashed.kill()  # SIGKILL: no exit hook, its handle stays behind
    crashed.wait(30)
    orphan = _postmaster_pid(data_dir)
    assert _running(orphan)
    doctor = _cicero(tmp_path, env, "doctor")
    out = doctor.stdout + doctor.stderr
    assert f"orphaned embedded PostgreSQL (pid {orphan})" in out, out
    assert f"kill {orphan}" in out
    _wait_until(lambda: not _running(orphan), timeout=30, what="the orphan to be stopped by the last user")
