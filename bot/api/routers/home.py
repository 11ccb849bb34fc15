"""GET /api/social/aggregator (and /api/aggregator): the dashboard home — profiles and the period's posts.

Everything comes from what Cicero stores (the collection cycle's posts and
profile figures); a page view never calls RapidAPI. The client is the token's
(the home page sends no client id), or `client_id` / `X-Client-Id` within the scope.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from bot.api.deps import ApiDeps, get_deps, get_principal
from bot.api.errors import COMMON_ERRORS
from bot.api.pages import page_client
from bot.api.periods import PeriodParams, period_params, resolve_period
from bot.api.render_pages import instagram_page_post, instagram_profile, tiktok_page_post, tiktok_profile
from bot.api.schemas_pages import AggregatorResponse
from bot.api.security import Principal
from db.api_queries import instagram_post_history, tiktok_post_history
from db.attendance import tasks_in_period
from db.profiles import latest_profile
from handlers.reports.attendance import Period, Platform, post_url

router = APIRouter(prefix="/api", tags=["home"], responses=COMMON_ERRORS)

MAX_POSTS = 200
_DOC = ("Profiles (`igProfile`, `tiktokProfile`: null when no figures were ever stored) and the period's posts "
        "with their counts (default today), plus the links of today's tasks.")


@router.get("/social/aggregator", response_model=AggregatorResponse, summary="Dashboard home data",
            description=_DOC)
@router.get("/aggregator", response_model=AggregatorResponse, summary="Alias of /api/social/aggregator",
            description=_DOC)
async def aggregator(request: Request, client_id: str | None = Query(None, max_length=64),
                     period: PeriodParams = Depends(period_params),
                     principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    client = await page_client(deps, principal, request, client_id)
    now = deps.clock.now()
    resolved = resolve_period(period, now)
    start, end = resolved.bounds(deps.settings.tz)
    ig_rows = await instagram_post_history(deps.db, [client.id], start, end, limit=MAX_POSTS)
    tt_rows = await tiktok_post_history(deps.db, [client.id], start, end, limit=MAX_POSTS)
    t_start, t_end = Period.today(now).bounds(deps.settings.tz)
    links = {}
    for platform, account in ((Platform.INSTAGRAM, client.instagram), (Platform.TIKTOK, client.tiktok)):
        tasks = await tasks_in_period(deps.db, platform.value, client.id, t_start, t_end)
        links[platform.value] = [post_url(platform, t.post_id, account) for t in tasks]
    ig_stored = await latest_profile(deps.db, client.id, "instagram") if client.instagram else None
    tt_stored = await latest_profile(deps.db, client.id, "tiktok") if client.tiktok else None
    return {"success": True, "data": {
        "client_id": client.id, "client_name": client.name, "periode": resolved.kind,
        "start_date": resolved.first.isoformat(), "end_date": resolved.last.isoformat(),
        "igProfile": instagram_profile(client, ig_stored) if ig_stored else None,
        "tiktokProfile": tiktok_profile(client, tt_stored) if tt_stored else None,
        "igPosts": [instagram_page_post(r) for r in ig_rows],
        "tiktokPosts": [tiktok_page_post(r, client.tiktok) for r in tt_rows],
        "taskLinksToday": links,
    }}
