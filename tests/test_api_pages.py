"""Contract tests of the dashboard pages' calls: home, post pages, directory roles, executive summary, Anev.

Every field asserted is one the page reads (Cicero_Web `cicero-dashboard/`: app/dashboard/page.tsx,
app/posts/*, utils/api.ts, utils/userDirectoryScope.ts, app/executive-summary/normalizers.js,
app/anev/polres/page.tsx); the numbers are checked against the attendance engine and the rekap endpoints.
"""

from __future__ import annotations

import io
import math
from datetime import datetime

import pytest
from openpyxl import load_workbook

from bot.api.schemas_anev import AnevResponse
from db.clients import get_client
from handlers.reports.attendance import Period, Platform, build_attendance
from tests.support.api import bearer, dashboard_token
from tests.support.pages import KEDIRI_IG, KEDIRI_TT, page_world
from tests.support.report_readers import table_rows

pytest_plugins = ["tests.support.page_fixtures"]  # the clock and http fixtures

JANUARY = {"start_date": "2025-01-01", "end_date": "2025-01-31"}


@pytest.fixture
async def world(pool):
    await page_world(pool)
    return pool


@pytest.fixture
async def op(http):
    return bearer(await dashboard_token(http, "op_kediri"))


def pick(source: dict, paths: list[str]) -> float:
    """app/dashboard/page.tsx pickNumericValue: the first numeric value among dotted paths, else 0."""
    for path in paths:
        current = source
        for part in path.split("."):
            current = current.get(part) if isinstance(current, dict) else None
        if isinstance(current, (int, float)) and not isinstance(current, bool):
            return current
    return 0


async def engine(pool, settings, client_id: str, period: Period, platform: Platform):
    client = await get_client(pool, client_id)
    return await build_attendance(pool, client, period, platform, tz=settings.tz)


# --------------------------------------------------------------------------- home

async def test_home_aggregator_feeds_every_card(http, op):
    for path in ("/api/social/aggregator", "/api/aggregator"):
        r = await http.get(path, params={"periode": "harian"}, headers=op)  # no client_id: the token's
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        assert data["client_id"] == "POLRES_KEDIRI"
        ig, tt = data["igProfile"], data["tiktokProfile"]
        assert pick(ig, ["followers", "follower_count", "stats.followerCount"]) == KEDIRI_IG.followers
        assert pick(ig, ["following", "following_count"]) == KEDIRI_IG.following
        assert pick(tt, ["followers", "follower_count", "stats.followerCount"]) == KEDIRI_TT.followers
        assert tt["userInfo"]["stats"]["followerCount"] == KEDIRI_TT.followers
        assert ig["bio"] == KEDIRI_IG.bio and ig["profile_pic_url"] == KEDIRI_IG.avatar_url
        likes = sum(pick(p, ["like_count", "likes", "metrics.like_count"]) for p in data["igPosts"])
        assert len(data["igPosts"]) == 3 and likes == 41 + 42 + 43
        for p in data["igPosts"]:
            assert p["id"] and p["caption"].startswith("Patroli") and p["permalink"].startswith("https://www.instagram.com/p/")
            assert "thumbnail_url" in p and p["media_type"] == "image"
            for key in ("comment_count", "view_count"):
                assert isinstance(p[key], int)
        assert len(data["tiktokPosts"]) == 2
        for p in data["tiktokPosts"]:
            assert pick(p, ["digg_count", "like_count", "stats.diggCount"]) == p["like_count"]
            assert pick(p, ["comment_count", "stats.commentCount"]) == 5
            assert p["share_url"].startswith("https://www.tiktok.com/@polreskediri/video/")
        assert len(data["taskLinksToday"]["instagram"]) == 3 and len(data["taskLinksToday"]["tiktok"]) == 2
        # the page's engagement rate is finite: (likes + comments) / followers
        followers = pick(ig, ["followers"]) + pick(tt, ["followers"])
        assert math.isfinite((likes + 15) / followers)


