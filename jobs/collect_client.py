"""One client's collection: today's posts (post_fetch) and their likers/commenters, per platform.

`collect_client(deps, client, phase, now=…) -> ClientResult` is what the
in-process runner and a queue worker run. It never raises for API or payload
problems: they end up in `ClientResult.ok/error/warnings`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from core.boundary import describe, guarded
from core.clock import day_range, local_day
from db import attendance_ledger
from db import engagements as engagements_db
from db import posts as posts_db
from db.clients import Client, set_tiktok_secuid
from db.posts import PostRecord
from jobs.fetch_model import PHASES, ClientResult, FetchDeps, Phase, PlatformCounts, PostChanges
from jobs.sources.instagram import InstagramPost, account_posts, post_likers
from jobs.sources.rapidapi import PostListing, RapidApiClient, RapidApiError
from jobs.sources.tiktok import TikTokPost, lookup_secuid, user_posts, video_commenters

log = logging.getLogger(__name__)

ENGAGEMENT_CONCURRENCY = 3  # likers/comments calls in flight per client
MAX_ERROR_CHARS = 1000


@dataclass
class _Collected:
    """What one platform produced for a client."""

    changes: PostChanges = field(default_factory=PostChanges)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (post_id, username)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_items: int = 0


def _api(deps: FetchDeps, platform: str) -> RapidApiClient:
    section = deps.settings.instagram if platform == "instagram" else deps.settings.tiktok
    return RapidApiClient.from_settings(platform, deps.http, section, sleep=deps.sleep)


def _ig_record(p: InstagramPost) -> PostRecord:
    return PostRecord(p.shortcode, p.taken_at, p.caption, p.like_count, p.comment_count, extra={
        "is_video": p.is_video, "is_carousel": p.is_carousel, "thumbnail_url": p.thumbnail_url,
        "image_url": p.image_url, "video_url": p.video_url})


def _tt_record(p: TikTokPost) -> PostRecord:
    return PostRecord(p.video_id, p.created_at, p.caption, p.like_count, p.comment_count, extra={
        "share_count": p.share_count, "view_count": p.view_count, "cover_url": p.cover_url})


async def _store_posts(deps: FetchDeps, platform: str, client: Client, listing: PostListing,
                       records: list[PostRecord], start: datetime, end: datetime, seen_at: datetime,
                       out: _Collected) -> None:
    """Upsert today's listed posts; mark missing ones removed only on a complete, plausible answer."""
    ratio = deps.settings.fetch.shrink_guard_ratio
    async with deps.pool.acquire() as conn:
        stored = set(await posts_db.day_post_ids(conn, platform, client.id, start, end, source="api"))
        outcome = await posts_db.upsert_posts(conn, platform, client.id, records, seen_at=seen_at)
        out.changes.new, out.changes.updated = outcome.new, outcome.updated
        listed = {r.post_id for r in records}
        missing = sorted(stored - listed)
        if not missing:
            return
        if not listing.complete:
            out.warnings.append(f"{platform}: {len(missing)} stored post(s) not listed, not marked removed: "
                                f"answer incomplete ({listing.reason or 'unknown'})")
            return
        if len(listed) < ratio * len(stored):
            out.warnings.append(f"{platform}: answer lists {len(listed)} of {len(stored)} stored posts of today "
                                f"(below shrink_guard_ratio {ratio:g}); nothing marked removed")
            return
        out.changes.removed = await posts_db.mark_removed(conn, platform, client.id, missing, at=seen_at)


async def _engagers(api: RapidApiClient, platform: str, post_ids: list[str], out: _Collected) -> None:
    fetch_one = post_likers if platform == "instagram" else video_commenters
    sem = asyncio.Semaphore(ENGAGEMENT_CONCURRENCY)

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
        if not found.complete:
            out.warnings.append(f"{platform} {post_id}: engagement partial ({found.reason})")
        out.pairs.extend((post_id, name) for name in found.usernames)

    await asyncio.gather(*(one(pid) for pid in post_ids))


async def _tiktok_listing(deps: FetchDeps, api: RapidApiClient, client: Client, start: datetime) -> PostListing:
    """Today's TikTok videos; the secUid is looked up (and stored) when missing, and looked
    up again once when the stored one is refused (an account can change it)."""
    stored = client.tiktok_secuid
    secuid = stored or await lookup_secuid(api, client.tiktok)
    if secuid != stored:
        async with deps.pool.acquire() as conn:
            await set_tiktok_secuid(conn, client.id, secuid)
    try:
        return await user_posts(api, secuid, since=start, label=client.tiktok)
    except RapidApiError as exc:
        if not stored or exc.status not in (400, 404):
            raise
        fresh = await lookup_secuid(api, client.tiktok)
        if fresh == stored:
            raise
        log.info("%s: TikTok secUid of %s changed; stored the new one", client.id, client.tiktok)
        async with deps.pool.acquire() as conn:
            await set_tiktok_secuid(conn, client.id, fresh)
        return await user_posts(api, fresh, since=start, label=client.tiktok)


