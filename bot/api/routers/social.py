"""/api/insta/* and /api/tiktok/*: attendance recaps (from the engine) and post history."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.api.deps import ApiDeps, get_deps, get_principal
from bot.api.errors import COMMON_ERRORS
from bot.api.rekap import rekap_body, resolve_rekap_request
from bot.api.render import instagram_post, tiktok_post
from bot.api.routers.rekap_common import ScopeParams, scope_params
from bot.api.schemas import InstagramPostsResponse, RekapResponse, TiktokPostsResponse
from bot.api.security import Principal
from db.api_queries import instagram_post_history, tiktok_post_history
from handlers.reports.attendance import Platform

insta = APIRouter(prefix="/api/insta", tags=["instagram"], responses=COMMON_ERRORS)
instagram = APIRouter(prefix="/api/instagram", tags=["instagram"], responses=COMMON_ERRORS)
tiktok = APIRouter(prefix="/api/tiktok", tags=["tiktok"], responses=COMMON_ERRORS)

_REKAP_DOC = (
    "Rows in `data[]` (one per person, `client_id` on every row), counters at the root and in `summary`. "
    "Numbers come from the attendance engine (the same as the WhatsApp recaps)."
)


def accepts_gzip(request: Request) -> bool:
    return any(part.split(";")[0].strip().lower() == "gzip"
               for part in request.headers.get("accept-encoding", "").split(","))


async def _rekap(request: Request, params: ScopeParams, principal: Principal, deps: ApiDeps,
                 platform: Platform) -> Response:
    req = await resolve_rekap_request(deps, principal, client_id=params.client_id, role=params.role,
                                      scope=params.scope, regional_id=params.regional_id, period=params.period)
    body = await rekap_body(deps, req, platform)
    if accepts_gzip(request):
        return Response(body.gzipped(), media_type="application/json",
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Response(body.plain, media_type="application/json", headers={"Vary": "Accept-Encoding"})


@insta.get("/rekap-likes", response_model=RekapResponse, summary="Instagram likes attendance", description=_REKAP_DOC)
async def rekap_likes(request: Request, params: ScopeParams = Depends(scope_params),
                      principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    return await _rekap(request, params, principal, deps, Platform.INSTAGRAM)


@tiktok.get("/rekap-komentar", response_model=RekapResponse, summary="TikTok comments attendance",
            description=_REKAP_DOC)
async def rekap_komentar(request: Request, params: ScopeParams = Depends(scope_params),
                         principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    return await _rekap(request, params, principal, deps, Platform.TIKTOK)


async def _instagram_posts(params: ScopeParams, principal: Principal, deps: ApiDeps) -> dict:
    req = await resolve_rekap_request(deps, principal, client_id=params.client_id, role=params.role,
                                      scope=params.scope, regional_id=None, period=params.period)
    start, end = req.period.bounds(deps.settings.tz)
    rows = await instagram_post_history(deps.db, [req.client.id], start, end)
    return {"success": True, "start_date": req.period.first.isoformat(), "end_date": req.period.last.isoformat(),
            "data": [instagram_post(r) for r in rows]}


@insta.get("/posts", response_model=InstagramPostsResponse, summary="Instagram post history (default: today)")
async def insta_posts(params: ScopeParams = Depends(scope_params), principal: Principal = Depends(get_principal),
                      deps: ApiDeps = Depends(get_deps)):
    return await _instagram_posts(params, principal, deps)


@instagram.get("/posts", response_model=InstagramPostsResponse, summary="Alias of /api/insta/posts")
async def instagram_posts(params: ScopeParams = Depends(scope_params), principal: Principal = Depends(get_principal),
                          deps: ApiDeps = Depends(get_deps)):
    return await _instagram_posts(params, principal, deps)


@tiktok.get("/posts", response_model=TiktokPostsResponse, summary="TikTok post history (default: today)")
async def tiktok_posts(params: ScopeParams = Depends(scope_params), principal: Principal = Depends(get_principal),
                       deps: ApiDeps = Depends(get_deps)):
    req = await resolve_rekap_request(deps, principal, client_id=params.client_id, role=params.role,
                                      scope=params.scope, regional_id=None, period=params.period)
    start, end = req.period.bounds(deps.settings.tz)
    rows = await tiktok_post_history(deps.db, [req.client.id], start, end)
    return {"success": True, "start_date": req.period.first.isoformat(), "end_date": req.period.last.isoformat(),
            "data": [tiktok_post(r, req.client.tiktok) for r in rows]}
