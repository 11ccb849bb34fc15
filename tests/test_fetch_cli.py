"""`cicero fetch` as an operator runs it: a subprocess against the fake RapidAPI and a real database."""

from __future__ import annotations

import pytest

import asyncio
import sys
from pathlib import Path

from core.clock import SystemClock
from jobs.sources.fake_rapidapi import FakeRapidApi, Scenario
from tests.support.factories import Factory

ROOT = Path(__file__).resolve().parents[1]


async def run_cli(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(ROOT)},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


def write_config(tmp_path, database_url: str, base_url: str) -> Path:
    cfg = tmp_path / "config.toml"
    api = f'base_url = "{base_url}"\nkey = "cli-key"\nmax_retries = 1\nbackoff_base_seconds = 0\n'
    cfg.write_text(f'[database]\nurl = "{database_url}"\n\n[instagram]\n{api}\n[tiktok]\n{api}')
    return cfg


@pytest.mark.slow
async def test_cicero_fetch_fills_the_database_and_prints_the_summary(pool, database_url, tmp_path):
    f = Factory(pool)
    await f.client("POLRES_A")
    await f.client("POLRES_B")
    today = SystemClock().now().date()
    sc = Scenario.generated(day=today, clients=["POLRES_A", "POLRES_B"], ig_posts=2, tt_posts=1, likers=30,
                            commenters=12, api_key="cli-key")
    async with FakeRapidApi(sc) as fake:
        cfg = write_config(tmp_path, database_url, fake.base_url)
        code, out = await run_cli("--config", str(cfg), "fetch")
        assert code == 0, out
        assert "POLRES_A" in out and "POLRES_B" in out and "2/0/0" in out and "0→30" not in out
        # like WhatsApp `fetch`: posts + engagement unless told, and it says which phase ran
        assert "phase: posts + likes/comments (--engagement-only refreshes likes/comments only)" in out
        assert "(posts + likes/comments): ok" in out
        assert "60" in out  # 2 posts × 30 likers
        assert await pool.fetchval("SELECT count(*) FROM instagram_posts") == 4
        assert await pool.fetchval("SELECT count(*) FROM engagements WHERE platform = 'instagram'") == 120
        assert await pool.fetchval("SELECT count(*) FROM engagements WHERE platform = 'tiktok'") == 24
        assert await pool.fetchval("SELECT status FROM job_runs ORDER BY id DESC LIMIT 1") == "ok"

        # one client, engagement only, with a failing API: exit code 1 and the error in the table
        fake.fail("ig_likes", "500", times=None)
        fake.requests.clear()
        code, out = await run_cli("--config", str(cfg), "fetch", "--client", "polres_b", "--engagement-only")
        assert code == 1, out
        assert "POLRES_B" in out and "POLRES_A" not in out and "HTTP 500" in out
        assert "phase: likes/comments only" in out
        assert {r.call for r in fake.requests} <= {"ig_likes", "tt_comments"}

        code, out = await run_cli("--config", str(cfg), "fetch", "--client", "NOPE")
        assert code == 1 and "unknown client(s): NOPE" in out
