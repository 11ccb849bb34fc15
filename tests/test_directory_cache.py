"""The recaps' directory cache: kept between recaps, and never used at a version it was not read at.

Every report built on the application's pool (`CiceroPool`, which keeps directories) must equal the report
built on a bare connection (which never does), after every kind of write to personnel and clients.
"""

from __future__ import annotations

from dataclasses import replace

from db.attendance_ledger import username_holders
from db.clients import get_client, upsert_client
from db.directory_cache import DirectoryCache, bump_directory_version, directory_version
from db.personnel import get_personnel, rename_nrp, upsert_personnel
from handlers.reports.attendance import AttendanceRules, Period, Platform, Scope, build_attendance, population
from tests.support.factories import Factory, wib

NOW = wib(2026, 11, 25, 14, 5)
ROLE = ["ditbinmas"]


async def _world(pool):
    f = Factory(pool)
    dit = await f.client("DITBINMAS", type="direktorat", name="DIREKTORAT BINMAS")
    await f.client("POLRES_A", name="POLRES A", parent_id="DITBINMAS", regional_id="JATIM")
    await f.client("POLRES_B", name="POLRES B", parent_id="DITBINMAS", regional_id="JATENG")
    await f.person("1", client_id="DITBINMAS", name="BUDI", rank="BRIPDA", division="BAG OPS", instagram="budi",
                   tiktok="budi.tt", roles=ROLE)
    await f.person("2", client_id="DITBINMAS", name="ANI", rank="AKBP", position="KASUBDIT", division="SUBDIT",
                   instagram="ani", roles=ROLE)
    await f.person("3", client_id="POLRES_A", name="CICI", rank="IPTU", division="SAT BINMAS", instagram="cici",
                   tiktok="cici", roles=ROLE)
    await f.person("4", client_id="POLRES_B", name="DODI", rank="AKP", division="SAT BINMAS", instagram="dodi",
                   roles=ROLE)
    await f.ig_post("P1", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 8))
    await f.ig_post("P2", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 9))
    await f.tt_post("7001", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 8))
    await f.likes("P1", ["budi", "ani", "cici"])
    await f.likes("P2", ["ani"])
    await f.comments("7001", ["budi.tt"])
    return f, dit


def _shown(report) -> tuple:
    """Everything a report shows: people, satker with their divisions and tallies, the total."""
    return (report.people, [(s.client_id, s.name, [(d.name, d.tally) for d in s.divisions], s.tally)
                            for s in report.satkers], report.tally)


async def _same_report_kept_and_afresh(pool, client, *, regional_id=None) -> None:
    for platform in Platform:
        kept = await build_attendance(pool, client, Period.today(NOW), platform, regional_id=regional_id)
        async with pool.acquire() as conn:   # a bare connection keeps nothing: everything read afresh
            afresh = await build_attendance(conn, client, Period.today(NOW), platform, regional_id=regional_id)
        assert _shown(kept) == _shown(afresh), (platform, regional_id)


async def _kept(pool, client, platform=Platform.INSTAGRAM):
    key = (population(client, Scope.DIRECTORATE), platform)
    return pool.directory_cache.get(key, await directory_version(pool))


async def test_a_kept_directory_is_reused_until_a_write_changes_the_version(pool):
    _, dit = await _world(pool)
    first = await build_attendance(pool, dit, Period.today(NOW), Platform.INSTAGRAM)
    kept = await _kept(pool, dit)
    assert kept is not None and kept.size == 4
    again = await build_attendance(pool, dit, Period.today(NOW), Platform.INSTAGRAM)
    assert await _kept(pool, dit) is kept            # not read again
    assert _shown(again) == _shown(first)
    version = await directory_version(pool)
    # writes a report does not show leave the version alone
    await pool.execute("UPDATE clients SET tiktok_secuid = 'x' WHERE id = 'POLRES_A'")
    await pool.execute("UPDATE personnel SET whatsapp = '628123', updated_at = now() WHERE nrp = '1'")
    assert await directory_version(pool) == version
    person = await get_personnel(pool, "1")
    await upsert_personnel(pool, [replace(person, name="BUDI BARU")])
    assert await directory_version(pool) != version and await _kept(pool, dit) is None
    renamed = await build_attendance(pool, dit, Period.today(NOW), Platform.INSTAGRAM)
    assert "BUDI BARU" in {p.name for p in renamed.people}


async def test_every_write_of_personnel_and_clients_is_seen_by_the_next_recap(pool):
    f, dit = await _world(pool)
    await _same_report_kept_and_afresh(pool, dit)

    async def edit(nrp, **changes):
        await f.people([replace(await get_personnel(pool, nrp), **changes)])

    writes = [
        lambda: edit("1", instagram=None),                          # loses the username
        lambda: edit("1", tiktok="budi.baru"),
        lambda: edit("2", exception=True),
        lambda: edit("3", division="SAT LANTAS", rank="AKBP"),
        lambda: edit("4", active=False),
        lambda: edit("3", roles=[]),                                 # leaves the directorate's scope
        lambda: edit("3", roles=ROLE, client_id="POLRES_B"),
        lambda: f.person("5", client_id="POLRES_A", name="EKO", instagram="eko", roles=ROLE),
        lambda: rename_nrp(pool, "5", "55"),
        lambda: _rename_client(pool, "POLRES_A", "POLRES A BARU"),
        lambda: f.client("POLRES_C", name="POLRES C", parent_id="DITBINMAS"),      # a satker without people
        lambda: pool.execute("UPDATE clients SET active = false WHERE id = 'POLRES_C'"),
        lambda: pool.execute("UPDATE clients SET regional_id = 'JATENG' WHERE id = 'POLRES_A'"),
        lambda: pool.execute("UPDATE personnel SET name = 'ANI RAW' WHERE nrp = '2'"),
        lambda: pool.execute("DELETE FROM personnel WHERE nrp = '55'"),
        lambda: pool.execute("TRUNCATE personnel CASCADE"),
    ]
    for write in writes:
        await write()
        await _same_report_kept_and_afresh(pool, dit)
        await _same_report_kept_and_afresh(pool, dit, regional_id="JATENG")