async def test_home_without_stored_profiles_has_null_profiles_and_still_the_posts(http, world):
    await world.execute("DELETE FROM account_profiles")
    r = await http.get("/api/social/aggregator", headers=bearer(await dashboard_token(http, "op_kediri")))
    data = r.json()["data"]
    assert data["igProfile"] is None and data["tiktokProfile"] is None and len(data["igPosts"]) == 3


# --------------------------------------------------------------------------- post pages

async def test_instagram_post_page_calls(http, op):
    profile = (await http.get("/api/insta/rapid-profile", params={"username": "PolresKediri"}, headers=op)).json()
    p = profile["data"]
    assert (p["username"], p["followers"], p["following"]) == ("polreskediri", 1200, 80)
    assert p["full_name"] == "Polres Kediri" and p["bio"] == KEDIRI_IG.bio and p["profile_pic_url"]
    info = (await http.get("/api/insta/rapid-info", params={"username": "@polreskediri"}, headers=op)).json()["data"]
    assert info["media_count"] == 500 and info["biography"] == KEDIRI_IG.bio and info["external_url"] == ""
    r = await http.get("/api/insta/rapid-posts", params={"username": "polreskediri", "limit": 12, **JANUARY},
                       headers=op)
    assert r.status_code == 200, r.text
    posts = r.json()["data"]
    assert [x["id"] for x in posts] == ["KDR3", "KDR2", "KDR1"]
    for x in posts:
        assert datetime.fromisoformat(x["created_at"].replace("Z", "+00:00"))
        engagement = (x["like_count"] + x["comment_count"] + x["share_count"]) / p["followers"]
        assert math.isfinite(engagement) and x["type"] == "image" and x["view_count"] == 0
        assert x["thumbnail"] == x["thumbnail_url"]
    assert len((await http.get("/api/insta/rapid-posts", params={"username": "polreskediri", "limit": 2},
                               headers=op)).json()["data"]) == 2          # no dates: the latest `limit`
    month = await http.get("/api/insta/rapid-posts-month", params={"username": "polreskediri"}, headers=op)
    assert [x["id"] for x in month.json()["data"]] == ["KDR3", "KDR2", "KDR1"]
    out = await http.get("/api/insta/rapid-posts", params={"username": "polreskediri", "start_date": "2025-02-01",
                                                           "end_date": "2025-02-28"}, headers=op)
    assert out.json()["data"] == []


async def test_tiktok_post_page_calls(http, op):
    raw = (await http.get("/api/tiktok/rapid-profile", params={"username": "polreskediri"}, headers=op)).json()["data"]
    user, stats = raw["userInfo"]["user"], raw["userInfo"]["stats"]
    assert user["uniqueId"] == "polreskediri" and user["signature"] == KEDIRI_TT.bio and user["avatarLarger"]
    assert (stats["followerCount"], stats["followingCount"], stats["videoCount"]) == (900, 10, 120)
    info = (await http.get("/api/tiktok/rapid-info", params={"username": "polreskediri"}, headers=op)).json()
    assert info["data"]["userInfo"]["stats"]["videoCount"] == 120
    r = await http.get("/api/tiktok/rapid-posts", params={"client_id": "POLRES_KEDIRI", "limit": 50, **JANUARY},
                       headers=op)
    assert r.status_code == 200, r.text
    posts = r.json()["data"]
    assert len(posts) == 2
    for x in posts:
        assert x["id"] == x["video_id"] == x["aweme_id"]
        assert x["stats"]["commentCount"] == x["comment_count"] == 5
        created = datetime.fromisoformat(x["created_at"].replace("Z", "+00:00"))
        assert int(created.timestamp()) == x["createTime"]
        assert {"caption", "desc", "thumbnail", "share_count", "view_count"} <= set(x)
    compare = await http.get("/api/tiktok/rapid-posts", params={"username": "polreskediri", "limit": 12}, headers=op)
    assert [x["id"] for x in compare.json()["data"]] == [x["id"] for x in posts]


