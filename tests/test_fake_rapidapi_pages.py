"""The fake RapidAPI with `cache_pages` (the benches' standalone server) answers exactly as without it."""

from __future__ import annotations

from datetime import date

import httpx

from jobs.sources.fake_rapidapi import FakeRapidApi, Scenario

PATHS = [
    "/v1/posts?username_or_id_or_url=polresa",
    "/v1/likes?code_or_id_or_url=POLRES_A_IG0",
    "/v1/likes?code_or_id_or_url=POLRES_A_IG1&cursor=40",
    "/v1/info?username_or_id_or_url=polresa",
    "/api/user/info?uniqueId=polresa",
    "/api/user/posts?secUid=SEC-polresa&cursor=0&count=35",
    "/v1/likes?code_or_id_or_url=NOPE",
]


def scenario() -> Scenario:
    sc = Scenario.generated(day=date(2026, 2, 17), clients=["POLRES_A"], ig_posts=2, tt_posts=2, likers=90,
                            commenters=70, api_key="k", likers_page_size=40, comments_page_size=30)
    sc.accounts[0].posts[0].engagers.append("nama.\u00e9")  # a name orjson must escape, not as-is in bytes
    return sc


async def answers(fake: FakeRapidApi, paths: list[str]) -> list[tuple[int, bytes]]:
    async with httpx.AsyncClient(base_url=fake.base_url, headers={"x-rapidapi-key": "k"}) as http:
        return [((r := await http.get(p)).status_code, r.content) for p in paths]


async def test_cached_pages_are_the_same_bytes_the_first_time_and_from_the_cache():
    plain, cached = FakeRapidApi(scenario()), FakeRapidApi(scenario(), cache_pages=True)
    async with plain, cached:
        video = plain.scenario.accounts[1].posts[0].id
        paths = PATHS + [f"/api/post/comments?videoId={video}&count=50&cursor={c}" for c in (0, 30, 60)]
        expected = await answers(plain, paths)
        assert await answers(cached, paths) == expected
        assert await answers(cached, paths) == expected
        assert len(cached.requests) == 2 * len(paths)  # every request is still recorded


async def test_faults_still_come_first_on_a_cached_page():
    async with FakeRapidApi(scenario(), cache_pages=True) as fake:
        path = "/v1/likes?code_or_id_or_url=POLRES_A_IG0"
        (status, whole), = await answers(fake, [path])
        fake.fail("ig_likes", "429", times=1)
        fake.fail("ig_likes", "truncated", times=1)
        assert [s for s, _ in await answers(fake, [path])] == [429]
        assert await answers(fake, [path]) == [(200, whole[: len(whole) // 2])]
        assert await answers(fake, [path]) == [(200, whole)]
        fake.remove_post("POLRES_A_IG0")
        assert [s for s, _ in await answers(fake, [path])] == [404]
