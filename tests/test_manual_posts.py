"""Manual task posts through `cicero posts add|remove|list` and the collection that follows."""

from __future__ import annotations

from datetime import datetime, time

from core.clock import JAKARTA, SystemClock
from db.audit import audit_rows
from jobs.manual_posts import ManualPostError, PostRef, parse_post_url
from jobs.sources.fake_rapidapi import FakeAccount, FakePost, FakeRapidApi, Scenario
from tests.support.factories import Factory
from tests.test_fetch_cli import run_cli, write_config

import pytest


def test_post_urls_are_read_and_anything_else_is_refused():
    assert parse_post_url("https://www.instagram.com/p/C0dE_1-x/?igsh=abc") == PostRef("instagram", "C0dE_1-x")
    assert parse_post_url("instagram.com/reel/REEL1/") == PostRef("instagram", "REEL1")
    assert parse_post_url("https://www.tiktok.com/@polres.a/video/7300000000000000123?lang=id") == \
        PostRef("tiktok", "7300000000000000123")
    for bad in ("", "https://example.com/p/X/", "https://www.instagram.com/polresa/", "x" * 600,
                "https://vm.tiktok.com/ZSabc/"):
        with pytest.raises(ManualPostError):
            parse_post_url(bad)


async def test_an_admin_adds_a_missed_post_and_removes_a_wrong_one(pool, database_url, tmp_path):
    f = Factory(pool)
    await f.client("POLRES_A")
    await f.person("1001", client_id="POLRES_A", instagram="budi")
    today = SystemClock().now().date()
    at = lambda h: datetime.combine(today, time(h), tzinfo=JAKARTA)  # noqa: E731
    sc = Scenario(api_key="cli-key", accounts=[
        FakeAccount("instagram", "polresa", [FakePost("OWN1", at(0), "Kegiatan", engagers=["andi"]),
                                             FakePost("WRONG", at(0), "Salah unggah", engagers=["andi"])]),
        FakeAccount("instagram", "mitra", [FakePost("MISSED", at(0), "Kolaborasi", engagers=["budi", "cici"])]),
        FakeAccount("tiktok", "polresa", []),
    ])
    async with FakeRapidApi(sc) as fake:
        cfg = write_config(tmp_path, database_url, fake.base_url)
        code, out = await run_cli("--config", str(cfg), "posts", "add", "https://www.instagram.com/p/MISSED/",
                                  "--client", "polres_a")
        assert code == 0 and "instagram MISSED: added (POLRES_A" in out, out
        code, out = await run_cli("--config", str(cfg), "fetch")
        assert code == 0, out
        # the manual post's likers were fetched like any other task's; A's own listing did not remove it
        assert await pool.fetchval("SELECT count(*) FROM engagements WHERE post_id = 'MISSED'") == 2
        code, out = await run_cli("--config", str(cfg), "posts", "remove", "https://www.instagram.com/p/WRONG/",
                                  "--client", "POLRES_A", "--reason", "salah unggah, sudah dihapus admin")
        assert code == 0 and "instagram WRONG: removed" in out, out
        code, out = await run_cli("--config", str(cfg), "fetch")  # the account still lists WRONG
        assert code == 0, out
        code, out = await run_cli("--config", str(cfg), "posts", "list", "--client", "POLRES_A")
    assert code == 0, out
    assert "2 task(s), 1 removed" in out
    lines = {line.split("│")[2].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert "manual" in lines["MISSED"] and "cli:" in lines["MISSED"]
    assert "salah unggah" in lines["WRONG"] and "by cli:" in lines["WRONG"]
    assert "api" in lines["OWN1"]
    audit = await audit_rows(pool, client_id="POLRES_A", entity="client_post")
    assert sorted(r.action for r in audit) == ["task_post.add", "task_post.remove"]
    assert all(r.channel == "cli" and r.actor.startswith("cli:") for r in audit)

    code, out = await run_cli("--config", str(cfg), "posts", "add", "https://example.com/x", "--client", "POLRES_A")
    assert code == 2 and "not an Instagram post or TikTok video URL" in out