# --------------------------------------------------------------------------- directory roles

def directory_filter(rows: list[dict], role: str, client_id: str) -> list[dict]:
    """utils/userDirectoryScope.ts filterUserDirectoryByScope for an ORG login with `role`."""
    has_signals = any(r.get("roles") for r in rows)
    kept = []
    for r in rows:
        if has_signals and role not in [x.lower() for x in r.get("roles") or []]:
            continue
        if (r.get("client_id") or "").lower() != client_id.lower():
            continue
        kept.append(r)
    return kept


async def test_operator_directory_keeps_every_person_of_the_client(http, op):
    r = await http.get("/api/users/list", headers=op,
                       params={"client_id": "POLRES_KEDIRI", "role": "operator", "scope": "ORG"})
    rows = r.json()["data"]
    assert len(rows) == 4 and all("operator" in row["roles"] for row in rows)
    assert len(directory_filter(rows, "operator", "POLRES_KEDIRI")) == 4
    budi = next(row for row in rows if row["nama"] == "BUDI")
    assert budi["roles"] == ["ditbinmas", "operator"]


async def test_directorate_people_do_not_carry_operator(http):
    token = bearer(await dashboard_token(http, "binmas"))
    rows = (await http.get("/api/users/list", headers=token, params={"client_id": "DITBINMAS"})).json()["data"]
    dedi = next(row for row in rows if row["nama"] == "DEDI")
    assert dedi["roles"] == ["ditbinmas"]


# --------------------------------------------------------------------------- executive summary

SUMMARY_PARAMS = {"month": "2025-01", "period": "2025-01", "period_scope": "monthly", "periode": "monthly",
                  **JANUARY, "scope": "ORG", "role": "operator"}


async def test_executive_summary_contract_and_numbers(http, op, world, settings):
    r = await http.get("/api/clients/POLRES_KEDIRI/summary", params=SUMMARY_PARAMS, headers=op)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["monthKey"] == "2025-01" and data["monthLabel"] == "Januari 2025"
    assert data["previous_start_date"] == "2024-12-01"
    ig = await engine(world, settings, "POLRES_KEDIRI", Period.month(2025, 1), Platform.INSTAGRAM)
    tt = await engine(world, settings, "POLRES_KEDIRI", Period.month(2025, 1), Platform.TIKTOK)
    metrics = {m["key"]: m for m in data["summaryMetrics"]}
    for m in data["summaryMetrics"]:
        assert m["label"] and "value" in m and "suffix" in m and "change" in m
    assert metrics["personnel"]["value"] == ig.tally.personnel == 4
    assert metrics["tasks_instagram"]["value"] == ig.task_count == 3
    assert metrics["capaian_instagram"]["value"] == round(ig.tally.capaian, 1)
    assert metrics["capaian_instagram"]["suffix"] == "%"
    assert metrics["capaian_tiktok"]["value"] == round(tt.tally.capaian, 1)
    # the rekap endpoint shows the same figure for the same period
    rekap = (await http.get("/api/insta/rekap-likes", headers=op,
                            params={"client_id": "POLRES_KEDIRI", **JANUARY})).json()
    assert rekap["summary"]["figures"]["capaian"] == metrics["capaian_instagram"]["value"]
    channels = {c["channel"]: c for c in data["engagementByChannel"]}
    assert channels["Instagram"]["engagementRate"] == metrics["capaian_instagram"]["value"]
    assert channels["TikTok"]["tasksDone"] == tt.tally.tasks_done
    assert len(data["contentTable"]) == 5
    for row in data["contentTable"]:
        assert row["id"] and row["platform"] in ("Instagram", "TikTok") and row["title"] and row["publishedAt"]
        assert row["totalInteractions"] == row["likes"] + row["comments"]
    platforms = {p["key"]: p for p in data["platformAnalytics"]["platforms"]}
    assert platforms["instagram"]["followers"] == 1200 and platforms["tiktok"]["followers"] == 900
    for key in ("overviewNarrative", "dashboardNarrative", "userInsightNarrative", "instagramNarrative",
                "tiktokNarrative"):
        assert isinstance(data[key], str) and len(data[key]) > 20
    assert "Januari 2025" in data["overviewNarrative"] and "POLRES KEDIRI" in data["overviewNarrative"]
    assert "3 konten" in data["instagramNarrative"]
    assert data["highlights"] and all(isinstance(h, str) for h in data["highlights"])
    assert data["user_count"] == 4 and data["insta_post_count"] == 3 and data["tiktok_post_count"] == 2


