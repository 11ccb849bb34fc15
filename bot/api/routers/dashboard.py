"""GET /api/dashboard/stats: counts for the dashboard cards — the recaps' people counted (`personnel`) and tasks."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from bot.api.deps import ApiDeps, get_deps, get_principal, may_see
from bot.api.errors import COMMON_ERRORS
from bot.api.rekap import resolve_rekap_request
from bot.api.routers.rekap_common import ScopeParams, scope_params
from bot.api.schemas import StatsResponse
from bot.api.security import Principal
from db.attendance import count_population, tasks_in_period
from db.clients import list_clients
from handlers.reports.attendance import population

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"], responses=COMMON_ERRORS)


@router.get("/stats", response_model=StatsResponse, summary="Personnel and post counts for the period")
async def stats(params: ScopeParams = Depends(scope_params), principal: Principal = Depends(get_principal),
                deps: ApiDeps = Depends(get_deps)):
    req = await resolve_rekap_request(deps, principal, client_id=params.client_id, role=params.role,
                                      scope=params.scope, regional_id=params.regional_id, period=params.period)
    start, end = req.period.bounds(deps.settings.tz)
    ig = await tasks_in_period(deps.db, "instagram", req.client.id, start, end)
    tt = await tasks_in_period(deps.db, "tiktok", req.client.id, start, end)
    users = await count_population(deps.db, population(req.client, req.scope, req.regional_id))
    clients = sum(1 for c in await list_clients(deps.db) if may_see(principal, c))
    return {"success": True, "data": {
        "client_id": req.client.id, "role": req.role or principal.role, "scope": req.scope_label,
        "regional_id": req.regional_id or req.client.regional_id, "periode": req.period.kind,
        "start_date": req.period.first.isoformat(), "end_date": req.period.last.isoformat(),
        "clients": clients, "users": users, "igPosts": len(ig), "ttPosts": len(tt),
    }}
