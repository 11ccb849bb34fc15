"""RapidAPI plumbing and parsers against the fake RapidAPI over loopback."""

from __future__ import annotations

import random
from datetime import date, datetime, timezone

import httpx
import pytest

from jobs.sources import instagram, tiktok
from jobs.sources.fake_rapidapi import FakeRapidApi, Scenario
from jobs.sources.http_transport import CollectionHttp, CollectionTransport
from jobs.sources.rapidapi import (
    ItemError, RapidApiClient, RapidApiError, RetryPolicy, retry_after_seconds,
)
from tests.support.factories import wib
from tests.support.fetch_env import SleepRecorder

DAY = date(2026, 2, 17)
START = wib(2026, 2, 17)


@pytest.fixture
async def fake():
    sc = Scenario.generated(day=DAY, clients=["POLRES_A"], ig_posts=3, tt_posts=2, likers=120, commenters=130,
                            api_key="k")
    server = FakeRapidApi(sc)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=["httpx-default", "collection-transport", "collection"])
async def http(request):
    """Every test runs on httpx's own transport, on the collection's transport under httpx, and on the
    collection's client with its lean GET path (what `fetch_deps` uses)."""
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    if request.param == "collection":
        async with CollectionHttp(limits) as client:
            assert client.lean is not None
            yield client
        return
    transport = CollectionTransport(limits) if request.param == "collection-transport" else None
    async with httpx.AsyncClient(limits=limits, transport=transport) as client:
        yield client


def api(fake, http, name="instagram", *, retries=3, timeout=2.0, key="k", max_pages=20) -> tuple[RapidApiClient, SleepRecorder]:
    sleeps = SleepRecorder()
    client = RapidApiClient(name=name, http=http, base_url=fake.base_url, host=f"{name}.example", key=key,
                            timeout=timeout, policy=RetryPolicy(max_retries=retries, backoff_base=1.0),
                            max_pages=max_pages, sleep=sleeps, rng=random.Random(1))
    return client, sleeps


async def test_429_honours_retry_after(fake, http):
    a, sleeps = api(fake, http)
    fake.fail("ig_likes", "429", retry_after=7, times=2)
    got = await instagram.post_likers(a, "POLRES_A_IG0")
    assert len(got.usernames) == 120 and got.complete
    assert sleeps.delays == [7.0, 7.0]
    assert [r.status for r in fake.calls("ig_likes")][:3] == [429, 429, 200]


async def test_429_without_retry_after_backs_off_exponentially_with_jitter(fake, http):
    a, sleeps = api(fake, http)
    fake.fail("ig_posts", "429", times=3)
    listing = await instagram.account_posts(a, "polresa", since=START)
    assert len(listing.posts) == 3
    assert len(sleeps.delays) == 3
    for n, delay in enumerate(sleeps.delays):
        assert 2 ** n <= delay <= 1.5 * 2 ** n  # base·2^n plus up to 50% jitter
    assert sleeps.delays[0] < sleeps.delays[1] < sleeps.delays[2]


async def test_5xx_is_retried_then_gives_a_typed_error(fake, http):
    a, sleeps = api(fake, http, retries=2)
    fake.fail("ig_posts", "500", times=None)
    with pytest.raises(RapidApiError) as err:
        await instagram.account_posts(a, "polresa", since=START)
    e = err.value
    assert e.client == "instagram" and e.call == "posts of polresa" and e.retryable and e.status == 500
    assert "gave up after 3 attempt(s)" in str(e)
    assert len(fake.calls("ig_posts")) == 3 and len(sleeps.delays) == 2


async def test_4xx_is_not_retried(fake, http):
    a, sleeps = api(fake, http, key="wrong")
    with pytest.raises(RapidApiError) as err:
        await instagram.account_posts(a, "polresa", since=START)
    assert err.value.status == 403 and not err.value.retryable
    assert sleeps.delays == [] and len(fake.calls("ig_posts")) == 1


async def test_missing_key_is_a_clear_error(fake, http):
    a, _ = api(fake, http, key=None)
    with pytest.raises(RapidApiError, match=r"no RapidAPI key \(\[instagram\] key / CICERO_INSTAGRAM__KEY\)"):
        await instagram.account_posts(a, "polresa", since=START)
    assert fake.requests == []


