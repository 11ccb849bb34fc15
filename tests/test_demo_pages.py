"""The demo's world through the dashboard pages: the demo login and an operator login see data on every page."""

from __future__ import annotations

import pytest

from bot.demo import DEMO_PASSWORD, DEMO_USERNAME, seed
from core.clock import ManualClock
from jobs.demo_data import build_demo_world
from tests.support.api import api_client, api_deps, bearer
from tests.support.factories import Factory, wib

DAY = wib(2026, 3, 10, 20)


@pytest.fixture
async def demo(pool):
    world = build_demo_world(DAY.date())
    await seed(pool, world)
    f = Factory(pool)
    for post in world.posts:           # what the demo's collection cycle stores from the fake RapidAPI
        if post.platform == "instagram":
            await f.ig_post(post.post_id, client_id=post.client_id, posted_at=post.posted_at,
                            like_count=post.like_count, caption=post.caption)
        else:
            await f.tt_post(post.post_id, client_id=post.client_id, posted_at=post.posted_at,
                            comment_count=post.comment_count, caption=post.caption)
        await f.engagements(post.platform, post.post_id, post.engaged)
    return world


@pytest.fixture
async def http(demo, pool, settings):
    async with api_client(api_deps(settings, pool, ManualClock(DAY))) as client:
        yield client


async def test_demo_login_sees_every_page(http, demo):
    r = await http.post("/api/auth/dashboard-login", json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
    token = bearer(r.json()["token"])
    client_id = r.json()["user"]["client_id"]
    assert client_id == "DITBINMAS"
    home = (await http.get("/api/social/aggregator", headers=token)).json()["data"]
    assert home["igProfile"]["followers"] > 0 and home["tiktokProfile"]["followers"] > 0 and home["igPosts"]
    for path, params in (("/api/insta/rapid-profile", {"username": "ditbinmas.jatim"}),
                         ("/api/insta/rapid-posts", {"username": "ditbinmas.jatim"}),
                         ("/api/tiktok/rapid-posts", {"client_id": client_id})):
        r = await http.get(path, params=params, headers=token)
        assert r.status_code == 200 and r.json()["data"], path
    summary = await http.get(f"/api/clients/{client_id}/summary", headers=token,
                             params={"month": "2026-03", "scope": "direktorat", "role": "ditbinmas"})
    data = summary.json()["data"]
    assert summary.status_code == 200 and data["summaryMetrics"][0]["value"] > 250   # the directorate and satker
    assert {u["client_id"] for u in data["units"]} == {"DITBINMAS", "POLRES_BLITAR", "POLRES_MALANG"}
    anev = await http.get("/api/dashboard/anev", headers=token,
                          params={"time_range": "7d", "client_id": client_id, "scope": "direktorat",
                                  "role": "DITBINMAS"})
    totals = anev.json()["data"]["aggregates"]["totals"]
    assert anev.status_code == 200 and totals["likes"] > 0 and totals["comments"] > 0


async def test_demo_operator_sees_their_people_in_the_directory(http, demo):
    blitar = next(c for c in demo.clients if c.id == "POLRES_BLITAR")
    r = await http.post("/api/auth/login", json={"client_id": blitar.id, "client_operator": blitar.operator_phone})
    token = bearer(r.json()["token"])
    rows = (await http.get("/api/users/list", headers=token, params={"client_id": blitar.id, "role": "operator",
                                                                     "scope": "ORG"})).json()["data"]
    people = [p for p in demo.personnel if p.client_id == blitar.id and p.active]
    assert len(rows) == len(people) and all("operator" in row["roles"] for row in rows)
