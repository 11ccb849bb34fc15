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
from datetime import datetime, timedelta

from core.boundary import describe, guarded
from core.clock import day_range, local_day
from db import posts as posts_db
from db.clients import Client, set_tiktok_secuid
from db.engagements import MergeOutcome
from db.posts import PostRecord
from db.profiles import Profile
from jobs.collect_profiles import refresh_profile
from jobs.collect_engagement import EngagementFetch, fetch_engagers, store_engagement
from jobs.fetch_model import PHASES, ClientResult, FetchDeps, Phase, PlatformCounts, PostChanges
from jobs.sources.instagram import InstagramPost, account_posts
from jobs.sources.rapidapi import missing_keys, PostListing, RapidApiClient, RapidApiError
from jobs.sources.tiktok import TikTokPost, user_info, user_posts

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 1000


@dataclass
class _Collected:
    """What one platform produced for a client."""

    changes: PostChanges = field(default_factory=PostChanges)
    engagement: EngagementFetch = field(default_factory=EngagementFetch)
    api: RapidApiClient | None = None
    merged: MergeOutcome = field(default_factory=MergeOutcome)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_items: int = 0


def _api(deps: FetchDeps, platform: str) -> RapidApiClient:
    section = deps.settings.instagram if platform == "instagram" else deps.settings.tiktok
    return RapidApiClient.from_settings(platform, deps.http, section, sleep=deps.sleep,
                                        on_response=deps.quota.on_response if deps.quota else None)


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


async def _tiktok_listing(deps: FetchDeps, api: RapidApiClient, client: Client,
                          start: datetime) -> tuple[PostListing, Profile | None]:
    """Today's TikTok videos (and the profile, when a secUid lookup fetched it anyway). The secUid is
    looked up (and stored) when missing, and looked up again once when the stored one is refused."""
    stored = client.tiktok_secuid
    info = None if stored else await user_info(api, client.tiktok)
    secuid = stored or info.secuid
    if secuid != stored:
        async with deps.pool.acquire() as conn:
            await set_tiktok_secuid(conn, client.id, secuid)
    try:
        return await user_posts(api, secuid, since=start, label=client.tiktok), info and info.profile
    except RapidApiError as exc:
        if not stored or exc.status not in (400, 404):
            raise
        info = await user_info(api, client.tiktok)
        if info.secuid == stored:
            raise
        log.info("%s: TikTok secUid of %s changed; stored the new one", client.id, client.tiktok)
        async with deps.pool.acquire() as conn:
            await set_tiktok_secuid(conn, client.id, info.secuid)
        return await user_posts(api, info.secuid, since=start, label=client.tiktok), info.profile


async def _collect_platform(deps: FetchDeps, platform: str, client: Client, phase: Phase, start: datetime,
                            end: datetime, seen_at: datetime) -> _Collected:
    out = _Collected()
    api = out.api = _api(deps, platform)
    try:
        if phase == "post_fetch":
            known = None
            if platform == "instagram":
                listing = await account_posts(api, client.instagram, since=start)
                records = [_ig_record(p) for p in listing.posts if p.taken_at < end]
            else:
                listing, known = await _tiktok_listing(deps, api, client, start)
                records = [_tt_record(p) for p in listing.posts if p.created_at < end]
            out.skipped_items += listing.skipped
            await _store_posts(deps, platform, client, listing, records, start, end, seen_at, out)
            account = client.instagram if platform == "instagram" else client.tiktok
            problem = await refresh_profile(deps, api, platform, client.id, account, seen_at, known=known)
            if problem:
                out.warnings.append(problem)
    except RapidApiError as exc:
        out.errors.append(str(exc))
        return out
    async with deps.pool.acquire() as conn:
        targets = await posts_db.day_post_ids(conn, platform, client.id, start, end)
        reported = await posts_db.reported_engagement(conn, platform, targets)
    out.engagement = await fetch_engagers(api, platform, targets, reported)
    out.errors += out.engagement.errors
    out.warnings += out.engagement.warnings
    out.skipped_items += out.engagement.skipped_items
    return out


async def _counts(deps: FetchDeps, client_id: str, start: datetime, end: datetime) -> PlatformCounts:
    c = await posts_db.client_day_counts(deps.pool, client_id, start, end)
    return PlatformCounts(c.instagram_posts, c.tiktok_posts, c.likes, c.comments)


