"""Instagram through RapidAPI (social-api4): posts of an account, likers of a post.

Payload shapes and field variants accepted (reference §2.1–2.2):

* posts: `GET /v1/posts?username_or_id_or_url=<account>[&pagination_token=…]` →
  `{"data": {"items": [...]}, "pagination_token": "…", "has_more": true}`;
  item fields `code`, `taken_at` (unix s), `caption.text` | string `caption`,
  `like_count`, `comment_count`, `thumbnail_url` | `thumbnail_src` | `display_url` |
  `image_versions.items[0].url`, `is_video`, `video_url` | `video_versions[0].url`,
  `carousel_media[]`, `is_pinned`.
* likers: `GET /v1/likes?code_or_id_or_url=<shortcode>[&cursor=…]` →
  `{"data": {"items": [{"username": "…"} | "…"], "next_cursor" | "end_cursor": "…", "has_more": …}}`.

A malformed item is skipped and counted; it never fails the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.profiles import Profile
from jobs.sources.rapidapi import (
    LISTING_MARGIN, ImplausiblePage, MalformedItem, NO_PAGE, Engagers, ItemError, PostListing, collect_page, fetch_page, RapidApiClient, RapidApiError, as_int, as_text, as_timestamp, clean_username, dedupe,
    all_plain_usernames, first_of, is_plain_username,
)

CLIENT = "instagram"
SHORTCODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
POSTS_PAGE_MAX = 50 + LISTING_MARGIN  # the posts call takes no count; pages are 12 (up to 50 seen)


@dataclass
class InstagramPost:
    shortcode: str
    taken_at: datetime
    caption: str | None = None
    like_count: int = 0
    comment_count: int = 0
    is_video: bool = False
    is_carousel: bool = False
    thumbnail_url: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    is_pinned: bool = False


def parse_post(item: Any) -> InstagramPost:
    """One `data.items[]` entry; ItemError when it has no usable shortcode or time."""
    if not isinstance(item, dict):
        raise ItemError(f"post item is {type(item).__name__}, not an object")
    code = item.get("code") or item.get("shortcode")
    if code is None or (isinstance(code, str) and not code.strip()):
        raise ItemError("post item without a shortcode")
    if not isinstance(code, str) or not SHORTCODE.fullmatch(code.strip()):
        raise MalformedItem(f"malformed shortcode {str(code)[:40]!r}")
    taken = as_timestamp(first_of(item, "taken_at", "taken_at_timestamp", "timestamp"))
    carousel = item.get("carousel_media")
    image = first_of(item, "image_versions.items.0.url", "display_url", "image_versions2.candidates.0.url")
    if not image and isinstance(carousel, list) and carousel and isinstance(carousel[0], dict):
        image = first_of(carousel[0], "image_versions.items.0.url", "display_url")
    media_type = as_int(item.get("media_type"), 0)
    return InstagramPost(
        shortcode=code.strip(),
        taken_at=taken,
        caption=as_text(item.get("caption")) or as_text(first_of(item, "edge_media_to_caption.edges.0.node.text")),
        like_count=as_int(first_of(item, "like_count", "edge_liked_by.count")),
        comment_count=as_int(first_of(item, "comment_count", "edge_media_to_comment.count")),
        is_video=bool(item.get("is_video")) or media_type == 2,
        is_carousel=bool(isinstance(carousel, list) and carousel) or media_type == 8,
        thumbnail_url=_url(first_of(item, "thumbnail_url", "thumbnail_src", "display_url",
                                    "image_versions.items.0.url")),
        image_url=_url(image),
        video_url=_url(first_of(item, "video_url", "video_versions.0.url")),
        is_pinned=bool(item.get("is_pinned") or item.get("pinned")),
    )


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def liker_username(entry: Any) -> str | None:
    """A liker entry is `{"username": …}` (or `user.username`) or a bare string."""
    if isinstance(entry, dict):
        raw = entry.get("username")
        if raw is None and isinstance(entry.get("user"), dict):
            raw = entry["user"].get("username")
        return clean_username(raw)
    return clean_username(entry)


async def account_posts(api: RapidApiClient, account: str, *, since: datetime) -> PostListing:
    """The account's posts newer than `since`, walking pages until an older post is seen.

    Raises RapidApiError when the first page cannot be had; a failure on a later
    page returns what was read, marked incomplete.
    """
    call = f"posts of {account}"
    listing = PostListing()
    seen: dict[str, InstagramPost] = {}
    token: str | None = None
    while True:
        params = {"username_or_id_or_url": account}
        if token:
            params["pagination_token"] = token
        body = await fetch_page(api, listing, call, "/v1/posts", params)
        if body is NO_PAGE:
            break
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            if listing.pages == 1:
                raise RapidApiError(CLIENT, call, "answer has no data object")
            listing.reason = f"page {listing.pages} has no data object"
            break
        items = body["data"].get("items")
        if not isinstance(items, list):
            items = []
        try:
            reached_older = collect_page(items, parse_post, since=since, seen=seen, listing=listing,
                                         posted_at=lambda p: p.taken_at, post_id=lambda p: p.shortcode,
                                         max_items=POSTS_PAGE_MAX)
        except ImplausiblePage as exc:
            if listing.pages == 1:
                raise RapidApiError(CLIENT, call, f"implausible page: {exc}") from None
            listing.reason = f"page {listing.pages} rejected: {exc}"
            break
        has_more = bool(body.get("has_more", body["data"].get("has_more")))
        token = body.get("pagination_token") or body["data"].get("pagination_token") or body.get("end_cursor")
        if reached_older or not has_more:
            listing.complete = True
            break
        if not token:
            listing.reason = "more posts promised but no pagination token"
            break
        if not items:
            listing.reason = "empty page while more posts were promised"
            break
    listing.posts = list(seen.values())
    return listing


async def post_likers(api: RapidApiClient, shortcode: str) -> Engagers:
    """Every liker the API lists for a post, up to the page cap.

    Raises RapidApiError when the first page fails; later failures return a partial list.
    """
    call = f"likers of {shortcode}"
    result = Engagers()
    names: list[str] = []
    cursor: str | None = None
    while True:
        params = {"code_or_id_or_url": shortcode}
        if cursor:
            params["cursor"] = cursor
        body = await fetch_page(api, result, call, "/v1/likes", params)
        if body is NO_PAGE:
            break
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            if result.pages == 1:
                raise RapidApiError(CLIENT, call, "answer has no data object")
            result.reason = f"page {result.pages} has no data object"
            break
        items = data.get("items")
        if not isinstance(items, list):
            items = []
        try:
            raws = [entry["username"] for entry in items]
        except (TypeError, KeyError):
            raws = None
        if raws is not None and all_plain_usernames(raws):  # the common case: one check for the page
            names += raws
            items_left = ()
        else:
            items_left = items
        for entry in items_left:
            raw = entry.get("username") if entry.__class__ is dict else None
            if raw.__class__ is str and is_plain_username(raw):  # the common case, kept cheap
                names.append(raw)
                continue
            name = liker_username(entry)
            if name is None:
                result.skipped += 1
            else:
                names.append(name)
        cursor = data.get("next_cursor") or data.get("end_cursor")
        has_more = data.get("has_more")
        has_more = bool(cursor) if has_more is None else bool(has_more)
        if not has_more or not items:
            result.complete = not has_more
            if has_more:
                result.reason = "empty page while more likers were promised"
            break
        if not cursor:
            result.reason = "more likers promised but no cursor"
            break
    result.usernames = dedupe(names)
    return result


def parse_profile(account: str, data: Any) -> Profile:
    """The figures of `GET /v1/info` (`data` object); missing fields stay None."""
    if not isinstance(data, dict):
        raise ItemError("profile answer has no data object")
    return Profile(
        username=clean_username(data.get("username")) or account,
        display_name=as_text(data.get("full_name")),
        followers=_count(first_of(data, "follower_count", "edge_followed_by.count")),
        following=_count(first_of(data, "following_count", "edge_follow.count")),
        post_count=_count(first_of(data, "media_count", "edge_owner_to_timeline_media.count")),
        bio=as_text(data.get("biography")),
        avatar_url=_url(first_of(data, "profile_pic_url_hd", "hd_profile_pic_url_info.url", "profile_pic_url")),
    )


def _count(value: Any) -> int | None:
    return None if value is None else as_int(value)


async def account_profile(api: RapidApiClient, account: str) -> Profile:
    """Followers, following, posts, name, bio and avatar of an account (one call)."""
    call = f"profile of {account}"
    body = await api.get_json(call, "/v1/info", {"username_or_id_or_url": account})
    try:
        return parse_profile(account, body.get("data") if isinstance(body, dict) else None)
    except ItemError as exc:
        raise RapidApiError(CLIENT, call, str(exc)) from None
