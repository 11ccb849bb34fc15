"""A fake RapidAPI (Instagram social-api4 + TikTok tiktok-api23) for tests, benches and `cicero demo`.

A real ASGI (Starlette) app served on loopback by `jobs.sources.loopback`, answering
with the documented payload shapes and pagination, seeded from a `Scenario`:

    scenario = Scenario.generated(day=date(2026, 2, 17), clients=["POLRES_A"], ig_posts=3, likers=120)
    fake = FakeRapidApi(scenario)
    base_url = await fake.start()          # point [instagram]/[tiktok] base_url here
    fake.fail("ig_likes", "429", retry_after=2, times=1)
    fake.remove_post("POLRES_A_IG0")       # the post disappears from listings; likers → 404
    await fake.stop()

Calls ("endpoints"): `ig_posts`, `ig_likes`, `ig_info` (profile), `tt_info` (secUid + profile),
`tt_posts`, `tt_comments`.
Faults (`Fault.kind`): `429` (with `Retry-After`), `500`, `slow` (delay before answering),
`truncated` (half a JSON body), `empty` (a page with no items that still promises more),
`404`; hostile ones: `trickle` (headers, then one byte every `delay` seconds), `gzip_bomb`
(a gzip body that inflates to `size` bytes), `huge_string` (a `size`-character string field),
`flood` (a listing/likers/comments page with `size` made-up items). A fault applies to `times` requests (None = until cleared), optionally only for
one `key` (account, shortcode, secUid/username or video id).

Every request is recorded in `requests` (call, key, params) for assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from jobs.sources.fake_faults import FAULT_KINDS, Fault, bomb, trickle
from jobs.sources.fake_pages import PageEncoder
from jobs.sources.fake_scenario import FakeAccount, FakePost, Scenario, zlib_crc
from jobs.sources.loopback import LoopbackServer

__all__ = ["CALLS", "FakeAccount", "FakePost", "FakeRapidApi", "RecordedRequest", "Scenario"]

CALLS = ("ig_posts", "ig_likes", "ig_info", "tt_info", "tt_posts", "tt_comments")


@dataclass
class RecordedRequest:
    call: str
    key: str | None
    params: dict[str, str]
    status: int = 200


class FakeRapidApi:
    """The fake service; `await start()` returns its base URL."""

    def __init__(self, scenario: Scenario, *, host: str = "127.0.0.1", port: int = 0, record: bool = True,
                 cache_pages: bool = False):
        """`cache_pages`: encode each answer once and serve its bytes again for the same path and query
        (faults still apply first) — only for a scenario nobody changes while it is served (the benches'
        standalone server); `remove_post` clears the cache."""
        self.scenario = scenario
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.record = record
        self.cache_pages = cache_pages
        self._pages: dict[tuple[str, bytes], bytes] = {}  # (path, raw query) -> body, when cache_pages
        self._posts = {p.id: (a, p) for a in scenario.accounts for p in a.posts} if cache_pages else None
        self._encoder = PageEncoder() if cache_pages else None  # likers/comments pages from encoded fragments
        self.app = Starlette(routes=[
            Route("/v1/posts", self._ig_posts),
            Route("/v1/likes", self._ig_likes),
            Route("/v1/info", self._ig_info),
            Route("/api/user/info", self._tt_info),
            Route("/api/user/posts", self._tt_posts),
            Route("/api/post/comments", self._tt_comments),
        ])
        self.served = {"instagram": 0, "tiktok": 0}  # requests answered per product (each has its own quota)
        self._server = LoopbackServer(_QuotaHeaders(self), host=host, port=port)

    async def with_quota_headers(self, scope, receive, send) -> None:
        """The app, with RapidAPI's x-ratelimit-* headers on every answer when the scenario has a quota."""
        if scope["type"] != "http" or self.scenario.quota_limit is None:
            await self.app(scope, receive, send)
            return
        product = "instagram" if scope["path"].startswith("/v1/") else "tiktok"
        self.served[product] += 1
        remaining = max(self.scenario.quota_limit - self.served[product], 0)

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-ratelimit-requests-limit", str(self.scenario.quota_limit).encode()),
                                                  (b"x-ratelimit-requests-remaining", str(remaining).encode()),
                                                  (b"x-ratelimit-requests-reset", b"86400")]}
            await send(message)

        await self.app(scope, receive, with_headers)

    # ------------------------------------------------------------------ control

    @property
    def base_url(self) -> str:
        return self._server.base_url

    async def start(self) -> str:
        await self._server.start()
        return self.base_url

    async def stop(self) -> None:
        await self._server.stop()

    async def __aenter__(self) -> "FakeRapidApi":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    def fail(self, call: str, kind: str, *, key: str | None = None, times: int | None = 1,
             retry_after: float | None = None, delay: float = 0.0, size: int = 0) -> Fault:
        """Inject a fault on `call` (see module docstring)."""
        if call not in CALLS:
            raise ValueError(f"unknown call {call!r} (known: {', '.join(CALLS)})")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r} (known: {', '.join(FAULT_KINDS)})")
        fault = Fault(call, kind, key, times, retry_after, delay, size)
        self.faults.append(fault)
        return fault

    def remove_post(self, post_id: str) -> None:
        """The post disappears: no longer listed; its likers/comments answer 404."""
        found = self.scenario.post(post_id)
        if found is None:
            raise KeyError(post_id)
        found[1].removed = True
        self._pages.clear()

    def calls(self, call: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.call == call]

    # ------------------------------------------------------------------ plumbing

    async def _guard(self, request: Request, call: str, key: str | None) -> Response | None:
        """Auth check, request log and fault injection; a Response means 'answer this'."""
        params = dict(request.query_params)
        rec = RecordedRequest(call, key, params)
        if self.record:
            self.requests.append(rec)
        if self.scenario.api_key and request.headers.get("x-rapidapi-key") != self.scenario.api_key:
            rec.status = 403
            return _json({"message": "You are not subscribed to this API."}, 403)
        for fault in self.faults:
            if not fault.matches(call, key):
                continue
            fault.hits += 1
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
                continue  # then answer normally (the client has usually given up)
            if fault.kind == "429":
                rec.status = 429
                headers = {"Retry-After": _fmt(fault.retry_after)} if fault.retry_after is not None else {}
                return _json({"message": "Too many requests"}, 429, headers)
            if fault.kind == "500":
                rec.status = 500
                return _json({"message": "Internal Server Error"}, 500)
            if fault.kind == "404":
                rec.status = 404
                return _json({"message": "not found"}, 404)
            if fault.kind == "trickle":
                return StreamingResponse(trickle(fault.delay), media_type="application/json")
            if fault.kind == "gzip_bomb":
                return Response(bomb(fault.size), media_type="application/json",
                                headers={"Content-Encoding": "gzip"})
            if fault.kind in ("truncated", "empty", "huge_string", "flood"):
                request.state.fault = fault.kind
                request.state.fault_size = fault.size
        if self.cache_pages and getattr(request.state, "fault", None) is None:
            body = self._pages.get(_page_key(request))
            if body is not None:
                return Response(body, media_type="application/json")
        return None

    def _plain_page(self, request: Request) -> PageEncoder | None:
        """The page encoder when this answer is a plain cached page (no fault shapes it)."""
        return self._encoder if getattr(request.state, "fault", None) is None else None

    def _cached(self, request: Request, body: bytes) -> Response:
        self._pages[_page_key(request)] = body
        return Response(body, media_type="application/json")

    def _post(self, post_id: str) -> tuple[FakeAccount, FakePost] | None:
        return self._posts.get(post_id) if self._posts is not None else self.scenario.post(post_id)

    @staticmethod
    def flood_size(request: Request) -> int:
        """How many made-up items a `flood` fault asks this page to carry (0: none)."""
        return request.state.fault_size if getattr(request.state, "fault", None) == "flood" else 0

    def _finish(self, request: Request, payload: Any, empty_payload: Any) -> Response:
        fault = getattr(request.state, "fault", None)
        if fault == "empty":
            payload = empty_payload
        if fault == "huge_string" and isinstance(payload, dict):
            payload = {**payload, "note": "x" * request.state.fault_size}
        body = orjson.dumps(payload)  # compact JSON, like json.dumps(separators=(",", ":")), ~10× cheaper
        if fault == "truncated":
            body = body[: max(1, len(body) // 2)]
        elif fault is None and self.cache_pages:
            self._pages[_page_key(request)] = body
        return Response(body, media_type="application/json")

    # ------------------------------------------------------------------ Instagram

    async def _ig_posts(self, request: Request) -> Response:
        account = (request.query_params.get("username_or_id_or_url") or "").strip().lstrip("@").lower()
        if (resp := await self._guard(request, "ig_posts", account)) is not None:
            return resp
        acc = self.scenario.account("instagram", account)
        if acc is None:
            return _json({"detail": f"user {account} not found"}, 404)
        posts = _visible(acc.posts)
        start = _int(request.query_params.get("pagination_token"), 0)
        size = self.scenario.posts_page_size
        page = posts[start:start + size]
        more = start + size < len(posts)
        items = [_ig_item(p, acc.username) for p in page + flood_posts(page, self.flood_size(request), "FAKE")]
        payload = {"data": {"items": items, "count": len(items)},
                   "pagination_token": str(start + size) if more else None, "has_more": more}
        empty = {"data": {"items": [], "count": 0}, "pagination_token": str(start), "has_more": True}
        return self._finish(request, payload, empty)

    async def _ig_likes(self, request: Request) -> Response:
        code = (request.query_params.get("code_or_id_or_url") or "").strip()
        if (resp := await self._guard(request, "ig_likes", code)) is not None:
            return resp
        found = self._post(code)
        if found is None or found[1].removed or found[0].platform != "instagram":
            return _json({"detail": "media not found"}, 404)
        post = found[1]
        start = _int(request.query_params.get("cursor"), 0)
        size = self.scenario.likers_page_size
        page = post.engagers[start:start + size] + [f"bot{i:06d}" for i in range(self.flood_size(request))]
        more = start + size < len(post.engagers)
        if (encoder := self._plain_page(request)) is not None:
            return self._cached(request, encoder.likers_page(page, str(start + size) if more else None, more))
        payload = {"data": {"items": [{"username": u, "full_name": u.upper()} for u in page],
                            "next_cursor": str(start + size) if more else None, "has_more": more,
                            "count": len(page)}}
        empty = {"data": {"items": [], "next_cursor": str(start), "has_more": True}}
        return self._finish(request, payload, empty)

    # ------------------------------------------------------------------ TikTok

    async def _tt_info(self, request: Request) -> Response:
        user = (request.query_params.get("uniqueId") or "").strip().lstrip("@").lower()
        if (resp := await self._guard(request, "tt_info", user)) is not None:
            return resp
        acc = self.scenario.account("tiktok", user)
        if acc is None:
            return self._finish(request, {"userInfo": {}, "statusCode": 10202}, {})
        return self._finish(request, {"userInfo": {
            "user": {"uniqueId": acc.username, "secUid": acc.secuid, "nickname": _display(acc),
                     "signature": f"Akun resmi {_display(acc)}", "avatarLarger": f"https://cdn.example/{acc.username}.jpg"},
            "stats": {"followerCount": acc.followers, "followingCount": acc.following, "videoCount": len(acc.posts)},
        }}, {})

    async def _ig_info(self, request: Request) -> Response:
        account = (request.query_params.get("username_or_id_or_url") or "").strip().lstrip("@").lower()
        if (resp := await self._guard(request, "ig_info", account)) is not None:
            return resp
        acc = self.scenario.account("instagram", account)
        if acc is None:
            return _json({"detail": f"user {account} not found"}, 404)
        return self._finish(request, {"data": {
            "username": acc.username, "full_name": _display(acc), "follower_count": acc.followers,
            "following_count": acc.following, "media_count": len(acc.posts), "biography": f"Akun resmi {_display(acc)}",
            "profile_pic_url_hd": f"https://cdn.example/{acc.username}.jpg"}}, {})

    async def _tt_posts(self, request: Request) -> Response:
        sec = (request.query_params.get("secUid") or "").strip()
        acc = next((a for a in self.scenario.accounts if a.platform == "tiktok" and a.secuid == sec), None)
        if (resp := await self._guard(request, "tt_posts", acc.username if acc else sec)) is not None:
            return resp
        if acc is None:
            return _json({"message": "missing required params secUid"}, 400)
        posts = _visible(acc.posts)
        start = _int(request.query_params.get("cursor"), 0)
        size = min(_int(request.query_params.get("count"), 35) or 35, self.scenario.videos_max_page)
        page = posts[start:start + size]
        more = start + size < len(posts)
        items = [_tt_item(p) for p in page + flood_posts(page, self.flood_size(request), "9")]
        inner = {"itemList": items, "cursor": str(start + size) if more else str(start + len(page)),
                 "hasMore": more}
        shape = self.scenario.tiktok_shape
        if shape == "data.items":
            inner["items"] = inner.pop("itemList")
            payload = {"data": inner}
        elif shape == "result.videos":
            inner["videos"] = inner.pop("itemList")
            payload = {"result": inner}
        elif shape == "string":
            payload = {"data": json.dumps(inner)}
        else:
            payload = {"data": inner}
        empty = {"data": {"itemList": [], "cursor": str(start), "hasMore": True}}
        return self._finish(request, payload, empty)

    async def _tt_comments(self, request: Request) -> Response:
        vid = (request.query_params.get("videoId") or "").strip()
        if (resp := await self._guard(request, "tt_comments", vid)) is not None:
            return resp
        found = self._post(vid)
        if found is None or found[1].removed or found[0].platform != "tiktok":
            return _json({"message": "video not found"}, 404)
        post = found[1]
        start = _int(request.query_params.get("cursor"), 0)
        size = self.scenario.comments_page_size or min(_int(request.query_params.get("count"), 50) or 50,
                                                       self.scenario.comments_max_page)
        page = post.engagers[start:start + size]
        page = page + [f"bot{i:06d}" for i in range(self.flood_size(request))]
        has_more = 1 if start + size < len(post.engagers) else 0
        if (encoder := self._plain_page(request)) is not None and \
                (body := encoder.comments_page(vid, start, page, len(post.engagers), has_more)) is not None:
            return self._cached(request, body)
        comments = [{"cid": f"{vid}-{start + i}", "text": "mantap", "user": {"unique_id": u, "nickname": u}}
                    for i, u in enumerate(page)]
        payload = {"data": {"comments": comments, "total": len(post.engagers), "cursor": start + len(page),
                            "has_more": 1 if start + size < len(post.engagers) else 0}}
        empty = {"data": {"comments": [], "total": len(post.engagers)}}
        return self._finish(request, payload, empty)


def _page_key(request: Request) -> tuple[str, bytes]:
    return request.scope["path"], request.scope["query_string"]


def _display(acc: FakeAccount) -> str:
    return acc.display_name or acc.username.upper()


@dataclass
class _QuotaHeaders:
    """The fake as an ASGI 3 app (uvicorn reads an instance's async `__call__` as ASGI 3, not a bound method)."""

    fake: "FakeRapidApi"

    async def __call__(self, scope, receive, send) -> None:
        await self.fake.with_quota_headers(scope, receive, send)


def flood_posts(page: list[FakePost], n: int, prefix: str) -> list[FakePost]:
    """`n` made-up posts published at the time of the page's newest post (today's tasks, if believed)."""
    if not n or not page:
        return []
    return [FakePost(f"{prefix}{i:09d}", page[0].posted_at, caption="palsu") for i in range(n)]


def _visible(posts: list[FakePost]) -> list[FakePost]:
    live = [p for p in posts if not p.removed]
    return sorted(live, key=lambda p: (not p.pinned, -p.posted_at.timestamp()))


def _ig_item(p: FakePost, username: str) -> dict:
    return {
        "id": f"{zlib_crc(p.id)}_17", "code": p.id, "taken_at": int(p.posted_at.timestamp()),
        "caption": {"text": p.caption} if p.caption is not None else None,
        "like_count": p.like_count if p.like_count is not None else len(p.engagers),
        "comment_count": p.comment_count or 0, "is_video": False, "is_pinned": p.pinned,
        "image_versions": {"items": [{"url": f"https://cdn.example/{p.id}.jpg"}]},
        "user": {"username": username},
    }


def _tt_item(p: FakePost) -> dict:
    return {
        "id": p.id, "createTime": int(p.posted_at.timestamp()), "desc": p.caption or "",
        "isPinnedItem": p.pinned,
        "stats": {"diggCount": p.like_count or 0,
                  "commentCount": p.comment_count if p.comment_count is not None else len(p.engagers),
                  "shareCount": 0, "playCount": 100},
        "video": {"cover": f"https://cdn.example/{p.id}.jpg"},
    }


def _json(payload: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status_code=status, headers=headers, media_type="application/json")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _fmt(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


# --------------------------------------------------------------------------- standalone

def main(argv: list[str] | None = None) -> None:  # pragma: no cover - used by bench in a subprocess
    """Serve a generated scenario until killed; prints the base URL on stdout."""
    p = argparse.ArgumentParser(description="serve a generated fake RapidAPI scenario")
    p.add_argument("--day", required=True)
    p.add_argument("--clients", type=int, default=3)
    p.add_argument("--ig-posts", type=int, default=3)
    p.add_argument("--tt-posts", type=int, default=2)
    p.add_argument("--likers", type=int, default=50)
    p.add_argument("--commenters", type=int, default=20)
    p.add_argument("--page", type=int, default=50, help="likers/comments per page")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--key", default="bench-key")
    a = p.parse_args(argv)
    scenario = Scenario.generated(
        day=date.fromisoformat(a.day), clients=[f"BENCH_{i:04d}" for i in range(a.clients)],
        ig_posts=a.ig_posts, tt_posts=a.tt_posts, likers=a.likers, commenters=a.commenters, seed=a.seed,
        api_key=a.key, likers_page_size=a.page, comments_page_size=a.page,
    )

    async def serve() -> None:
        fake = FakeRapidApi(scenario, record=False, cache_pages=True)
        print(await fake.start(), flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":  # pragma: no cover
    main()