async def test_summary_accepts_month_only_and_refuses_bad_periods(http, op):
    r = await http.get("/api/clients/POLRES_KEDIRI/summary", params={"month": "2025-01"}, headers=op)
    assert r.status_code == 200 and r.json()["data"]["start_date"] == "2025-01-01"
    for bad in ({"month": "2025-13"}, {"periode": "yearly"}, {"start_date": "2025-01-31", "end_date": "2025-01-01"}):
        r = await http.get("/api/clients/POLRES_KEDIRI/summary", params=bad, headers=op)
        assert r.status_code == 422 and r.json()["success"] is False


# --------------------------------------------------------------------------- Anev

ANEV = {"time_range": "custom", "start_date": "2025-01-13", "end_date": "2025-01-15", "client_id": "POLRES_KEDIRI",
        "role": "OPERATOR", "scope": "org"}


async def test_anev_contract_and_numbers(http, op, world, settings):
    r = await http.get("/api/dashboard/anev", params=ANEV, headers={**op, "X-Client-Id": "POLRES_KEDIRI"})
    assert r.status_code == 200, r.text
    AnevResponse.model_validate(r.json())          # encoded directly: still the documented shape
    data = r.json()["data"]
    f = data["filters"]
    assert (f["time_range"], f["start_date"], f["end_date"], f["client_id"]) == \
        ("custom", "2025-01-13", "2025-01-15", "POLRES_KEDIRI")
    period = Period.range(datetime(2025, 1, 13).date(), datetime(2025, 1, 15).date())
    ig = await engine(world, settings, "POLRES_KEDIRI", period, Platform.INSTAGRAM)
    tt = await engine(world, settings, "POLRES_KEDIRI", period, Platform.TIKTOK)
    totals = data["aggregates"]["totals"]
    assert totals["total_users"] == ig.tally.personnel == 4
    assert totals["likes"] == ig.tally.tasks_done and totals["comments"] == tt.tally.tasks_done
    assert totals["expected_actions"] == (ig.tally + tt.tally).tasks_assigned
    assert totals["completion_rate"] == round((ig.tally + tt.tally).capaian, 1)
    assert totals["posts"] == {"instagram": 3, "tiktok": 2}
    timeline = data["aggregates"]["timeline"]
    assert [d["date"] for d in timeline] == ["2025-01-13", "2025-01-14", "2025-01-15"]
    assert sum(d["likes"] for d in timeline) == totals["likes"]
    assert sum(d["posts"] for d in timeline) == 5 and timeline[-1]["instagram_posts"] == 3
    platforms = {p["platform"]: p for p in data["aggregates"]["platforms"]}
    assert platforms["instagram"]["posts"] == 3 and platforms["tiktok"]["comments"] == tt.tally.tasks_done
    rows = data["aggregates"]["compliance_per_pelaksana"]
    assert len(rows) == 4
    agus = next(x for x in rows if x["user_id"] == "75020003")
    assert (agus["likes"], agus["comments"], agus["assigned"], agus["completed"]) == (1, 0, 5, 1)
    assert agus["completion_rate"] == 20.0
    siti = next(x for x in rows if x["user_id"] == "75020002")
    assert siti["assigned"] == 0 and siti["completion_rate"] is None      # no username: outside every task
    assert sum(x["count"] for x in data["aggregates"]["user_per_satfung"]) == 4
    assert {x["satfung"] for x in data["instagram"]["likes_per_satfung"]} == \
        {x["satfung"] for x in data["aggregates"]["user_per_satfung"]}
    ig_users = data["instagram_engagement"]["per_user"]
    assert {u["username"] for u in ig_users} == {"budi.ig", "agus.ig", "eko.ig"}
    assert len(data["directory"]) == 4 and {"user_id", "username", "full_name", "satfung"} <= set(data["directory"][0])
    # the rekap endpoint agrees on the same range
    rekap = (await http.get("/api/insta/rekap-likes", headers=op,
                            params={"client_id": "POLRES_KEDIRI", "start_date": "2025-01-13",
                                    "end_date": "2025-01-15"})).json()
    assert rekap["summary"]["totalLikes"] == totals["likes"]


