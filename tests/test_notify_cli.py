"""Done-when check: `cicero fetch` against the fake RapidAPI, then `cicero outbox` shows each group's task messages."""

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.cli import main
from core.clock import JAKARTA

ROOT = Path(__file__).resolve().parent.parent
GROUPS = {"BENCH_0000": "120363000000000501@g.us", "BENCH_0001": "120363000000000502@g.us"}


@pytest.fixture
def fake_api():
    today = datetime.now(timezone.utc).astimezone(JAKARTA).date().isoformat()  # the CLI runs on the real clock
    proc = subprocess.Popen([sys.executable, "-m", "jobs.sources.fake_rapidapi", "--day", today, "--clients", "2",
                             "--key", "cli-key"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_fetch_then_outbox_lists_task_messages_per_group(tmp_path, capsys, monkeypatch, database_url, fake_api):
    import asyncio

    import asyncpg

    async def clean():
        conn = await asyncpg.connect(database_url)
        await conn.execute("TRUNCATE outbox, notification_state, instagram_posts, tiktok_posts, engagements, "
                           "job_runs, clients RESTART IDENTITY CASCADE")
        await conn.close()

    asyncio.run(clean())
    for section in ("INSTAGRAM", "TIKTOK"):
        monkeypatch.setenv(f"CICERO_{section}__BASE_URL", fake_api)
        monkeypatch.setenv(f"CICERO_{section}__KEY", "cli-key")
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    monkeypatch.setenv("CICERO_WHATSAPP__ADMINS", '["6281100000001"]')
    monkeypatch.setenv("COLUMNS", "250")
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    for cid, group in GROUPS.items():
        handle = cid.lower().replace("_", "")
        assert main(["--config", str(cfg), "clients", "add", cid, "--name", cid.replace("_", " ").title(),
                     "--type", "org", "--instagram", handle, "--tiktok", handle, "--group", group]) == 0
    assert main(["--config", str(cfg), "fetch"]) == 0
    capsys.readouterr()
    assert main(["--config", str(cfg), "outbox", "--full", "--limit", "100"]) == 0
    out = capsys.readouterr().out
    for cid, group in GROUPS.items():
        assert group in out
        # inside 06-17 WIB the scheduled list, otherwise the new-post messages: either way the posts' links
        assert f"https://www.instagram.com/p/{cid}_IG0/" in out
    assert "Bench 0000" in out and "Bench 0001" in out
    # one admin summary for the run, naming what each group got
    assert out.count("│ admin_log ") == 1 and "✅ *Pengambilan data manual (CLI)* selesai pukul" in out
    assert "Dikirim ke grup:" in out and "• BENCH_0000: " in out and "• BENCH_0001: " in out