async def _collect_platform(deps: FetchDeps, platform: str, client: Client, phase: Phase, start: datetime,
                            end: datetime, seen_at: datetime) -> _Collected:
    out = _Collected()
    api = _api(deps, platform)
    try:
        if phase == "post_fetch":
            if platform == "instagram":
                listing = await account_posts(api, client.instagram, since=start)
                records = [_ig_record(p) for p in listing.posts if p.taken_at < end]
            else:
                listing = await _tiktok_listing(deps, api, client, start)
                records = [_tt_record(p) for p in listing.posts if p.created_at < end]
            out.skipped_items += listing.skipped
            await _store_posts(deps, platform, client, listing, records, start, end, seen_at, out)
    except RapidApiError as exc:
        out.errors.append(str(exc))
        return out
    async with deps.pool.acquire() as conn:
        targets = await posts_db.day_post_ids(conn, platform, client.id, start, end)
    await _engagers(api, platform, targets, out)
    return out


async def _counts(deps: FetchDeps, client_id: str, start: datetime, end: datetime) -> PlatformCounts:
    c = await posts_db.client_day_counts(deps.pool, client_id, start, end)
    return PlatformCounts(c.instagram_posts, c.tiktok_posts, c.likes, c.comments)


async def collect_client(deps: FetchDeps, client: Client, phase: Phase, *, now: datetime) -> ClientResult:
    """One client's collection for `phase`; "today" is `now`'s date in the configured zone.

    post_fetch: today's Instagram/TikTok posts are upserted (removals only on a
    complete, plausible answer), then likers/commenters of today's live posts are
    merged. engagement_only: only the likers/commenters. Each platform is isolated:
    an Instagram failure does not stop TikTok. API and payload problems end up in
    `ok`/`error`/`warnings`; the function raises only for programming errors in hooks.
    Personnel flagged `exception` are not written as likes (attendance counts them).
    """
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    began = time.monotonic()
    result = ClientResult(client_id=client.id, phase=phase)
    tz = deps.settings.tz
    start, end = day_range(local_day(now, tz), tz)
    seen_at = deps.clock.now()
    errors: list[str] = []
    # DB trouble or a bug: this client fails, the cycle goes on
    async with guarded("collecting a client", log, client_id=client.id) as g:
        result.before = await _counts(deps, client.id, start, end)
        platforms = [p for p, on in (("instagram", client.fetches_instagram), ("tiktok", client.fetches_tiktok)) if on]
        collected = await asyncio.gather(
            *(_collect_platform(deps, p, client, phase, start, end, seen_at) for p in platforms),
            return_exceptions=True,
        )
        for platform, got in zip(platforms, collected):
            if isinstance(got, BaseException):
                if not isinstance(got, Exception):
                    raise got
                log.error("collecting %s of %s failed", platform, client.id, exc_info=got)
                errors.append(f"{platform}: unexpected {got.__class__.__name__}: {got}")
                continue
            setattr(result, platform, got.changes)
            errors.extend(got.errors)
            result.warnings.extend(got.warnings)
            result.skipped_items += got.skipped_items
            if got.pairs:
                async with deps.pool.acquire() as conn, conn.transaction():  # engagement and ledger together
                    merged = await engagements_db.merge_engagements(conn, platform, got.pairs, seen_at=seen_at)
                    await attendance_ledger.record_engagements(conn, platform, got.pairs)
                if platform == "instagram":
                    result.likes_written = merged.written
                else:
                    result.comments_written = merged.written
        if not platforms:
            result.warnings.append("client has no active Instagram or TikTok account")
        result.after = await _counts(deps, client.id, start, end)
    if g.failed:
        errors.append(f"unexpected {describe(g.error)}")
    if result.skipped_items:
        result.warnings.append(f"{result.skipped_items} malformed payload item(s) skipped")
    if errors:
        result.ok = False
        text = "; ".join(errors)
        result.error = text[:MAX_ERROR_CHARS] + ("…" if len(text) > MAX_ERROR_CHARS else "")
    result.duration_seconds = round(time.monotonic() - began, 3)
    return result
