"""The attendance ledger kept on write equals one rebuilt from raw engagement, person by person.

A day as it happens: collection runs against the fake RapidAPI, a sheet import
(new people, changed usernames) and a CLI edit, username edits through the
HTTP API, a post that disappears from a listing, a post shared by two clients,
more likes in the evening, and flags (exception, active, client) changed. Then
`cicero attendance rebuild` recomputes the ledger, and it must not change a row.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from bot.cli import main
from db import attendance_ledger
from db.attendance_ledger import fold_days, folded_through, ledger_rows, monthly_of, monthly_totals
from db.audit import Actor
from db.posts import PostRecord, mark_removed, upsert_posts
from handlers.reports.attendance import Period, Platform, build_attendance
from jobs.fetch import run_cycle
from jobs.personnel_changes import rename_personnel
from jobs.sources.fake_rapidapi import Scenario
from tests.support.api import api_client, api_deps, bearer, dashboard_token, make_account
from tests.support.factories import Factory, wib
from tests.support.fetch_env import fetch_env

DAY = date(2026, 2, 17)
CLIENTS = ("POLRES_A", "POLRES_B")
POOL = [f"anggota{i:02d}" for i in range(40)] + [f"warga{i:03d}" for i in range(60)]
HEADER = "user_id,nama,title,divisi,jabatan,whatsapp,insta,tiktok\n"


def sheet(rows: list[tuple[str, str, str, str]]) -> str:
    return HEADER + "".join(f"{nrp},{name},BRIPDA,SAT BINMAS,BANIT,,{ig},{tt}\n" for nrp, name, ig, tt in rows)


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    config = str(tmp_path / "none.toml")

    async def run(*args: str) -> int:
        return await asyncio.to_thread(main, ["--config", config, *args])

    return run


def by_person(rows: dict) -> dict[str, set]:
    out: dict[str, set] = {}
    for (client_id, platform, day, nrp), post_ids in rows.items():
        out.setdefault(nrp, set()).add((client_id, platform, day, post_ids))
    return out


async def test_a_day_of_writes_leaves_the_ledger_equal_to_a_rebuild(pool, database_url, tmp_path, cli):
    f = Factory(pool)
    for cid in CLIENTS:
        await f.client(cid)
    scenario = Scenario.generated(day=DAY, clients=list(CLIENTS), ig_posts=3, tt_posts=2, likers=45,
                                  commenters=30, username_pool=POOL, seed=3)
    shared = scenario.account("instagram", "polresa").posts[0]        # becomes a collaboration post at noon
    people = [(f"8700{i:04d}", f"ANGGOTA {i:02d}", f"anggota{i:02d}", f"anggota{i:02d}") for i in range(30)]
    people[3] = (*people[3][:2], "", "")                              # no usernames
    path = tmp_path / "a.csv"
    path.write_text(sheet(people[:20]), encoding="utf-8")
    assert await cli("import-users", "--client", "POLRES_A", str(path)) == 0
    path.write_text(sheet(people[20:]), encoding="utf-8")
    assert await cli("import-users", "--client", "POLRES_B", str(path)) == 0

    async with fetch_env(pool, database_url, tmp_path, scenario, wib(2026, 2, 17, 9, 5)) as env:
        assert (await run_cycle(env.deps, trigger="manual")).status == "ok"

        # mid-morning: a re-import changes usernames (to ones that liked already) and adds people
        changed = [(nrp, name, f"anggota{(i + 7) % 40:02d}", tt) for nrp, name, _, tt in people[:5]
                   for i in [int(nrp[-2:])]]
        newcomers = [(f"8701{i:04d}", f"BARU {i:02d}", f"anggota{30 + i:02d}", f"anggota{30 + i:02d}")
                     for i in range(5)]
        path.write_text(sheet(changed + newcomers), encoding="utf-8")
        assert await cli("import-users", "--client", "POLRES_A", str(path)) == 0
        assert await cli("users", "add", people[6][0], "--client", "POLRES_A", "--name", people[6][1],
                         "--tiktok", "warga001") == 0

        # noon: the dashboard edits usernames; one post is gone from the listing
        await make_account(pool, "root", role="admin", client_ids=[])
        async with api_client(api_deps(env.settings, pool, env.clock)) as http:
            token = bearer(await dashboard_token(http, "root"))
            for nrp, insta in ((people[8][0], "warga005"), (people[21][0], "@Anggota39"), (people[9][0], "")):
                r = await http.put(f"/api/users/{nrp}", headers=token, json={"insta": insta})
                assert r.status_code == 200, r.text
        env.fake.remove_post("POLRES_B_IG1")
        scenario.account("instagram", "polresb").posts.append(shared)   # B lists A's post too: liked already
        env.clock.set(wib(2026, 2, 17, 12, 5))
        assert (await run_cycle(env.deps, trigger="manual")).status in ("ok", "partial")

        # evening: more likes and comments, engagement only; flags change (they are applied on read)
        for acc in scenario.accounts:
            for post in acc.posts:
                post.engagers += [u for u in POOL[::3] if u not in post.engagers]
        env.clock.set(wib(2026, 2, 17, 18, 30))
        assert (await run_cycle(env.deps, phase="engagement_only", trigger="manual")).status in ("ok", "partial")
        assert await cli("users", "add", people[10][0], "--client", "POLRES_B", "--name", people[10][1],
                         "--exception") == 0

    kept = await ledger_rows(pool)
    client_a = await f.client("POLRES_A")
    report_before = await build_attendance(pool, client_a, Period.on(DAY), Platform.INSTAGRAM)
    assert await cli("attendance", "rebuild") == 0
    rebuilt = await ledger_rows(pool)

    assert len(kept) > 60 and {k[0] for k in kept} == set(CLIENTS)
    assert {k[3] for k in kept} >= {changed[0][0], newcomers[0][0], people[21][0]}
    kept_people, rebuilt_people = by_person(kept), by_person(rebuilt)
    assert set(kept_people) == set(rebuilt_people)
    for nrp in rebuilt_people:
        assert kept_people[nrp] == rebuilt_people[nrp], nrp
    assert kept == rebuilt
    # the monthly totals follow the ledger's folded days: a run folds the days before its own
    assert await folded_through(pool) == DAY - timedelta(days=1)
    assert await monthly_totals(pool) == monthly_of(rebuilt, DAY - timedelta(days=1)) == {}
    async with pool.acquire() as conn:
        assert await fold_days(conn, DAY)
    assert await monthly_totals(pool) == monthly_of(rebuilt) != {}
    assert not any(k[3] == people[9][0] and k[1] == "instagram" for k in kept)  # username cleared: no IG marks
    assert not any("POLRES_B_IG1" in ids for k, ids in kept.items() if k[0] == "POLRES_B")  # removed task
    assert any(shared.id in ids for k, ids in kept.items() if k[0] == "POLRES_B")           # the shared task
    report_after = await build_attendance(pool, client_a, Period.on(DAY), Platform.INSTAGRAM)
    assert [(p.nrp, p.done) for p in report_after.people] == [(p.nrp, p.done) for p in report_before.people]


async def test_rebuild_of_one_client_and_from_a_day(pool, cli):
    f = Factory(pool)
    for cid in CLIENTS:
        await f.client(cid)
    await f.person("1", client_id="POLRES_A", instagram="budi")
    await f.ig_post("OLD", client_id="POLRES_A", posted_at=wib(2026, 2, 16, 9))
    await f.ig_post("NEW", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 9))
    await f.ig_post("B1", client_id="POLRES_B", posted_at=wib(2026, 2, 17, 9))
    for post in ("OLD", "NEW", "B1"):
        await f.likes(post, ["budi"])
    kept = await ledger_rows(pool)
    await pool.execute("DELETE FROM attendance_ledger")  # derived data may be dropped at any time
    assert await cli("attendance", "rebuild", "--client", "polres_a", "--since", "2026-02-17") == 0
    assert await ledger_rows(pool) == {k: v for k, v in kept.items() if k[0] == "POLRES_A" and k[2] == DAY}
    assert await cli("attendance", "rebuild") == 0
    assert await ledger_rows(pool) == kept
    assert await cli("attendance", "rebuild", "--since", "17-02-2026") == 2
    assert await cli("attendance", "rebuild", "--client", "NOPE") == 2


async def test_task_list_changes_move_the_marks(pool):
    """A post that becomes a client's task brings its likes; a removed one takes them away; a moved one follows."""
    f = Factory(pool)
    for cid in CLIENTS:
        await f.client(cid)
    await f.person("1", client_id="POLRES_A", instagram="budi")
    await f.ig_post("P1", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 9))
    await f.likes("P1", ["budi"])
    async with pool.acquire() as conn:
        await upsert_posts(conn, "instagram", "POLRES_B", [PostRecord("P1", wib(2026, 2, 17, 9))],
                           seen_at=wib(2026, 2, 17, 12))
    assert await ledger_rows(pool) == {("POLRES_A", "instagram", DAY, "1"): ("P1",),
                                       ("POLRES_B", "instagram", DAY, "1"): ("P1",)}
    assert await mark_removed(pool, "instagram", "POLRES_A", ["P1"], at=wib(2026, 2, 17, 13)) == ["P1"]
    assert await ledger_rows(pool) == {("POLRES_B", "instagram", DAY, "1"): ("P1",)}
    async with pool.acquire() as conn:  # listed again: a live task once more, its likes with it
        await upsert_posts(conn, "instagram", "POLRES_A", [PostRecord("P1", wib(2026, 2, 17, 9))],
                           seen_at=wib(2026, 2, 17, 14))
    assert await ledger_rows(pool) == {("POLRES_A", "instagram", DAY, "1"): ("P1",),
                                       ("POLRES_B", "instagram", DAY, "1"): ("P1",)}
    assert await mark_removed(pool, "instagram", "POLRES_A", ["P1"], at=wib(2026, 2, 17, 15)) == ["P1"]
    async with pool.acquire() as conn:  # the API now dates the post a day later
        await upsert_posts(conn, "instagram", "POLRES_B", [PostRecord("P1", wib(2026, 2, 18, 9))],
                           seen_at=wib(2026, 2, 18, 12))
    assert await ledger_rows(pool) == {("POLRES_B", "instagram", date(2026, 2, 18), "1"): ("P1",)}
    assert await monthly_totals(pool) == {("POLRES_B", "instagram", date(2026, 2, 1), "1"): 1}


