"""TikTok through RapidAPI (tiktok-api23): secUid lookup, posts of a user, comments of a video.

Payload shapes and field variants accepted (reference §2.4–2.6):

* secUid: `GET /api/user/info?uniqueId=<user>` → `{"userInfo": {"user": {"secUid": "…"}}}`.
* posts: `GET /api/user/posts?secUid=<s>&cursor=<c>&count=35` → the payload object is
  `body.data` | `body.result` | `body` (JSON-decoded when it is a string); the list is
  the first array among `itemList`, `items`, `result.videos`, `videos`; paging by
  `cursor` + `hasMore`. Item fields: `id` | `video_id` | `aweme_id`; `createTime` |
  `create_time` | `timestamp` | `create_at`; `desc` | `caption` | `title`;
  `stats.diggCount` | `digg_count` | `like_count` | `stats.likeCount`;
  `stats.commentCount` | `comment_count` | `stats.comments`.
* comments: `GET /api/post/comments?videoId=<id>&count=50&cursor=<n>` →
  `{"data": {"comments": [{"user": {"unique_id": "…"}}], "total": 120}}` (or top-level
  `comments`/`total`); offset paging `cursor + count` while `next <= total`.
  Username `user.unique_id` | `user.uniqueId` | `username`; replies included when present.

A malformed item is skipped and counted; it never fails the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.profiles import Profile
from jobs.sources.rapidapi import (
    LISTING_MARGIN, ImplausiblePage, MalformedItem, NO_PAGE, Engagers, ItemError, PostListing, collect_page, fetch_page, RapidApiClient, RapidApiError, as_int, as_text, as_timestamp, clean_username, dedupe,
    all_plain_usernames, first_of, is_plain_username, maybe_json,
)

CLIENT = "tiktok"
POSTS_PAGE_SIZE = 35
COMMENTS_PAGE_SIZE = 50


@dataclass
class TikTokPost:
    video_id: str
    created_at: datetime
    caption: str | None = None
    like_count: int = 0
    comment_count: int = 0
    share_count: int = 0
    view_count: int = 0
    cover_url: str | None = None
    is_pinned: bool = False


def parse_post(item: Any) -> TikTokPost:
    if not isinstance(item, dict):
        raise ItemError(f"video item is {type(item).__name__}, not an object")
    vid = first_of(item, "id", "video_id", "aweme_id")
    if isinstance(vid, int) and not isinstance(vid, bool):
        vid = str(vid)
    if vid is None or (isinstance(vid, str) and not vid.strip()):
        raise ItemError("video item without an id")
    if not isinstance(vid, str) or not (vid.strip().isascii() and vid.strip().isdecimal()) or len(vid.strip()) > 32:
        raise MalformedItem(f"malformed video id {str(vid)[:40]!r}")
    created = as_timestamp(first_of(item, "createTime", "create_time", "timestamp", "create_at"))
    cover = first_of(item, "video.cover", "cover", "video.originCover", "origin_cover")
    return TikTokPost(
        video_id=vid.strip(),
        created_at=created,
        caption=as_text(first_of(item, "desc", "caption", "title")),
        like_count=as_int(first_of(item, "stats.diggCount", "digg_count", "like_count", "stats.likeCount")),
        comment_count=as_int(first_of(item, "stats.commentCount", "comment_count", "stats.comments")),
        share_count=as_int(first_of(item, "stats.shareCount", "share_count")),
        view_count=as_int(first_of(item, "stats.playCount", "play_count", "view_count")),
        cover_url=cover if isinstance(cover, str) and cover.strip() else None,
        is_pinned=bool(item.get("isPinnedItem") or item.get("is_top") or item.get("isPinned")),
    )


def _payload_object(body: Any) -> dict | None:
    if not isinstance(body, dict):
        return None
    obj = maybe_json(body.get("data") or body.get("result") or body)
    return obj if isinstance(obj, dict) else None


def _video_list(body: dict, obj: dict) -> list | None:
    for candidate in (obj.get("itemList"), obj.get("items"), first_of(body, "result.videos"), obj.get("videos")):
        if isinstance(candidate, list):
            return candidate
    return None


@dataclass(frozen=True)
class UserInfo:
    secuid: str
    profile: Profile


def parse_user_info(username: str, body: Any) -> UserInfo | None:
    """`GET /api/user/info`: the secUid and the profile figures; None when the answer has no secUid."""
    if not isinstance(body, dict):
        return None
    user = first_of(body, "userInfo.user", "data.user", "user")
    stats = first_of(body, "userInfo.stats", "data.stats", "stats")
    if not isinstance(user, dict):
        return None
    sec = user.get("secUid")
    if not isinstance(sec, str) or not sec.strip():
        return None
    stats = stats if isinstance(stats, dict) else {}

    def count(key: str) -> int | None:
        return None if stats.get(key) is None else as_int(stats.get(key))

    avatar = first_of(user, "avatarLarger", "avatarMedium", "avatarThumb")
    return UserInfo(sec.strip(), Profile(
        username=clean_username(user.get("uniqueId")) or username.lstrip("@"),
        display_name=as_text(user.get("nickname")), followers=count("followerCount"),
        following=count("followingCount"), post_count=count("videoCount"), bio=as_text(user.get("signature")),
        avatar_url=avatar if isinstance(avatar, str) and avatar.strip() else None,
    ))


async def user_info(api: RapidApiClient, username: str) -> UserInfo:
    """The secUid and profile figures of a TikTok user (one call); RapidApiError when it has no secUid."""
    call = f"secUid of {username}"
    body = await api.get_json(call, "/api/user/info", {"uniqueId": username.lstrip("@")})
    info = parse_user_info(username, body)
    if info is None:
        raise RapidApiError(CLIENT, call, "answer has no userInfo.user.secUid")
    return info


async def lookup_secuid(api: RapidApiClient, username: str) -> str:
    """The secUid of a TikTok user; RapidApiError when the answer has none."""
    return (await user_info(api, username)).secuid


async def user_posts(api: RapidApiClient, secuid: str, *, since: datetime, label: str | None = None) -> PostListing:
    """The user's videos newer than `since`; pages until an older (non-pinned) video or the end."""
    call = f"posts of {label or secuid}"
    listing = PostListing()
    seen: dict[str, TikTokPost] = {}
    cursor: str | int = 0
    while True:
        body = await fetch_page(api, listing, call, "/api/user/posts",
                                {"secUid": secuid, "cursor": cursor, "count": POSTS_PAGE_SIZE})
        if body is NO_PAGE:
            break
        obj = _payload_object(body)
        items = _video_list(body, obj) if obj is not None else None
        if items is None:
            if listing.pages == 1:
                raise RapidApiError(CLIENT, call, "answer has no video list (itemList/items/videos)")
            listing.reason = f"page {listing.pages} has no video list"
            break
        try:
            reached_older = collect_page(items, parse_post, since=since, seen=seen, listing=listing,
                                         posted_at=lambda p: p.created_at, post_id=lambda p: p.video_id,
                                         max_items=POSTS_PAGE_SIZE + LISTING_MARGIN)
        except ImplausiblePage as exc:
            if listing.pages == 1:
                raise RapidApiError(CLIENT, call, f"implausible page: {exc}") from None
            listing.reason = f"page {listing.pages} rejected: {exc}"
            break
        has_more = obj.get("hasMore", obj.get("has_more"))
        next_cursor = obj.get("cursor")
        if reached_older or not has_more:
            listing.complete = True
            break
        if next_cursor in (None, "", cursor):
            listing.reason = "more videos promised but no new cursor"
            break
        if not items:
            listing.reason = "empty page while more videos were promised"
            break
        cursor = next_cursor
    listing.posts = list(seen.values())
    return listing


