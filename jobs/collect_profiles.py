"""One client's account profile per platform: followers, following, post count, name, bio, avatar.

At most one extra RapidAPI call per client and platform per post-fetch run, and
only when the stored figures of today are older than `[fetch]
profile_refresh_minutes` (0: every post-fetch run). A TikTok run that had to
look up the secUid already holds the figures (the same call answers both) and
stores them without a call. A failed profile call is a warning: it never fails
the client. Stored per Jakarta day with `db/profiles.py` (the dashboard reads them).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.clock import local_day
from db.profiles import Profile, latest_profile, store_profile
from jobs.fetch_model import FetchDeps
from jobs.sources.instagram import account_profile
from jobs.sources.rapidapi import RapidApiClient, RapidApiError
from jobs.sources.tiktok import user_info


async def profile_due(deps: FetchDeps, client_id: str, platform: str, now: datetime) -> bool:
    stored = await latest_profile(deps.pool, client_id, platform)
    if stored is None or stored.day != local_day(now, deps.settings.tz):
        return True
    return now - stored.fetched_at >= timedelta(minutes=deps.settings.fetch.profile_refresh_minutes)


async def refresh_profile(deps: FetchDeps, api: RapidApiClient, platform: str, client_id: str, account: str,
                          seen_at: datetime, *, known: Profile | None = None) -> str | None:
    """Store the account's figures (fetched when due, or `known` from this run); a warning text on failure."""
    profile = known
    if profile is None:
        if not await profile_due(deps, client_id, platform, seen_at):
            return None
        try:
            if platform == "instagram":
                profile = await account_profile(api, account)
            else:
                profile = (await user_info(api, account)).profile
        except RapidApiError as exc:
            return f"{platform} profile not refreshed: {exc}"
    await store_profile(deps.pool, client_id, platform, profile, day=local_day(seen_at, deps.settings.tz),
                        fetched_at=seen_at)
    return None