def collection_range(settings, phase: Phase, now: datetime) -> tuple[datetime, datetime]:
    """The posts a run works on: `now`'s day, or for the late sweep the `late_sweep_days` days before it."""
    tz = settings.tz
    today = local_day(now, tz)
    if phase == "late_sweep":
        return day_range(today - timedelta(days=settings.schedule.late_sweep_days), tz)[0], day_range(today, tz)[0]
    return day_range(today, tz)


def client_platforms(deps: FetchDeps, client: Client) -> list[str]:
    """The client's active platforms that can be collected (a platform without a RapidAPI key is
    skipped quietly: the missing key is reported once, at start-up and in the run's note)."""
    active = [p for p, on in (("instagram", client.fetches_instagram), ("tiktok", client.fetches_tiktok)) if on]
    missing = missing_keys(deps.settings)
    return [p for p in active if p not in missing]


async def _collect_and_merge(deps: FetchDeps, platform: str, client: Client, phase: Phase, start: datetime,
                             end: datetime, seen_at: datetime) -> _Collected:
    got = await _collect_platform(deps, platform, client, phase, start, end, seen_at)
    if got.engagement.listings:
        got.merged = await store_engagement(deps.pool, platform, got.engagement.listings, seen_at)
    return got


async def collect_client(deps: FetchDeps, client: Client, phase: Phase, *, now: datetime,
                         deadline: datetime | None = None) -> ClientResult:
    """One client's collection for `phase`; "today" is `now`'s date in the configured zone.

    post_fetch: today's Instagram/TikTok posts are upserted (removals only on a
    complete, plausible answer), then likers/commenters of today's live posts are
    merged. engagement_only: only the likers/commenters. Each platform is isolated:
    an Instagram failure does not stop TikTok, and each merges as soon as it has
    its answer. At `deadline` (default: `[fetch] client_deadline_minutes` from
    now) unfinished platforms are stopped and the client is reported `timeout`.
    API and payload problems end up in `ok`/`error`/`warnings`; the function
    raises only for cancellation.
    """
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    began = time.monotonic()
    result = ClientResult(client_id=client.id, phase=phase)
    start, end = collection_range(deps.settings, phase, now)
    phase = "engagement_only" if phase == "late_sweep" else phase
    seen_at = deps.clock.now()
    deadline = deadline or seen_at + timedelta(minutes=deps.settings.fetch.client_deadline_minutes)
    errors: list[str] = []
    # DB trouble or a bug: this client fails, the cycle goes on
    async with guarded("collecting a client", log, client_id=client.id) as g:
        result.before = await _counts(deps, client.id, start, end)
        platforms = client_platforms(deps, client)
        tasks = {asyncio.ensure_future(_collect_and_merge(deps, p, client, phase, start, end, seen_at)): p
                 for p in platforms}
        remaining = max(0.0, (deadline - deps.clock.now()).total_seconds())
        done, pending = await asyncio.wait(tasks, timeout=remaining) if tasks else (set(), set())
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
            result.timed_out = True
            minutes = deps.settings.fetch.client_deadline_minutes
            errors.append(f"timeout: {', '.join(sorted(tasks[t] for t in pending))} not finished within the "
                          f"client deadline ({minutes:g} min)")
        for task in sorted(done, key=lambda t: platforms.index(tasks[t])):
            platform = tasks[task]
            if task.exception() is not None:
                exc = task.exception()
                log.error("collecting %s of %s failed", platform, client.id, exc_info=exc)
                errors.append(f"{platform}: unexpected {describe(exc)}")
                continue
            got = task.result()
            result.api_calls[platform] = got.api.calls if got.api else 0
            setattr(result, platform, got.changes)
            errors.extend(got.errors)
            result.warnings.extend(got.warnings)
            result.skipped_items += got.skipped_items
            if platform == "instagram":
                result.likes_written, result.likes_new = got.merged.seen, got.merged.new
            else:
                result.comments_written, result.comments_new = got.merged.seen, got.merged.new
        if deps.quota is not None:
            async with guarded("recording RapidAPI use", log, level="warning", client_id=client.id):
                await deps.quota.flush(deps.pool, deps.clock.now(), deps.reporter)
        if not platforms:
            result.warnings.append("client has no active Instagram or TikTok account with a RapidAPI key")
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
