"""Stored profiles and posts → the shapes the dashboard's home and post pages read. No queries here.

The names are the RapidAPI-era names the dashboard expects (`follower_count`,
`userInfo.stats.followerCount`, `stats.diggCount`, `createTime`…); the values
are what Cicero stored. A figure never fetched is null, never a made-up zero;
Instagram view and share counts are not collected and read 0.
"""

from __future__ import annotations

from db.api_queries import InstagramPostRow, TiktokPostRow
from db.clients import Client
from db.profiles import StoredProfile
from bot.api.render import iso
from handlers.reports.attendance import Platform, post_url


def _stored(stored: StoredProfile | None, handle: str):
    if stored is None:
        return handle, None, None, None, None, None, None, None
    p = stored.profile
    return (p.username or handle, p.display_name, p.followers, p.following, p.post_count, p.bio, p.avatar_url,
            iso(stored.fetched_at))


def instagram_profile(client: Client, stored: StoredProfile | None) -> dict:
    username, name, followers, following, posts, bio, avatar, fetched = _stored(stored, client.instagram or "")
    return {
        "username": username, "full_name": name, "followers": followers, "follower_count": followers,
        "following": following, "following_count": following, "post_count": posts, "media_count": posts,
        "bio": bio, "biography": bio, "profile_pic_url": avatar, "profile_pic_url_hd": avatar,
        "client_id": client.id, "fetched_at": fetched,
    }


def instagram_info(client: Client, stored: StoredProfile | None) -> dict:
    profile = instagram_profile(client, stored)
    return {
        "username": profile["username"], "full_name": profile["full_name"], "media_count": profile["media_count"],
        "post_count": profile["post_count"], "follower_count": profile["follower_count"],
        "following_count": profile["following_count"], "biography": profile["biography"], "external_url": "",
        "bio_links": [], "client_id": client.id, "fetched_at": profile["fetched_at"],
    }


def tiktok_profile(client: Client, stored: StoredProfile | None) -> dict:
    username, name, followers, following, videos, bio, avatar, fetched = _stored(stored, client.tiktok or "")
    return {
        "username": username, "nickname": name, "full_name": name, "followers": followers,
        "follower_count": followers, "following": following, "following_count": following, "video_count": videos,
        "bio": bio, "signature": bio, "avatar": avatar, "avatar_url": avatar,
        "userInfo": {
            "user": {"uniqueId": username, "nickname": name, "signature": bio, "avatarLarger": avatar,
                     "avatarMedium": avatar},
            "stats": {"followerCount": followers, "followingCount": following, "videoCount": videos},
        },
        "client_id": client.id, "fetched_at": fetched,
    }


def _media_type(r: InstagramPostRow) -> str:
    return "carousel" if r.is_carousel else "video" if r.is_video else "image"


def instagram_page_post(r: InstagramPostRow) -> dict:
    url = post_url(Platform.INSTAGRAM, r.shortcode, None)
    thumbnail = r.thumbnail_url or r.image_url
    kind = _media_type(r)
    return {
        "id": r.shortcode, "shortcode": r.shortcode, "client_id": r.client_id, "created_at": iso(r.posted_at),
        "type": kind, "media_type": kind, "is_video": r.is_video, "caption": r.caption, "like_count": r.like_count,
        "comment_count": r.comment_count, "share_count": 0, "view_count": 0, "recorded_likes": r.recorded_likes,
        "thumbnail": thumbnail, "thumbnail_url": thumbnail, "image_url": r.image_url, "permalink": url, "url": url,
    }


def tiktok_page_post(r: TiktokPostRow, account: str | None) -> dict:
    url = post_url(Platform.TIKTOK, r.video_id, account)
    return {
        "id": r.video_id, "video_id": r.video_id, "aweme_id": r.video_id, "client_id": r.client_id,
        "created_at": iso(r.posted_at), "createTime": int(r.posted_at.timestamp()), "type": "video",
        "caption": r.caption, "desc": r.caption, "like_count": r.like_count, "digg_count": r.like_count,
        "comment_count": r.comment_count, "share_count": r.share_count, "view_count": r.view_count,
        "play_count": r.view_count, "recorded_comments": r.recorded_comments, "thumbnail": r.cover_url,
        "cover": r.cover_url, "thumbnail_url": r.cover_url,
        "stats": {"diggCount": r.like_count, "commentCount": r.comment_count, "shareCount": r.share_count,
                  "playCount": r.view_count},
        "video": {"cover": r.cover_url}, "share_url": url, "url": url,
    }
