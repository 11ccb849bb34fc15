"""Period parameters at the Asia/Jakarta midnight boundaries (rekap, stats, post history)."""

from __future__ import annotations

import pytest

from tests.support.api import api_client, api_deps, bearer, dashboard_token, make_account
from tests.support.factories import Factory, wib
from core.clock import ManualClock

REKAP = "/api/insta/rekap-likes"


@pytest.fixture
async def world(pool):
    f = Factory(pool)
    await f.client("POLRES_KEDIRI", regional_id="JATIM")
    await f.person("1", client_id="POLRES_KEDIRI", name="BUDI", instagram="budi")
    posts = {
        "SUN12_LAST": wib(2025, 1, 12, 23, 59, 59),   # Sunday before the week
        "MON13_FIRST": wib(2025, 1, 13, 0, 0, 0),
        "WED15_LAST": wib(2025, 1, 15, 23, 59, 59),
        "THU16_FIRST": wib(2025, 1, 16, 0, 0, 0),     # 15 Jan 17:00 UTC
        "SUN19_LAST": wib(2025, 1, 19, 23, 59, 59),
        "MON20_FIRST": wib(2025, 1, 20, 0, 0, 0),
        "JAN31_LAST": wib(2025, 1, 31, 23, 59, 59),
        "FEB01_FIRST": wib(2025, 2, 1, 0, 0, 0),      # still 31 Jan in UTC
    }
    for shortcode, at in posts.items():
        await f.ig_post(shortcode, client_id="POLRES_KEDIRI", posted_at=at)
    await f.likes("WED15_LAST", ["budi"])
    await make_account(pool, "op", role="operator", client_ids=["POLRES_KEDIRI"])
    return pool


@pytest.fixture
def clock():
    return ManualClock(wib(2025, 1, 16, 0, 0, 5))


@pytest.fixture
async def call(world, settings, clock):
    async with api_client(api_deps(settings, world, clock)) as http:
        token = bearer(await dashboard_token(http, "op"))

        async def get(path=REKAP, **params):
            r = await http.get(path, headers=token, params={"client_id": "POLRES_KEDIRI", **params})
            return r

        yield get


def ids(body) -> list[str]:
    return sorted(p["id"] for p in body["posts"])


async def test_harian_by_date_splits_at_jakarta_midnight(call):
    body = (await call(periode="harian", tanggal="2025-01-15")).json()
    assert ids(body) == ["WED15_LAST"] and body["totalPosts"] == 1
    assert body["data"][0]["jumlah_like"] == 1 and body["sudahUsersCount"] == 1
    assert ids((await call(periode="harian", tanggal="2025-01-16")).json()) == ["THU16_FIRST"]


async def test_today_follows_the_clock_in_jakarta(call, clock):
    # 00:00:05 WIB on 16 Jan is still 15 Jan in UTC: "today" must be the 16th
    body = (await call()).json()
    assert ids(body) == ["THU16_FIRST"] and body["start_date"] == "2025-01-16"
    clock.set(wib(2025, 1, 15, 23, 59, 59))
    assert ids((await call(periode="harian")).json()) == ["WED15_LAST"]


async def test_range_overrides_periode(call):
    body = (await call(periode="bulanan", tanggal_mulai="2025-01-15", tanggal_selesai="2025-01-16")).json()
    assert ids(body) == ["THU16_FIRST", "WED15_LAST"]
    body = (await call(periode="harian", start_date="2025-01-13", end_date="2025-01-19")).json()
    assert ids(body) == ["MON13_FIRST", "SUN19_LAST", "THU16_FIRST", "WED15_LAST"]


async def test_mingguan_is_monday_to_sunday(call):
    expected = ["MON13_FIRST", "SUN19_LAST", "THU16_FIRST", "WED15_LAST"]
    assert ids((await call(periode="mingguan", tanggal="2025-01-15")).json()) == expected
    assert ids((await call(periode="MINGGUAN", tanggal="2025-W03")).json()) == expected
    assert ids((await call(periode="mingguan")).json()) == expected  # this week by the clock


async def test_bulanan_uses_jakarta_month(call):
    body = (await call(periode="bulanan", tanggal="2025-01")).json()
    assert "JAN31_LAST" in ids(body) and "FEB01_FIRST" not in ids(body)
    assert body["start_date"] == "2025-01-01" and body["end_date"] == "2025-01-31"
    assert ids((await call(periode="bulanan", tanggal="2025-02-10")).json()) == ["FEB01_FIRST"]


async def test_stats_and_post_history_use_the_same_period(call):
    stats = (await call("/api/dashboard/stats", periode="harian", tanggal="2025-01-16")).json()["data"]
    assert stats["igPosts"] == 1 and stats["start_date"] == "2025-01-16"
    posts = (await call("/api/insta/posts", start_date="2025-01-31", end_date="2025-01-31")).json()["data"]
    assert [p["id"] for p in posts] == ["JAN31_LAST"]


@pytest.mark.parametrize("params, word", [
    ({"periode": "tahunan"}, "periode"),
    ({"tanggal": "2025-13-01"}, "tanggal"),
    ({"tanggal": "kemarin"}, "tanggal"),
    ({"start_date": "2025-01-15"}, "bersama"),
    ({"start_date": "2025-01-16", "end_date": "2025-01-15"}, "sebelum"),
    ({"periode": "bulanan", "tanggal": "2025-13"}, "YYYY-MM"),
    ({"periode": "mingguan", "tanggal": "2025-W60"}, "minggu"),
    ({"tanggal": "1900-01-01"}, "rentang"),
    ({"scope": "GALAKSI"}, "scope"),
])
async def test_bad_period_parameters_are_422_with_a_clear_message(call, params, word):
    r = await call(**params)
    assert r.status_code == 422 and r.json()["success"] is False
    assert word in r.json()["message"]