async def test_a_truncated_json_page_is_retried_like_a_5xx(fake, http):
    a, sleeps = api(fake, http, "tiktok")
    fake.fail("tt_comments", "truncated")
    vid = fake.scenario.account("tiktok", "polresa").posts[0].id
    got = await tiktok.video_commenters(a, vid)
    assert len(got.usernames) == 130 and got.complete
    assert len(sleeps.delays) == 1


async def test_json_truncated_on_every_attempt_names_client_and_call(fake, http):
    a, _ = api(fake, http, "tiktok", retries=1)
    fake.fail("tt_comments", "truncated", times=None)
    vid = fake.scenario.account("tiktok", "polresa").posts[0].id
    with pytest.raises(RapidApiError, match=rf"^tiktok comments of {vid}: malformed JSON.*gave up after 2"):
        await tiktok.video_commenters(a, vid)


async def test_slow_answer_beyond_the_timeout_is_retried(fake, http):
    a, sleeps = api(fake, http, timeout=0.2, retries=1)
    fake.fail("ig_likes", "slow", delay=0.6, times=1)
    got = await instagram.post_likers(a, "POLRES_A_IG0")
    assert len(got.usernames) == 120
    assert len(sleeps.delays) == 1
    fake.fail("ig_likes", "slow", delay=0.6, times=None)
    with pytest.raises(RapidApiError, match="timed out after 0.2s"):
        await instagram.post_likers(a, "POLRES_A_IG1")


async def test_network_error_is_retried(http):
    a = RapidApiClient(name="instagram", http=http, base_url="http://127.0.0.1:9", host="h", key="k",
                       policy=RetryPolicy(max_retries=2), sleep=SleepRecorder())
    with pytest.raises(RapidApiError, match="network error") as err:
        await instagram.account_posts(a, "x", since=START)
    assert err.value.retryable and a.calls == 3