async def test_anev_presets_and_validation(http, op):
    r = await http.get("/api/dashboard/anev", params={"time_range": "7d", "client_id": "POLRES_KEDIRI"}, headers=op)
    assert r.status_code == 200
    assert (r.json()["data"]["filters"]["start_date"], r.json()["data"]["filters"]["end_date"]) == \
        ("2025-01-09", "2025-01-15")
    assert len(r.json()["data"]["aggregates"]["timeline"]) == 7
    custom = await http.get("/api/dashboard/anev", params={"time_range": "custom", "client_id": "POLRES_KEDIRI"},
                            headers=op)
    assert custom.status_code == 422 and "start_date" in custom.json()["message"]
    bad = await http.get("/api/dashboard/anev", params={"time_range": "1y", "client_id": "POLRES_KEDIRI"}, headers=op)
    assert bad.status_code == 422


async def test_anev_export_is_an_xlsx_with_the_same_numbers(http, op):
    page = (await http.get("/api/dashboard/anev", params=ANEV, headers=op)).json()["data"]
    r = await http.get("/api/dashboard/anev/export", params=ANEV, headers=op)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in r.headers["content-disposition"] and ".xlsx" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Ringkasan", "Per Hari", "Per Satfung", "Per Personel"]
    people = table_rows(wb["Per Personel"])[1:]
    assert len(people) == 4
    agus = next(row for row in people if row[1] == "75020003")
    assert (agus[-3], agus[-2], agus[-1]) == (5, 1, 20.0)
    summary = {row[0]: row[1] for row in table_rows(wb["Ringkasan"])[1:]}
    assert summary["Total – Tugas terlaksana"] == page["aggregates"]["totals"]["completed_actions"]


# --------------------------------------------------------------------------- clients and errors

async def test_active_clients_are_the_visible_active_ones(http, op, world):
    await world.execute("UPDATE clients SET active = false WHERE id = 'POLRES_SLEMAN'")
    r = await http.get("/api/clients/active", headers=op)
    assert r.status_code == 200 and [c["client_id"] for c in r.json()["data"]] == ["POLRES_KEDIRI"]
    root = bearer(await dashboard_token(http, "root"))
    ids = [c["client_id"] for c in (await http.get("/api/clients/active", headers=root)).json()["data"]]
    assert sorted(ids) == ["DITBINMAS", "POLRES_BLITAR", "POLRES_KEDIRI"]


async def test_unknown_api_path_is_json_404_naming_the_path(http, op):
    for path in ("/api/nope", "/api/insta/rapid-nothing", "/api/dashboard/anev/xyz"):
        r = await http.get(path, headers=op)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
        assert r.json()["success"] is False and path in r.json()["message"]


async def test_client_profile_unlocks_the_dashboard_pages(http, op):
    c = (await http.get("/api/clients/profile", params={"client_id": "POLRES_KEDIRI"}, headers=op)).json()["client"]
    assert c["premium_status"] is True and c["premium_tier"] == "tier1"
