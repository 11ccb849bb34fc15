"""Queries for `account_profiles`: a client's account figures per platform and Jakarta day.

The collection cycle stores what the RapidAPI profile call returns (at most one
call per client and platform per post-fetch run); the dashboard's home and post
pages read the latest row and the daily history. Nothing here calls RapidAPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from db.pool import Executor


@dataclass(frozen=True)
class Profile:
    """The figures of one account as the API reported them (None: not reported)."""

    username: str
    display_name: str | None = None
    followers: int | None = None
    following: int | None = None
    post_count: int | None = None
    bio: str | None = None
    avatar_url: str | None = None


@dataclass(frozen=True)
class StoredProfile:
    client_id: str
    platform: str
    day: date
    profile: Profile
    fetched_at: datetime


def _stored(r) -> StoredProfile:
    return StoredProfile(r["client_id"], r["platform"], r["day"],
                         Profile(r["username"], r["display_name"], r["followers"], r["following"], r["post_count"],
                                 r["bio"], r["avatar_url"]),
                         r["fetched_at"])


async def store_profile(db: Executor, client_id: str, platform: str, profile: Profile, *, day: date,
                        fetched_at: datetime) -> None:
    """Keep the day's latest figures (a later fetch the same day replaces the earlier one)."""
    await db.execute(
        """INSERT INTO account_profiles (client_id, platform, day, username, display_name, followers, following,
                                         post_count, bio, avatar_url, fetched_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (client_id, platform, day) DO UPDATE SET
               username = EXCLUDED.username, display_name = EXCLUDED.display_name,
               followers = EXCLUDED.followers, following = EXCLUDED.following,
               post_count = EXCLUDED.post_count, bio = EXCLUDED.bio, avatar_url = EXCLUDED.avatar_url,
               fetched_at = EXCLUDED.fetched_at
           WHERE account_profiles.fetched_at <= EXCLUDED.fetched_at""",
        client_id, platform, day, profile.username, profile.display_name, profile.followers, profile.following,
        profile.post_count, profile.bio, profile.avatar_url, fetched_at,
    )


async def latest_profile(db: Executor, client_id: str, platform: str) -> StoredProfile | None:
    r = await db.fetchrow(
        """SELECT * FROM account_profiles WHERE client_id = $1 AND platform = $2
           ORDER BY day DESC LIMIT 1""",
        client_id, platform,
    )
    return _stored(r) if r else None


async def profile_history(db: Executor, client_id: str, platform: str, first: date, last: date) -> list[StoredProfile]:
    """One row per day with figures between `first` and `last` (inclusive), oldest first."""
    rows = await db.fetch(
        """SELECT * FROM account_profiles WHERE client_id = $1 AND platform = $2 AND day BETWEEN $3 AND $4
           ORDER BY day""",
        client_id, platform, first, last,
    )
    return [_stored(r) for r in rows]