async def _rename_client(pool, client_id: str, name: str) -> None:
    await upsert_client(pool, replace(await get_client(pool, client_id), name=name))


async def test_a_division_is_made_again_exactly_when_its_counts_or_rules_change(pool):
    """Recaps of a kept directory hand out the people of the last division made from the same counts and
    rules (the same objects, in new lists); new likes or other rules make them again, as a fresh read does."""
    f, dit = await _world(pool)
    today = Period.today(NOW)
    first = await build_attendance(pool, dit, today, Platform.INSTAGRAM)
    again = await build_attendance(pool, dit, today, Platform.INSTAGRAM)
    assert all(a is b for a, b in zip(first.people, again.people)) and first.people == again.people
    pairs = [(a, b) for sa, sb in zip(first.satkers, again.satkers) for a, b in zip(sa.divisions, sb.divisions)]
    assert pairs and all(a.people is not b.people for a, b in pairs)   # a caller's list is its own

    half = AttendanceRules(complete_percent=50.0)                      # other rules: 1 of 2 is lengkap
    with_rules = await build_attendance(pool, dit, today, Platform.INSTAGRAM, rules=half)
    async with pool.acquire() as conn:
        afresh = await build_attendance(conn, dit, today, Platform.INSTAGRAM, rules=half)
    assert _shown(with_rules) == _shown(afresh) != _shown(first)

    await build_attendance(pool, dit, today, Platform.INSTAGRAM)       # the default rules' divisions again
    await f.likes("P2", ["budi", "cici"])                               # the counts change
    after_likes = await build_attendance(pool, dit, today, Platform.INSTAGRAM)
    async with pool.acquire() as conn:
        afresh = await build_attendance(conn, dit, today, Platform.INSTAGRAM)
    assert _shown(after_likes) == _shown(afresh) and _shown(after_likes) != _shown(first)
    assert {p.name: p.done for p in after_likes.people}["BUDI"] == 2


async def test_a_recap_sees_the_directory_of_its_own_snapshot(pool):
    """A write not yet committed is in no recap; once committed it is in the next one, though the recap
    before kept the directory."""
    _, dit = await _world(pool)
    await build_attendance(pool, dit, Period.today(NOW), Platform.INSTAGRAM)
    async with pool.acquire() as writer:
        tx = writer.transaction()
        await tx.start()
        await writer.execute("UPDATE personnel SET name = 'ANI DALAM TRANSAKSI' WHERE nrp = '2'")
        during = await build_attendance(pool, dit, Period.today(NOW), Platform.INSTAGRAM)
        assert "ANI" in {p.name for p in during.people} and await _kept(pool, dit) is not None
        await tx.commit()
    after = await build_attendance(pool, dit, Period.today(NOW), Platform.INSTAGRAM)
    assert "ANI DALAM TRANSAKSI" in {p.name for p in after.people}


async def test_a_bumped_version_makes_every_kept_directory_stale(pool):
    _, dit = await _world(pool)
    await build_attendance(pool, dit, Period.today(NOW), Platform.INSTAGRAM)
    assert await _kept(pool, dit) is not None
    await bump_directory_version(pool)
    assert await _kept(pool, dit) is None


async def test_the_username_map_of_merges_follows_every_personnel_write(pool):
    """The collector looks likers up in a username map kept per version: a person added, renamed or given
    another username between two merges is found by the next, as by a lookup that keeps nothing."""
    f, _ = await _world(pool)
    likers = [["budi", "ani", "zaki", "public1"]]

    async def both() -> tuple[dict, dict]:
        async with pool.acquire() as conn:
            kept = await username_holders(conn, "instagram", likers, pool.directory_cache)
            looked_up = await username_holders(conn, "instagram", likers, None)
        return {n: kept[n] for n in likers[0] if n in kept}, dict(looked_up)

    kept, looked_up = await both()
    assert kept == looked_up == {"budi": ("1",), "ani": ("2",)}
    await f.person("6", client_id="POLRES_A", name="ZAKI", instagram="zaki")
    await f.people([replace(await get_personnel(pool, "2"), instagram="ani.baru")])
    await rename_nrp(pool, "1", "11")
    kept, looked_up = await both()
    assert kept == looked_up == {"budi": ("11",), "zaki": ("6",)}


def test_the_cache_keeps_within_its_entries_and_people():
    from uuid import uuid4

    v = uuid4()
    cache = DirectoryCache(max_entries=2, max_weight=100)
    cache.put("a", v, "A", 40)
    cache.put("b", v, "B", 40)
    assert cache.get("a", v) == "A"                   # now the most recently used
    cache.put("c", v, "C", 40)                        # over 100 people: the least recently used goes
    assert (cache.get("b", v), cache.get("a", v), cache.get("c", v)) == (None, "A", "C")
    assert (len(cache), cache.weight) == (2, 80)
    cache.put("d", v, "D", 101)                       # heavier than the bound: not kept
    assert cache.get("d", v) is None and cache.weight == 80
    assert cache.get("a", uuid4()) is None            # another version
    cache.put("a", None, "A2", 1)                     # no version: nothing kept, the old value dropped
    assert cache.get("a", v) is None and cache.weight == 40