def test_retry_after_forms():
    now = datetime(2026, 2, 17, 5, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Tue, 17 Feb 2026 05:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


async def test_pagination_of_posts_likers_and_comments(fake, http):
    fake.scenario.posts_page_size = 2
    fake.scenario.likers_page_size = 50
    a, _ = api(fake, http)
    listing = await instagram.account_posts(a, "polresa", since=START)
    assert sorted(p.shortcode for p in listing.posts) == ["POLRES_A_IG0", "POLRES_A_IG1", "POLRES_A_IG2"]
    assert listing.complete and listing.pages == 2  # stopped at the first post of yesterday
    likers = await instagram.post_likers(a, "POLRES_A_IG0")
    assert likers.pages == 3 and len(likers.usernames) == 120 and likers.complete
    t, _ = api(fake, http, "tiktok")
    vid = fake.scenario.account("tiktok", "polresa").posts[0].id
    comments = await tiktok.video_commenters(t, vid)
    assert comments.pages == 3 and len(comments.usernames) == 130 and comments.complete


async def test_page_cap_makes_the_answer_incomplete(fake, http):
    fake.scenario.likers_page_size = 50
    a, _ = api(fake, http, max_pages=2)
    likers = await instagram.post_likers(a, "POLRES_A_IG0")
    assert not likers.complete and len(likers.usernames) == 100 and "page cap" in likers.reason


@pytest.mark.parametrize("shape", ["data.itemList", "data.items", "result.videos", "string"])
async def test_tiktok_posts_in_every_payload_shape(fake, http, shape):
    fake.scenario.tiktok_shape = shape
    t, _ = api(fake, http, "tiktok")
    sec = await tiktok.lookup_secuid(t, "@polresa")
    listing = await tiktok.user_posts(t, sec, since=START)
    assert len(listing.posts) == 2 and listing.complete


def test_instagram_item_variants():
    post = instagram.parse_post({"code": "X1", "taken_at": "1771290000", "caption": "plain text",
                                 "thumbnail_src": "https://t", "video_versions": [{"url": "https://v"}],
                                 "media_type": 2, "like_count": "12"})
    assert post.caption == "plain text" and post.thumbnail_url == "https://t" and post.video_url == "https://v"
    assert post.is_video and post.like_count == 12
    assert post.taken_at == datetime.fromtimestamp(1771290000, tz=timezone.utc)
    carousel = instagram.parse_post({"code": "X2", "taken_at": 1771290000, "caption": {"text": "c"},
                                     "carousel_media": [{"image_versions": {"items": [{"url": "https://c0"}]}}]})
    assert carousel.is_carousel and carousel.image_url == "https://c0" and carousel.caption == "c"
    for bad in [None, "x", {}, {"code": "X"}, {"code": "X", "taken_at": "yesterday"}, {"taken_at": 1}]:
        with pytest.raises(ItemError):
            instagram.parse_post(bad)
    assert instagram.liker_username("@User.Name ") == "user.name"
    assert instagram.liker_username({"user": {"username": "Abc"}}) == "abc"
    assert instagram.liker_username({"username": "bad name!"}) is None


def test_tiktok_item_variants():
    a = tiktok.parse_post({"video_id": 7300, "create_time": 1771290000, "caption": "c", "digg_count": 5,
                           "comment_count": 2})
    assert (a.video_id, a.caption, a.like_count, a.comment_count) == ("7300", "c", 5, 2)
    b = tiktok.parse_post({"aweme_id": "73", "timestamp": 1771290000000, "title": "t",
                           "stats": {"likeCount": 9, "comments": 4}})
    assert (b.video_id, b.caption, b.like_count, b.comment_count) == ("73", "t", 9, 4)
    assert b.created_at == datetime.fromtimestamp(1771290000, tz=timezone.utc)
    c = tiktok.parse_post({"id": "74", "create_at": "2026-02-17T01:00:00Z", "desc": "d"})
    assert c.created_at == datetime(2026, 2, 17, 1, tzinfo=timezone.utc)
    with pytest.raises(ItemError):
        tiktok.parse_post({"desc": "no id", "createTime": 1})


async def test_malformed_items_are_skipped_and_counted(http, tmp_path):
    from tests.support.http_fake import Canned, FakeHttpServer

    server = FakeHttpServer()
    await server.start()
    try:
        ts = int(wib(2026, 2, 17, 9).timestamp())
        server.route("GET", "/v1/posts", Canned(body=(
            '{"data":{"items":[{"code":"OK1","taken_at":%d},{"taken_at":%d},"junk",{"code":"","taken_at":%d}]},'
            '"has_more":false}' % (ts, ts, ts)), content_type="application/json"))
        server.route("GET", "/api/post/comments", Canned(body=(
            '{"comments":[{"user":{"uniqueId":"Warga_A"}},{"username":"warga_b",'
            '"reply_comment":[{"user":{"unique_id":"warga_c"}}]},{"user":{}},7],"total":4}'),
            content_type="application/json"))
        a = RapidApiClient("instagram", http, server.base_url, "h", "k", sleep=SleepRecorder())
        listing = await instagram.account_posts(a, "acc", since=START)
        assert [p.shortcode for p in listing.posts] == ["OK1"] and listing.skipped == 3 and listing.complete
        t = RapidApiClient("tiktok", http, server.base_url, "h", "k", sleep=SleepRecorder())
        got = await tiktok.video_commenters(t, "1")
        assert got.usernames == ["warga_a", "warga_b", "warga_c"] and got.skipped == 2
    finally:
        await server.stop()


async def test_a_listing_page_with_a_malformed_id_or_time_is_not_believed(http):
    from tests.support.http_fake import Canned, FakeHttpServer

    server = FakeHttpServer()
    await server.start()
    try:
        ts = int(wib(2026, 2, 17, 9).timestamp())
        for items, problem in (('{"code":"OK1","taken_at":%d},{"code":"BAD","taken_at":"x"}' % ts, "bad creation time"),
                               ('{"code":"OK1","taken_at":%d},{"code":"<script>","taken_at":%d}' % (ts, ts),
                                "malformed shortcode")):
            server.route("GET", "/v1/posts", Canned(body='{"data":{"items":[%s]},"has_more":false}' % items,
                                                    content_type="application/json"))
            a = RapidApiClient("instagram", http, server.base_url, "h", "k", sleep=SleepRecorder())
            with pytest.raises(RapidApiError, match=f"implausible page: malformed item: {problem}"):
                await instagram.account_posts(a, "acc", since=START)
    finally:
        await server.stop()
