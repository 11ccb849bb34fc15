"""A post shown by several clients' accounts (a collaboration post) is a task of each of them."""

from __future__ import annotations

from datetime import date

from db.outbox import messages_in_order
from jobs.fetch import run_cycle
from jobs.notify import make_after_client
from jobs.sources.fake_rapidapi import FakeAccount, FakePost, Scenario
from tests.support.api import api_client, api_deps, bearer, dashboard_token, make_account, PASSWORD
from tests.support.factories import Factory, wib
from tests.support.fetch_env import fetch_env
from tests.support.recording_reporter import RecordingReporter

DAY = date(2026, 2, 17)
NOON = wib(2026, 2, 17, 12, 5)
GROUP_A = "120363000000000001@g.us"
GROUP_B = "120363000000000002@g.us"


def collab_scenario() -> Scenario:
    """POLRES_A posts A_OWN and the collaboration COLLAB; POLRES_B's account shows COLLAB too, and B_OWN."""
    posted = wib(2026, 2, 17, 9, 0)
    return Scenario(accounts=[
        FakeAccount("instagram", "polresa", [
            FakePost("COLLAB", posted, caption="Kolaborasi Polres A dan B", engagers=["andi", "budi"]),
            FakePost("A_OWN", wib(2026, 2, 17, 8, 0), caption="Kegiatan A", engagers=["andi"]),
        ]),
        FakeAccount("instagram", "polresb", [
            FakePost("COLLAB", posted, caption="Kolaborasi Polres A dan B", engagers=["andi", "budi"]),
            FakePost("B_OWN", wib(2026, 2, 17, 10, 0), caption="Kegiatan B", engagers=["cici"]),
        ]),
        FakeAccount("tiktok", "polresa", []),
        FakeAccount("tiktok", "polresb", []),
    ])


async def test_a_collaboration_post_is_a_task_of_both_clients(pool, database_url, tmp_path, settings):
    f = Factory(pool)
    await f.client("POLRES_A", group_ids=[GROUP_A])
    await f.client("POLRES_B", group_ids=[GROUP_B])
    await f.person("1001", client_id="POLRES_A", instagram="andi")
    await f.person("2001", client_id="POLRES_B", instagram="budi")
    async with fetch_env(pool, database_url, tmp_path, collab_scenario(), NOON) as env:
        env.deps.after_client = make_after_client(pool, env.settings, env.clock, RecordingReporter())
        result = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
        by = {c.client_id: c for c in result.clients}
        assert sorted(by["POLRES_A"].instagram.new) == ["A_OWN", "COLLAB"]
        assert sorted(by["POLRES_B"].instagram.new) == ["B_OWN", "COLLAB"]  # COLLAB: new for B too
        assert by["POLRES_B"].after.instagram_posts == 2 and by["POLRES_B"].after.likes == 3

        # each group's task list names the shared post
        for group in (GROUP_A, GROUP_B):
            (message,) = await messages_in_order(pool, recipient=group)
            assert "https://www.instagram.com/p/COLLAB/" in message.body
            assert "Instagram: *2* unggahan" in message.body

        # the content is stored once
        assert await pool.fetchval("SELECT count(*) FROM instagram_posts WHERE shortcode = 'COLLAB'") == 1

        # B's person who liked it has done B's task (the dashboard's recap)
        await make_account(pool, "op_b", role="operator", client_ids=["POLRES_B"])
        async with api_client(api_deps(settings, pool, env.clock)) as http:
            token = await dashboard_token(http, "op_b", PASSWORD)
            r = await http.get("/api/insta/rekap-likes", params={"client_id": "POLRES_B", "periode": "harian",
                                                                  "tanggal": DAY.isoformat()},
                               headers=bearer(token))
        assert r.status_code == 200, r.text
        rows = {row["user_id"]: row for row in r.json()["data"]}
        assert rows["2001"]["jumlah_like"] == 1

        # B's account stops showing it: off B's list only
        b_account = env.fake.scenario.account("instagram", "polresb")
        next(p for p in b_account.posts if p.id == "COLLAB").removed = True
        env.clock.advance(minutes=25)
        again = await run_cycle(env.deps, phase="post_fetch", trigger="manual")
    by = {c.client_id: c for c in again.clients}
    assert by["POLRES_B"].instagram.removed == ["COLLAB"] and by["POLRES_B"].after.instagram_posts == 1
    assert by["POLRES_A"].instagram.removed == [] and by["POLRES_A"].after.instagram_posts == 2
    removal = (await messages_in_order(pool, recipient=GROUP_B))[-1].body
    assert removal.startswith("🗑️")
    assert [m.body for m in await messages_in_order(pool, recipient=GROUP_A)][-1].startswith("📋")


async def test_posts_stored_before_the_relation_become_tasks_of_their_client(pg_server_url, tmp_path):
    """Migration 0110 turns every stored post into a task row of the client that stored it."""
    import secrets
    import shutil

    import asyncpg

    from db.migrate import MIGRATIONS_DIR, apply_migrations
    from tests.conftest import _admin, _with_database

    name = f"cicero_mig_cp_{secrets.token_hex(4)}"
    await _admin(pg_server_url, f'CREATE DATABASE "{name}"')
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    for sql in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if sql.name < "0110":
            shutil.copy(sql, before)
    shutil.copytree(MIGRATIONS_DIR, after)
    pool = await asyncpg.create_pool(_with_database(pg_server_url, name), min_size=1, max_size=2)
    try:
        await apply_migrations(pool, before)
        await pool.execute("INSERT INTO clients (id, name, type) VALUES ('POLRES_A', 'A', 'org')")
        await pool.execute("INSERT INTO instagram_posts (shortcode, client_id, posted_at, caption, removed_at) "
                           "VALUES ('SC1', 'POLRES_A', $1, 'satu', NULL), ('SC2', 'POLRES_A', $1, 'dua', $1)",
                           NOON)
        await pool.execute("INSERT INTO tiktok_posts (video_id, client_id, posted_at) VALUES ('V1', 'POLRES_A', $1)",
                           NOON)
        await apply_migrations(pool, after)
        rows = await pool.fetch("SELECT platform, post_id, client_id, source, posted_at, removed_at IS NOT NULL AS gone, "
                                "removed_reason FROM client_posts ORDER BY 1, 2")
        assert [tuple(r) for r in rows] == [
            ("instagram", "SC1", "POLRES_A", "api", NOON, False, None),
            ("instagram", "SC2", "POLRES_A", "api", NOON, True, "not listed by the API"),
            ("tiktok", "V1", "POLRES_A", "api", NOON, False, None),
        ]
        assert await pool.fetchval("SELECT caption FROM instagram_posts WHERE shortcode = 'SC1'") == "satu"
    finally:
        await pool.close()
        await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
