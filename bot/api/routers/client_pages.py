"""GET /api/clients/active and GET /api/clients/{id}/summary (the executive summary).

Registered before the clients router, so `active` is not read as a client id.
The summary's figures come from the attendance engine through the rekap
request resolution (same client, scope and regional rules as the recaps).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from bot.api.deps import ApiDeps, get_deps, get_principal, may_see
from bot.api.errors import COMMON_ERRORS
from bot.api.page_periods import summary_period
from bot.api.periods import PeriodParams
from bot.api.rekap import resolve_rekap_request
from bot.api.render import client_profile
from bot.api.render_summary import summary_payload
from bot.api.schemas_pages import ActiveClientsResponse, SummaryResponse
from bot.api.security import Principal
from db.clients import list_clients
from handlers.reports.summary import build_summary

router = APIRouter(prefix="/api/clients", tags=["clients"], responses=COMMON_ERRORS)

_SUMMARY_DOC = ("Period: `start_date`+`end_date` (a whole month reads as that month), else `month`/`period` "
                "(YYYY-MM), else `periode` (`monthly`, `bulanan`, …); default this month. Figures, highlights and "
                "narratives (Indonesian) come from the attendance definitions, compared with the period before.")


@router.get("/active", response_model=ActiveClientsResponse, summary="Active clients visible to this token")
async def active_clients(principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    visible = [c for c in await list_clients(deps.db, active_only=True) if may_see(principal, c)]
    return {"success": True, "data": [client_profile(c) for c in visible]}


@router.get("/{client_id}/summary", response_model=SummaryResponse, summary="Executive summary of a client",
            description=_SUMMARY_DOC)
async def client_summary(
    client_id: str,
    month: str | None = Query(None, max_length=16), period: str | None = Query(None, max_length=16),
    period_scope: str | None = Query(None, max_length=16), periode: str | None = Query(None, max_length=16),
    tanggal: str | None = Query(None, max_length=32), start_date: str | None = Query(None, max_length=32),
    end_date: str | None = Query(None, max_length=32), scope: str | None = Query(None, max_length=32),
    role: str | None = Query(None, max_length=64), regional_id: str | None = Query(None, max_length=64),
    principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps),
):
    wanted = summary_period(month=month, period=period, period_scope=period_scope, periode=periode, tanggal=tanggal,
                            start_date=start_date, end_date=end_date, now=deps.clock.now())
    req = await resolve_rekap_request(deps, principal, client_id=client_id[:64], role=role, scope=scope,
                                      regional_id=regional_id,
                                      period=PeriodParams(start_date=wanted.first.isoformat(),
                                                          end_date=wanted.last.isoformat()))
    summary = await build_summary(deps.db, req.client, wanted, rules=deps.rules, scope=req.scope,
                                  regional_id=req.regional_id, tz=deps.settings.tz)
    return summary_payload(summary)
