"""The monthly totals cover the folded days only, and every period's figures are the same wherever the edge is.

A collection run folds the days before today into `attendance_ledger_monthly` (`fold_days`); its own marks
are daily rows only. A recap of a period adds the totals of its whole months (their folded days) and the
daily rows of every other day. These tests move the edge forwards, backwards and past the data, write to
folded and open days, and check each period's counts against the daily rows added up in Python.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

from db.attendance import read_ledger
from db.attendance_ledger import fold_days, folded_through, ledger_rows, monthly_of, monthly_totals
from db.posts import mark_removed
from tests.support.factories import JAKARTA, Factory, wib

# (post, day, likers): days before, inside and after February, the month the periods cut through
POSTS = [("J30", date(2026, 1, 30), ["budi", "sari"]), ("F01", date(2026, 2, 1), ["budi"]),
         ("F10", date(2026, 2, 10), ["budi", "sari", "tono"]), ("F17", date(2026, 2, 17), ["sari"]),
         ("F28", date(2026, 2, 28), ["tono", "budi"]), ("M01", date(2026, 3, 1), ["sari", "tono"]),
         ("M02", date(2026, 3, 2), ["budi"])]
PEOPLE = {"1": "budi", "2": "sari", "3": "tono"}
PERIODS = [(date(2026, 2, 1), date(2026, 2, 28)),     # a whole month
           (date(2026, 1, 30), date(2026, 3, 2)),     # a month and days on either side
           (date(2026, 1, 1), date(2026, 3, 31)),     # three months
           (date(2026, 2, 5), date(2026, 2, 20)),     # days inside a month
           (date(2026, 2, 28), date(2026, 3, 1))]     # two days across a month's end
EDGES = [date(2026, 2, 10), date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 5), date(2026, 2, 16),
         date(2026, 1, 31), date.max]


async def world(pool) -> Factory:
    f = Factory(pool)
    await f.client("POLRES_A")
    for nrp, username in PEOPLE.items():
        await f.person(nrp, client_id="POLRES_A", instagram=username)
    for post_id, day, likers in POSTS:
        await f.ig_post(post_id, client_id="POLRES_A", posted_at=wib(day.year, day.month, day.day, 9))
        await f.likes(post_id, likers)
    return f


def counted(rows: dict, first: date, last: date) -> dict[str, int]:
    """Who did how many tasks of [first, last], added up from the daily rows."""
    out: dict[str, int] = {}
    for (_client, _platform, day, nrp), post_ids in rows.items():
        if first <= day <= last:
            out[nrp] = out.get(nrp, 0) + len(post_ids)
    return out


async def engaged(pool, first: date, last: date) -> dict[str, int]:
    start = datetime.combine(first, time(), tzinfo=JAKARTA)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=JAKARTA)
    counts = (await read_ledger(pool, "instagram", "POLRES_A", start, end, first, last)).engaged
    return {nrp: n for nrp, n in counts.items() if n}    # a total that fell to 0 keeps its row: 0 = none


async def check_every_period(pool) -> None:
    rows = await ledger_rows(pool)
    edge = await folded_through(pool)
    assert await monthly_totals(pool) == monthly_of(rows, edge)
    for first, last in PERIODS:
        assert await engaged(pool, first, last) == counted(rows, first, last), (first, last, edge)


async def fold(pool, through: date) -> None:
    async with pool.acquire() as conn:
        assert await fold_days(conn, through)
    assert await folded_through(pool) == (None if through == date.max else through)


async def test_every_period_has_the_same_figures_wherever_the_edge_is(pool):
    await world(pool)
    assert await folded_through(pool) is None            # before any fold every day is in the totals
    assert counted(await ledger_rows(pool), date(2026, 2, 1), date(2026, 2, 28)) == {"1": 3, "2": 2, "3": 2}
    await check_every_period(pool)
    for edge in EDGES:                                   # forwards, backwards, past the data, back to all
        await fold(pool, edge)
        await check_every_period(pool)
    await fold(pool, date(2026, 2, 16))
    await fold(pool, date(2026, 2, 16))                  # folding to the same edge changes nothing
    await check_every_period(pool)


async def test_writes_on_either_side_of_the_edge(pool):
    f = await world(pool)
    await fold(pool, date(2026, 2, 16))
    before = await monthly_totals(pool)
    await f.likes("F17", ["budi", "tono"])                # an open day: daily rows only
    assert await monthly_totals(pool) == before
    await check_every_period(pool)
    await f.likes("F01", ["sari"])                        # a folded day: its month's total follows
    assert await monthly_totals(pool) != before
    await check_every_period(pool)
    await f.ig_post("F05", client_id="POLRES_A", posted_at=wib(2026, 2, 5, 9))
    await f.likes("F05", ["tono", "sari"])                # a folded day's first rows (COPYed) follow too
    await check_every_period(pool)
    assert await mark_removed(pool, "instagram", "POLRES_A", ["F10"], at=wib(2026, 2, 20)) == ["F10"]
    await check_every_period(pool)                        # a removed task leaves the totals too
    await f.person("3", client_id="POLRES_A", instagram="tono_baru")   # a username change re-marks a person
    await check_every_period(pool)
    await fold(pool, date(2026, 3, 31))
    await check_every_period(pool)


async def test_a_fold_waits_for_an_open_writer_and_gives_up_at_its_deadline(pool):
    await world(pool)
    async with pool.acquire() as writer, pool.acquire() as folder:
        tx = writer.transaction()
        await tx.start()
        await writer.execute("UPDATE attendance_ledger SET post_ids = post_ids WHERE day = '2026-02-01'")
        assert not await fold_days(folder, date(2026, 2, 16), lock_timeout=0.2)
        assert await folded_through(folder) is None       # the edge did not move
        waiting = asyncio.create_task(fold_days(folder, date(2026, 2, 16), lock_timeout=10))
        await asyncio.sleep(0.2)
        assert not waiting.done()                         # it waits for the writer ...
        await tx.commit()
        assert await asyncio.wait_for(waiting, 10)        # ... and folds once the writer is gone
    await check_every_period(pool)
    assert await folded_through(pool) == date(2026, 2, 16)
