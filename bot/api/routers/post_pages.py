"""The post pages' calls, served from stored data: /api/insta/rapid-profile|rapid-info|rapid-posts(-month)
and /api/tiktok/rapid-profile|rapid-info|rapid-posts.

The names are the dashboard's (they once proxied RapidAPI); the data is what
Cicero's collection stored. `username` names a client's account: a handle of no
client is 404, a handle of a client the token may not see is 403. TikTok's
`rapid-posts` also takes `client_id` (the page sends the login client).
Without `start_date`/`end_date` the posts are the latest `limit` ones.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Query, Request

from bot.api.deps import ApiDeps, get_deps, get_principal
from bot.api.errors import COMMON_ERRORS
from bot.api.pages import handle_owner, posts_owner
from bot.api.periods import PeriodParams, resolve_period
from bot.api.render_pages import (
    instagram_info, instagram_page_post, instagram_profile, tiktok_page_post, tiktok_profile,
)
from bot.api.schemas_pages import (
    InstagramInfoResponse, InstagramPagePostsResponse, InstagramProfileResponse, TiktokPagePostsResponse,
    TiktokProfileResponse,
)
from bot.api.security import Principal
from db.api_queries import instagram_post_history, tiktok_post_history
from db.clients import Client
from db.profiles import latest_profile
from handlers.reports.attendance import ALL_TIME_START, Period

insta = APIRouter(prefix="/api/insta", tags=["instagram"], responses=COMMON_ERRORS)
tiktok = APIRouter(prefix="/api/tiktok", tags=["tiktok"], responses=COMMON_ERRORS)

USERNAME = Query(..., min_length=1, max_length=100, description="the client's account handle")
MAX_LIMIT = 500


def _window(deps: ApiDeps, start_date: str | None, end_date: str | None) -> tuple[Period | None, tuple]:
    """The requested days as [start, end) instants; without dates: everything up to tomorrow."""
    now = deps.clock.now()
    if (start_date and start_date.strip()) or (end_date and end_date.strip()):
        period = resolve_period(PeriodParams(start_date=start_date, end_date=end_date), now)
        return period, period.bounds(deps.settings.tz)
    everything = Period.range(ALL_TIME_START, Period.today(now).last + timedelta(days=1))
    return None, everything.bounds(deps.settings.tz)


def _dates(period: Period | None) -> dict:
    return {"start_date": period.first.isoformat() if period else None,
            "end_date": period.last.isoformat() if period else None}


async def _instagram_posts(deps: ApiDeps, client: Client, limit: int, start_date, end_date) -> dict:
    period, (start, end) = _window(deps, start_date, end_date)
    rows = await instagram_post_history(deps.db, [client.id], start, end, limit=limit)
    return {"success": True, "client_id": client.id, **_dates(period), "data": [instagram_page_post(r) for r in rows]}


async def _stored(deps: ApiDeps, principal: Principal, platform: str, username: str, render) -> dict:
    client = await handle_owner(deps, principal, platform, username)
    return {"success": True, "data": render(client, await latest_profile(deps.db, client.id, platform))}


@insta.get("/rapid-profile", response_model=InstagramProfileResponse, summary="Stored Instagram profile figures")
async def insta_profile(username: str = USERNAME, principal: Principal = Depends(get_principal),
                        deps: ApiDeps = Depends(get_deps)):
    return await _stored(deps, principal, "instagram", username, instagram_profile)


@insta.get("/rapid-info", response_model=InstagramInfoResponse, summary="Stored Instagram account details")
async def insta_info(username: str = USERNAME, principal: Principal = Depends(get_principal),
                     deps: ApiDeps = Depends(get_deps)):
    return await _stored(deps, principal, "instagram", username, instagram_info)


@insta.get("/rapid-posts", response_model=InstagramPagePostsResponse, summary="Stored Instagram posts of an account")
async def insta_posts(username: str = USERNAME, limit: int = Query(50, ge=1, le=MAX_LIMIT),
                      start_date: str | None = Query(None, max_length=32),
                      end_date: str | None = Query(None, max_length=32),
                      principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    client = await handle_owner(deps, principal, "instagram", username)
    return await _instagram_posts(deps, client, limit, start_date, end_date)


@insta.get("/rapid-posts-month", response_model=InstagramPagePostsResponse,
           summary="Stored Instagram posts of an account this month")
async def insta_posts_month(username: str = USERNAME, principal: Principal = Depends(get_principal),
                            deps: ApiDeps = Depends(get_deps)):
    client = await handle_owner(deps, principal, "instagram", username)
    month = Period.this_month(deps.clock.now())
    return await _instagram_posts(deps, client, MAX_LIMIT, month.first.isoformat(), month.last.isoformat())


@tiktok.get("/rapid-profile", response_model=TiktokProfileResponse, summary="Stored TikTok profile figures")
@tiktok.get("/rapid-info", response_model=TiktokProfileResponse, summary="Stored TikTok account details")
async def tiktok_profile_page(username: str = USERNAME, principal: Principal = Depends(get_principal),
                              deps: ApiDeps = Depends(get_deps)):
    return await _stored(deps, principal, "tiktok", username, tiktok_profile)


@tiktok.get("/rapid-posts", response_model=TiktokPagePostsResponse,
            summary="Stored TikTok posts of a client (client_id) or an account (username)")
async def tiktok_posts(request: Request, username: str | None = Query(None, max_length=100),
                       client_id: str | None = Query(None, max_length=64),
                       limit: int = Query(50, ge=1, le=MAX_LIMIT), start_date: str | None = Query(None, max_length=32),
                       end_date: str | None = Query(None, max_length=32), principal: Principal = Depends(get_principal),
                       deps: ApiDeps = Depends(get_deps)):
    client = await posts_owner(deps, principal, request, "tiktok", username=username, client_id=client_id)
    period, (start, end) = _window(deps, start_date, end_date)
    rows = await tiktok_post_history(deps.db, [client.id], start, end, limit=limit)
    return {"success": True, "client_id": client.id, **_dates(period),
            "data": [tiktok_page_post(r, client.tiktok) for r in rows]}
