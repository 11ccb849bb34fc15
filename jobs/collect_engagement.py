"""One client's engagement step: fetch the likers/commenters of its tasks and merge what is new.

* `fetch_engagers(api, platform, post_ids)` — every task's listing (at most
  `ENGAGEMENT_CONCURRENCY` calls in flight), with the problems it met.
* `store_engagement(pool, platform, listings, seen_at)` — THE engagement merge
  site: new (post, username) rows, each post's fetch time and listing
  fingerprint, in one transaction on one connection. Whatever is derived from
  engagement (the per-post counts inside the merge, the attendance ledger) is kept
  here from `merged.new_by_post`, in that same transaction.

A post whose listing is exactly the one merged last time (same names, same
order: `listing_digest`) has nothing new; its merge is skipped and only its
fetch time moves. So a repeat run writes one row per post, not one per liker.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from db import attendance_ledger
from db import engagements as engagements_db
from db import posts as posts_db
from db.directory_cache import directory_cache_of
from jobs.sources.instagram import post_likers
from jobs.sources.rapidapi import RapidApiClient, RapidApiError
from jobs.sources.tiktok import video_commenters

ENGAGEMENT_CONCURRENCY = 3  # likers/comments calls in flight per client


@dataclass
class EngagementFetch:
    """What the API answered for a client's tasks: usernames per post, and what went wrong."""

    listings: dict[str, list[str]] = field(default_factory=dict)  # post id -> usernames (answer order)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_items: int = 0

    @property
    def pairs(self) -> int:
        return sum(len(names) for names in self.listings.values())


def plausible_engagers(reported: int) -> int:
    """The most likers/commenters believable for a post whose own count says `reported`."""
    return 2 * max(reported, 0) + 100


async def fetch_engagers(api: RapidApiClient, platform: str, post_ids: list[str],
                         reported: dict[str, int] | None = None) -> EngagementFetch:
    """The likers (Instagram) or commenters (TikTok) of each post; a 404 is a warning, other failures errors.

    A listing far above the post's own count (`reported`, `plausible_engagers`;
    a count of 0 — hidden or unknown — sets no ceiling) is not believed: it is an
    error for that post and nothing of it is merged.
    """
    reported = reported or {}
    fetch_one = post_likers if platform == "instagram" else video_commenters
    sem = asyncio.Semaphore(ENGAGEMENT_CONCURRENCY)
    out = EngagementFetch()

    async def one(post_id: str) -> None:
        async with sem:
            try:
                found = await fetch_one(api, post_id)
            except RapidApiError as exc:
                if exc.status == 404:
                    out.warnings.append(f"{platform} {post_id}: post not found by the API (engagement not refreshed)")
                else:
                    out.errors.append(str(exc))
                return
        out.skipped_items += found.skipped
        count = reported.get(post_id, 0)  # 0: hidden or unknown (a manual post not listed yet): no ceiling
        ceiling = plausible_engagers(count) if count > 0 else None
        if ceiling is not None and len(found.usernames) > ceiling:
            out.errors.append(f"{platform} {post_id}: implausible answer: {len(found.usernames):,} "
                              f"{'likers' if platform == 'instagram' else 'commenters'} for a post that reports "
                              f"{reported[post_id]:,}; not stored")
            return
        if not found.complete:
            out.warnings.append(f"{platform} {post_id}: engagement partial ({found.reason})")
        out.listings[post_id] = found.usernames

    await asyncio.gather(*(one(pid) for pid in post_ids))
    return out


def listing_digest(usernames: list[str]) -> str:
    """A fingerprint of one listing (names in answer order): equal means nothing new since it was merged."""
    return hashlib.sha1("\n".join(usernames).encode(), usedforsecurity=False).hexdigest()


async def store_engagement(pool, platform: str, listings: dict[str, list[str]],
                           seen_at: datetime) -> engagements_db.MergeOutcome:
    """Merge the listings' new pairs and record each post's fetch, in one transaction (see the module doc)."""
    if not listings:
        return engagements_db.MergeOutcome()
    digests = {post_id: listing_digest(names) for post_id, names in listings.items()}
    async with pool.acquire() as conn, conn.transaction():
        merged_before = await posts_db.engagement_digests(conn, platform, sorted(listings))
        changed = {pid: names for pid, names in listings.items() if merged_before.get(pid) != digests[pid]}
        merged = await engagements_db.merge_listings(conn, platform, changed)
        await attendance_ledger.record_merged(conn, platform, merged.new_by_post,   # the ledger, same transaction
                                              cache=directory_cache_of(pool))
        await posts_db.mark_engagement_fetched(conn, platform, digests, at=seen_at)
    merged.seen = sum(len(names) for names in listings.values())
    return merged