def _comment_usernames(comment: Any, out: list[str]) -> bool:
    """Append the commenter (and repliers) of one comment; False when it has no usable name."""
    if not isinstance(comment, dict):
        return False
    user = comment.get("user")
    raw = None
    if isinstance(user, dict):
        raw = user.get("unique_id") or user.get("uniqueId") or user.get("username")
    if raw is None:
        raw = first_of(comment, "username", "author.unique_id", "author.uniqueId")
    name = clean_username(raw)
    if name is not None:
        out.append(name)
    for key in ("reply_comment", "replies"):
        replies = comment.get(key)
        if isinstance(replies, list):
            for reply in replies:
                _comment_usernames(reply, out)
    return name is not None


async def video_commenters(api: RapidApiClient, video_id: str, *, page_size: int = COMMENTS_PAGE_SIZE) -> Engagers:
    """Every commenter the API lists for a video, up to the page cap."""
    call = f"comments of {video_id}"
    result = Engagers()
    names: list[str] = []
    cursor = 0
    while True:
        body = await fetch_page(api, result, call, "/api/post/comments",
                                {"videoId": video_id, "count": page_size, "cursor": cursor})
        if body is NO_PAGE:
            break
        if not isinstance(body, dict):
            if result.pages == 1:
                raise RapidApiError(CLIENT, call, "answer is not an object")
            result.reason = f"page {result.pages} is not an object"
            break
        data = maybe_json(body.get("data")) if body.get("data") is not None else body
        if not isinstance(data, dict):
            data = body
        comments = data.get("comments")
        if comments is None:
            comments = body.get("comments")
        if not isinstance(comments, list):
            comments = []
        total = data.get("total", body.get("total"))
        total = as_int(total, -1) if total is not None else None
        try:
            raws = [c["user"]["unique_id"] for c in comments if not (c.get("reply_comment") or c.get("replies"))]
        except (TypeError, KeyError, AttributeError):
            raws = None
        plain = raws is not None and len(raws) == len(comments) and all_plain_usernames(raws)
        if plain:  # the common case: no replies, every name in stored form, one check for the page
            names += raws
        for comment in () if plain else comments:
            if comment.__class__ is dict and "reply_comment" not in comment and "replies" not in comment:
                user = comment.get("user")
                raw = user.get("unique_id") if user.__class__ is dict else None
                if raw.__class__ is str and is_plain_username(raw):  # the common case, kept cheap
                    names.append(raw)
                    continue
            if not _comment_usernames(comment, names):
                result.skipped += 1
        if not comments:
            result.complete = True
            break
        has_more = data.get("has_more", data.get("hasMore"))
        next_cursor = cursor + len(comments) if len(comments) < page_size else cursor + page_size
        api_cursor = data.get("cursor")
        if isinstance(api_cursor, (int, str)) and str(api_cursor).isdigit() and int(api_cursor) > cursor:
            next_cursor = int(api_cursor)
        if has_more is not None and not has_more:
            result.complete = True
            break
        if total is not None and total >= 0 and next_cursor >= total:
            result.complete = True
            break
        cursor = next_cursor
    result.usernames = dedupe(names)
    return result
