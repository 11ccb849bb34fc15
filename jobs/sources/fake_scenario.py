"""What the fake RapidAPI knows (`jobs/sources/fake_rapidapi.py`): accounts, their posts and engagers, page sizes.

`Scenario.generated(...)` builds the deterministic world of the tests, benches and `cicero demo`.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from core.clock import JAKARTA


@dataclass
class FakePost:
    """One post/video with the usernames that liked (IG) or commented (TikTok) it."""

    id: str  # shortcode or video id
    posted_at: datetime
    caption: str | None = None
    engagers: list[str] = field(default_factory=list)
    like_count: int | None = None  # defaults to len(engagers) for IG
    comment_count: int | None = None  # defaults to len(engagers) for TikTok
    pinned: bool = False
    removed: bool = False


@dataclass
class FakeAccount:
    platform: str  # "instagram" | "tiktok"
    username: str
    posts: list[FakePost] = field(default_factory=list)  # any order; served newest first
    secuid: str | None = None  # TikTok; default "SEC-<username>"
    followers: int = 1200  # profile figures served by ig_info / tt_info
    following: int = 35
    display_name: str | None = None  # default: the username upper-cased

    def __post_init__(self) -> None:
        if self.platform == "tiktok" and not self.secuid:
            self.secuid = f"SEC-{self.username}"


@dataclass
class Scenario:
    """What the fake knows: accounts (client → posts → likers/commenters) and page sizes."""

    accounts: list[FakeAccount] = field(default_factory=list)
    api_key: str | None = None  # when set, requests without this X-RapidAPI-Key get 403
    posts_page_size: int = 12  # IG posts per page
    likers_page_size: int = 50  # IG likers per page
    comments_max_page: int = 50  # TikTok comments per page (the request's count, capped)
    comments_page_size: int | None = None  # when set, served whatever count was asked (the answer's cursor says so)
    videos_max_page: int = 35
    tiktok_shape: str = "data.itemList"  # or "data.items", "result.videos", "string"
    quota_limit: int | None = None  # when set, answers carry x-ratelimit-requests-* (per product: limit - served)

    def account(self, platform: str, username: str) -> FakeAccount | None:
        for acc in self.accounts:
            if acc.platform == platform and acc.username == username:
                return acc
        return None

    def post(self, post_id: str) -> tuple[FakeAccount, FakePost] | None:
        for acc in self.accounts:
            for p in acc.posts:
                if p.id == post_id:
                    return acc, p
        return None

    @classmethod
    def generated(cls, *, day: date, clients: list[str], ig_posts: int = 3, tt_posts: int = 2,
                  likers: int = 50, commenters: int = 20, older_posts: int = 2, seed: int = 7,
                  username_pool: list[str] | None = None, **options: Any) -> "Scenario":
        """A deterministic scenario: each client id gets IG account `<id lower, no _>` and the same
        TikTok username, with `ig_posts`/`tt_posts` posts on `day` (WIB, from 07:00 hourly) plus
        `older_posts` from the day before. Engagers are drawn from `username_pool` (default
        `warga0000`…) so different posts share people."""
        rng = random.Random(seed)
        pool = username_pool or [f"warga{i:05d}" for i in range(max(likers, commenters) * 2 or 1)]
        accounts = []
        for cid in clients:
            handle = cid.lower().replace("_", "")
            ig = FakeAccount("instagram", handle)
            tt = FakeAccount("tiktok", handle)
            for i in range(ig_posts):
                ig.posts.append(FakePost(
                    id=f"{cid}_IG{i}", posted_at=datetime.combine(day, time(7 + i % 15, (i * 7) % 60), tzinfo=JAKARTA),
                    caption=f"Kegiatan {cid} #{i}", engagers=_sample(rng, pool, likers)))
            for i in range(tt_posts):
                tt.posts.append(FakePost(
                    id=f"7{zlib_crc(cid):09d}{i:09d}",
                    posted_at=datetime.combine(day, time(8 + i % 14, (i * 11) % 60), tzinfo=JAKARTA),
                    caption=f"Video {cid} #{i}", engagers=_sample(rng, pool, commenters)))
            for i in range(older_posts):
                when = datetime.combine(day - timedelta(days=1), time(10 + i % 10), tzinfo=JAKARTA)
                ig.posts.append(FakePost(id=f"{cid}_OLD{i}", posted_at=when, caption="kemarin",
                                         engagers=_sample(rng, pool, min(likers, 5))))
                tt.posts.append(FakePost(id=f"6{zlib_crc(cid):09d}{i:09d}", posted_at=when, caption="kemarin",
                                         engagers=_sample(rng, pool, min(commenters, 5))))
            accounts += [ig, tt]
        return cls(accounts=accounts, **options)


def zlib_crc(text: str) -> int:
    return zlib.crc32(text.encode()) % 10**9


def _sample(rng: random.Random, pool: list[str], n: int) -> list[str]:
    if n <= 0:
        return []
    if n >= len(pool):
        return list(pool)
    return rng.sample(pool, n)
