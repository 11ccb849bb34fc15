"""`cicero console` driven by a pipe in a real subprocess, against the test database."""

from __future__ import annotations

import pytest

import os
import subprocess
import sys
from pathlib import Path


from jobs.outbox import enqueue

ROOT = Path(__file__).resolve().parent.parent
CICERO = ROOT / ".venv" / "bin" / "cicero"
ADMIN = "6281100000001"
GROUP = "120363000000000077@g.us"


def run_console(database_url: str, stdin: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CICERO_CONFIG": str(tmp_path / "absent.toml"),
        "CICERO_DATABASE__URL": database_url,
        "CICERO_WHATSAPP__ADMINS": f'["{ADMIN}"]',
        "CICERO_WHATSAPP__SEND_INTERVAL_SECONDS": "0",
        "CICERO_API__ENABLED": "false",
        "CICERO_SCHEDULE__ENABLED": "false",
        "CICERO_GENERAL__ENVIRONMENT": "development",
        "COLUMNS": "200",
    }
    command = [str(CICERO)] if CICERO.exists() else [sys.executable, "-m", "bot.cli"]
    return subprocess.run(command + ["console", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)


@pytest.mark.slow
def test_admin_gets_help_and_status_through_a_pipe(database_url, tmp_path):
    done = run_console(database_url, "help\nstatus\n", "--as", ADMIN, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[6281100000001 → bot] help" in out
    assert "🤖 *Perintah Cicero*" in out and "*fetch [likes] [CLIENT]*" in out
    assert "📊 *Status Cicero*" in out
    assert "WhatsApp: ✅ terhubung" in out and "Database: ✅ OK" in out and "Outbox: 0 menunggu dikirim, 0 sedang dikirim, 0 terkirim hari ini, 0 gagal permanen" in out
    # replies come in input order: help's reply before the status line is read
    assert out.index("Perintah Cicero") < out.index("[6281100000001 → bot] status") < out.index("Status Cicero")
    assert "stopped cleanly" in out


@pytest.mark.slow
def test_unknown_number_gets_one_refusal(database_url, tmp_path):
    done = run_console(database_url, "help\nstatus\n", "--as", "0899-1234-5678", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("nomor Anda tidak terdaftar") == 1
    assert "Perintah Cicero" not in done.stdout


async def test_due_outbox_messages_to_groups_are_shown_with_their_recipient(database_url, pool, tmp_path):
    await enqueue(pool, recipient=GROUP, kind="task_scheduled", body="Tugas hari ini: 3 posting",
                  idempotency_key="console-test-1")
    import asyncio

    done = await asyncio.to_thread(run_console, database_url, "", "--as", ADMIN, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"[bot → {GROUP}]\nTugas hari ini: 3 posting" in done.stdout
    assert await pool.fetchval("SELECT status FROM outbox WHERE idempotency_key = 'console-test-1'") == "sent"


@pytest.mark.slow
def test_bad_as_number_is_a_clear_error(database_url, tmp_path):
    done = run_console(database_url, "", "--as", "abc", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "--as" in done.stdout and "Traceback" not in done.stdout + done.stderr
