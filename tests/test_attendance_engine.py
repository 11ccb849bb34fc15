"""The attendance engine: counts, categories, scope, sorting and period boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.reports.attendance import (
    AttendanceRules, Category, Period, Platform, Scope, Tally, build_attendance, build_combined_attendance,
    person_order, rank_order,
)
from tests.support.factories import Factory, wib

NOW = wib(2026, 11, 25, 14, 5)


async def _world(pool):
    f = Factory(pool)
    dit = await f.client("DITBINMAS", type="direktorat", name="DIREKTORAT BINMAS")
    await f.client("POLRES_A", name="POLRES A", parent_id="DITBINMAS")
    await f.client("POLRES_B", name="POLRES B", parent_id="DITBINMAS")
    await f.client("POLRES_EMPTY", name="POLRES KOSONG", parent_id="DITBINMAS")
    r = ["ditbinmas"]
    await f.person("1", client_id="DITBINMAS", name="BUDI", rank="BRIPDA", division="SUBDIT BINPOLMAS",
                   instagram="budi", tiktok="budi.tt", roles=r)
    await f.person("2", client_id="DITBINMAS", name="ANI", rank="AKBP", division="SUBDIT BINPOLMAS",
                   position="KASUBDIT BINPOLMAS", instagram="ani", roles=r)
    await f.person("3", client_id="DITBINMAS", name="CICI", rank="IPTU", division="BAG OPS",
                   instagram="cici", roles=r)
    await f.person("4", client_id="DITBINMAS", name="DODI", rank="BRIPKA", division="BAG OPS", roles=r)
    await f.person("5", client_id="DITBINMAS", name="EXCEP", rank="AIPTU", division="BAG OPS",
                   instagram="excep", exception=True, roles=r)
    await f.person("6", client_id="POLRES_A", name="FAJAR", rank="AKP", division="SAT BINMAS",
                   instagram="fajar", roles=r)
    await f.person("7", client_id="POLRES_B", name="GITA", rank="BRIPTU", division="SAT BINMAS",
                   instagram="gita", roles=r)
    await f.person("8", client_id="POLRES_B", name="NOROLE", instagram="norole")  # not in the directorate
    await f.person("9", client_id="DITBINMAS", name="INACTIVE", instagram="inactive", active=False, roles=r)
    # today: 2 posts; one removed; one yesterday at 23:59:59 WIB; one tomorrow 00:00 WIB
    await f.ig_post("P1", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 0, 0, 0))
    await f.ig_post("P2", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 23, 59, 59))
    await f.ig_post("PX", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 10), removed=True)
    await f.ig_post("PY", client_id="DITBINMAS", posted_at=wib(2026, 11, 24, 23, 59, 59))
    await f.ig_post("PT", client_id="DITBINMAS", posted_at=wib(2026, 11, 26, 0, 0, 0))
    await f.ig_post("OTHER", client_id="POLRES_A", posted_at=wib(2026, 11, 25, 9))
    await f.likes("P1", ["budi", "ani", "fajar", "stranger", "inactive"])
    await f.likes("P2", ["ani", "cici"])
    await f.likes("PX", ["budi", "gita"])
    await f.likes("PY", ["budi", "gita"])
    await f.likes("PT", ["gita"])
    await f.likes("OTHER", ["gita"])
    return dit


async def test_directorate_counts_categories_and_boundaries(pool):
    dit = await _world(pool)
    rep = await build_attendance(pool, dit, Period.today(NOW), Platform.INSTAGRAM)
    assert rep.scope is Scope.DIRECTORATE
    assert [p.post_id for p in rep.posts] == ["P1", "P2"]  # midnight boundaries, removed excluded
    by = {p.name: p for p in rep.people}
    assert set(by) == {"BUDI", "ANI", "CICI", "DODI", "EXCEP", "FAJAR", "GITA"}
    assert (by["ANI"].done, by["ANI"].category) == (2, Category.LENGKAP)
    assert (by["BUDI"].done, by["BUDI"].category) == (1, Category.KURANG)
    assert (by["GITA"].done, by["GITA"].category) == (0, Category.BELUM)
    assert by["DODI"].category is Category.TANPA_USERNAME
    assert (by["EXCEP"].done, by["EXCEP"].category) == (2, Category.LENGKAP)
    t = rep.tally
    assert (t.personnel, t.lengkap, t.kurang, t.belum, t.tanpa_username) == (7, 2, 3, 1, 1)
    assert (t.tasks_done, t.tasks_assigned, t.capaian) == (7, 12, 7 * 100 / 12)  # DODI (no username) left out
    assert [s.name for s in rep.satkers] == ["DIREKTORAT BINMAS", "POLRES A", "POLRES B", "POLRES KOSONG"]
    assert rep.satkers[3].tally.personnel == 0
    dit_sat = rep.satkers[0]
    assert [d.name for d in dit_sat.divisions] == ["BAG OPS", "SUBDIT BINPOLMAS"]
    assert [p.name for p in dit_sat.divisions[1].people] == ["ANI", "BUDI"]  # KASUBDIT first
    assert [p.name for p in dit_sat.divisions[0].people] == ["CICI", "EXCEP", "DODI"]  # rank order


async def test_every_group_tally_is_the_definition_over_its_people(pool):
    """The engine counts divisions while it reads people; each count must be `Tally.of` of the people shown,
    and a satker's and the report's the sum of theirs, on both platforms and with a lower-case stored name."""
    dit = await _world(pool)
    f = Factory(pool)
    await f.person("10", client_id="POLRES_A", name="hadi lower", rank="BRIPDA", division="sat binmas",
                   instagram="hadi", tiktok="hadi", exception=True, roles=["ditbinmas"])
    await f.tt_post("V1", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 9))
    await f.comments("V1", ["budi.tt"])
    for platform in Platform:
        rep = await build_attendance(pool, dit, Period.today(NOW), platform)
        for satker in rep.satkers:
            for division in satker.divisions:
                assert division.tally == Tally.of(division.people), (platform, satker.name, division.name)
            assert satker.tally == Tally.of(satker.people)
        assert rep.tally == Tally.of(rep.people)
        polres_a = next(s for s in rep.satkers if s.client_id == "POLRES_A")
        assert [d.name for d in polres_a.divisions] == ["SAT BINMAS"]   # both spellings, one division
        assert "HADI LOWER" in [p.name for p in polres_a.people]


async def test_exception_counts_only_where_there_is_a_username(pool):
    dit = await _world(pool)
    await Factory(pool).tt_post("V1", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 9))
    rep = await build_attendance(pool, dit, Period.today(NOW), Platform.TIKTOK)
    excep = next(p for p in rep.people if p.name == "EXCEP")  # exception, Instagram only
    assert (excep.done, excep.category) == (0, Category.TANPA_USERNAME)
    assert rep.tally.tasks_assigned == 1  # only BUDI has a TikTok username


async def test_client_scope_and_thresholds(pool):
    dit = await _world(pool)
    rep = await build_attendance(pool, dit, Period.today(NOW), "instagram", scope=Scope.CLIENT)
    assert {p.client_id for p in rep.people} == {"DITBINMAS"}
    assert [s.client_id for s in rep.satkers] == ["DITBINMAS"]
    half = AttendanceRules(complete_percent=50, partial_percent=0)
    rep = await build_attendance(pool, dit, Period.today(NOW), "instagram", rules=half, scope=Scope.CLIENT)
    assert {p.name: p.category for p in rep.people}["BUDI"] is Category.LENGKAP


async def test_yesterday_week_and_empty_day(pool):
    dit = await _world(pool)
    rep = await build_attendance(pool, dit, Period.yesterday(NOW), Platform.INSTAGRAM)
    assert [p.post_id for p in rep.posts] == ["PY"]
    rep = await build_attendance(pool, dit, Period.this_week(NOW), Platform.INSTAGRAM)
    assert [p.post_id for p in rep.posts] == ["PY", "P1", "P2", "PT"]
    rep = await build_attendance(pool, dit, Period.on(date(2026, 11, 20)), Platform.TIKTOK)
    assert not rep.has_tasks and rep.tally.personnel == 7
    assert {p.category for p in rep.people} <= {Category.TANPA_TUGAS, Category.TANPA_USERNAME}
    both = await build_combined_attendance(pool, dit, Period.today(NOW))
    assert both.instagram.task_count == 2 and both.tiktok.task_count == 0


async def test_client_without_personnel(pool):
    f = Factory(pool)
    c = await f.client("POLRES_Z")
    await f.ig_post("Z1", client_id="POLRES_Z", posted_at=wib(2026, 11, 25, 8))
    rep = await build_attendance(pool, c, Period.today(NOW), Platform.INSTAGRAM)
    assert rep.task_count == 1 and rep.people == [] and rep.tally.personnel == 0


def test_periods():
    assert Period.last_week(NOW).first == date(2026, 11, 16) and Period.last_week(NOW).last == date(2026, 11, 22)
    assert Period.last_month(NOW) == Period.month(2026, 10)
    assert Period.this_month(NOW).last == date(2026, 11, 30)
    assert Period.today(wib(2026, 11, 25, 23, 59, 59)).first == date(2026, 11, 25)
    start, end = Period.on(date(2026, 11, 25)).bounds()
    assert start.isoformat() == "2026-11-25T00:00:00+07:00" and end.isoformat() == "2026-11-26T00:00:00+07:00"
    with pytest.raises(ValueError):
        Period.range(date(2026, 11, 2), date(2026, 11, 1))


def test_every_spelling_of_a_rank_is_the_same_rank():
    same = [("KOMISARIS BESAR POLISI", "KOMBES", "KBP", "Kombes Pol.", "KOMBESPOL"),
            ("AJUN KOMISARIS BESAR POLISI", "AKBP", "akbp"),
            ("BRIGADIR POLISI", "BRIGPOL", "BRIGADIR"),
            ("INSPEKTUR POLISI SATU", "IPTU"),
            ("PENATA MUDA TK. I", "PENATA MUDA TINGKAT I", "III/B", "III b")]
    for spellings in same:
        assert len({rank_order(s) for s in spellings}) == 1, spellings
    ladder = ["JENDERAL POLISI", "KOMBES", "AJUN KOMISARIS BESAR POLISI", "KOMPOL", "AKP", "IPTU", "AIPTU",
              "BRIPKA", "BRIGADIR", "BRIPDA", "BHARADA", "PEMBINA", "PENATA MUDA", "JURU MUDA", "PPPK", "PHL", "?"]
    assert [rank_order(r) for r in ladder] == sorted(rank_order(r) for r in ladder)
    assert len({rank_order(r) for r in ladder}) == len(ladder)


def test_persons_by_position_keyword_then_rank_then_name():
    people = [("BANIT", "KOMBES", "A"), ("KANIT 1", "IPDA", "B"), ("WADIR", "AKBP", "C"), ("DIRBINMAS", "KBP", "D"),
              ("KASUBDIT", "KOMPOL", "E"), (None, "AJUN KOMISARIS BESAR POLISI", "F"), (None, "AKBP", "G")]
    ordered = sorted(people, key=lambda p: person_order(*p))
    assert [p[2] for p in ordered] == ["D", "C", "E", "B", "A", "F", "G"]


async def test_usernames_match_after_trim_at_and_case(pool):
    f = Factory(pool)
    c = await f.client("POLRES_N")
    await pool.execute(
        "INSERT INTO personnel (nrp, name, client_id, instagram, tiktok) VALUES ('n1', 'RAW', 'POLRES_N', ' @Budi.X ', '  ')")
    await f.ig_post("N1", client_id="POLRES_N", posted_at=wib(2026, 11, 25, 9))
    await f.likes("N1", ["budi.x"])
    (person,) = (await build_attendance(pool, c, Period.today(NOW), Platform.INSTAGRAM)).people
    assert (person.username, person.done, person.category) == ("budi.x", 1, Category.LENGKAP)
    (person,) = (await build_attendance(pool, c, Period.today(NOW), Platform.TIKTOK)).people
    assert person.category is Category.TANPA_USERNAME


def test_indonesian_formats_and_period_labels():
    from handlers.reports.formatting import greeting, id_number, id_percent

    assert id_number(1234567) == "1.234.567" and id_percent(92.5) == "92,5%" and id_number(0.5, 1) == "0,5"
    assert Period.today(NOW).label() == "Rabu, 25 November 2026"
    assert Period.month(2026, 2).label() == "Februari 2026"
    assert Period.last_week(NOW).label() == "16 November 2026 s.d. 22 November 2026"
    assert Period.last_week(NOW).slug() == "2026-11-16_2026-11-22"
    assert [greeting(wib(2026, 1, 1, h)) for h in (4, 10, 15, 18, 3)] == [
        "Selamat pagi", "Selamat siang", "Selamat sore", "Selamat malam", "Selamat malam"]


async def test_longer_periods_add_up_the_days(pool):
    """A month reads the monthly totals, other days the daily rows: both give each day's work added up."""
    dit = await _world(pool)
    f = Factory(pool)
    await f.ig_post("OCT31", client_id="DITBINMAS", posted_at=wib(2026, 10, 31, 9))
    await f.ig_post("DEC01", client_id="DITBINMAS", posted_at=wib(2026, 12, 1, 9))
    await f.likes("OCT31", ["budi", "ani"])
    await f.likes("DEC01", ["ani"])
    days = [date(2026, 10, 31), *(date(2026, 11, d) for d in range(1, 31)), date(2026, 12, 1)]
    done_on: dict[tuple[date, str], int] = {}
    for day in days:
        for p in (await build_attendance(pool, dit, Period.on(day), Platform.INSTAGRAM)).people:
            done_on[(day, p.name)] = p.done
    for period in (Period.month(2026, 11), Period.range(date(2026, 10, 31), date(2026, 12, 1)),
                   Period.all_time(wib(2026, 12, 2))):
        rep = await build_attendance(pool, dit, period, Platform.INSTAGRAM)
        added_up = {p.name: sum(n for (day, name), n in done_on.items()
                                if name == p.name and period.first <= day <= period.last) for p in rep.people}
        assert {p.name: p.done for p in rep.people} == added_up, period
    month = await build_attendance(pool, dit, Period.month(2026, 11), Platform.INSTAGRAM)
    assert {p.name: p.done for p in month.people}["ANI"] == 2 and month.task_count == 4


async def test_the_population_read_beside_the_ledger_gives_the_same_report(database_url, pool):
    """From a pool with an idle connection the population is read on it, in the exported snapshot of the
    other; the report must equal the one read on a single connection, and with no idle connection the read
    must neither wait for one nor fail."""
    import asyncpg

    from db.attendance import _idle_connection
    from db.pool import _init_connection

    dit = await _world(pool)
    two = await asyncpg.create_pool(database_url, min_size=2, max_size=2, init=_init_connection)
    try:
        async with two.acquire():
            assert two.get_idle_size() == 1
            spare = await _idle_connection(two)
            assert spare is not None and await _idle_connection(two) is None   # never waits for one
            await two.release(spare)
        side_by_side = await build_attendance(two, dit, Period.today(NOW), Platform.INSTAGRAM)
        async with two.acquire() as conn:
            one_connection = await build_attendance(conn, dit, Period.today(NOW), Platform.INSTAGRAM)
            busy = await build_attendance(two, dit, Period.today(NOW), Platform.INSTAGRAM)  # the other is held
        assert side_by_side.people == one_connection.people == busy.people
        assert side_by_side.tally == one_connection.tally == busy.tally and side_by_side.tally.personnel == 7
    finally:
        await two.close()