async def test_an_nrp_rename_moves_the_marks(pool):
    f = Factory(pool)
    await f.client("POLRES_A")
    await f.person("1", client_id="POLRES_A", instagram="budi")
    await f.ig_post("P1", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 9))
    await f.likes("P1", ["budi"])
    assert await rename_personnel(pool, Actor("cli:test", "cli"), "1", "2")
    assert await ledger_rows(pool) == {("POLRES_A", "instagram", DAY, "2"): ("P1",)}
    assert await monthly_totals(pool) == {("POLRES_A", "instagram", date(2026, 2, 1), "2"): 1}


async def test_first_merges_of_a_day_and_values_that_need_quoting_equal_a_rebuild(pool):
    """A client's first merge of a day is COPYed (no row of it exists); later ones are upserted, and so is a
    first merge with a value COPY would have to quote (an NRP spelled NULL, a comma, a quote in a post id)."""
    f = Factory(pool)
    for cid in CLIENTS:
        await f.client(cid)
    for nrp, username in (("1", "budi"), ("NULL", "sari"), ("7,8", "tono"), ("9", "wati")):
        await f.person(nrp, client_id="POLRES_A", instagram=username)
    for post_id, client_id in (("P1", "POLRES_A"), ("P2", "POLRES_A"), ('Q"1', "POLRES_B"), ("Q2", "POLRES_B")):
        await f.ig_post(post_id, client_id=client_id, posted_at=wib(2026, 2, 17, 9))
    await f.likes("P1", ["budi", "wati"])                 # A's first merge of the day, plain values: COPYed
    await f.likes("P2", ["budi", "sari", "warga"])       # A's rows exist now: upserted
    await f.likes('Q"1', ["sari", "tono", "budi"])       # B's first merge, but values to quote: upserted
    await f.likes("Q2", ["sari", "wati"])
    kept = await ledger_rows(pool)
    assert kept == {("POLRES_A", "instagram", DAY, "1"): ("P1", "P2"),
                    ("POLRES_A", "instagram", DAY, "9"): ("P1",),
                    ("POLRES_A", "instagram", DAY, "NULL"): ("P2",),
                    ("POLRES_B", "instagram", DAY, "1"): ('Q"1',),
                    ("POLRES_B", "instagram", DAY, "7,8"): ('Q"1',),
                    ("POLRES_B", "instagram", DAY, "9"): ("Q2",),
                    ("POLRES_B", "instagram", DAY, "NULL"): ('Q"1', "Q2")}   # code-point order: '"' < '2'
    async with pool.acquire() as conn:
        await attendance_ledger.rebuild(conn)
    assert await ledger_rows(pool) == kept


async def test_a_copy_that_meets_a_row_written_meanwhile_leaves_the_merge_intact(pool):
    """The first-merge COPY runs in a savepoint: if a concurrent writer created one of its rows after the
    check, the COPY fails alone and the upsert merges the marks in the same transaction."""
    f = Factory(pool)
    await f.client("POLRES_A")
    await f.person("1", client_id="POLRES_A", instagram="budi")
    await f.ig_post("P1", client_id="POLRES_A", posted_at=wib(2026, 2, 17, 9))
    rows = [("POLRES_A", DAY.isoformat(), "1", ["P1"])]
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("INSERT INTO attendance_ledger (client_id, platform, day, nrp, post_ids) "
                           "VALUES ('POLRES_A', 'instagram', $1, '1', '{P1}')", DAY)
        assert not await attendance_ledger._copy_fresh_rows(conn, "instagram", rows)
        assert await conn.fetchval("SELECT count(*) FROM attendance_ledger") == 1   # still usable
    assert await ledger_rows(pool) == {("POLRES_A", "instagram", DAY, "1"): ("P1",)}
