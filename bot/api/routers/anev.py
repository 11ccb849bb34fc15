"""GET /api/dashboard/anev and /api/dashboard/anev/export (.xlsx): the Anev page and its download.

`time_range` = today | 7d | 30d | 90d | custom | all (custom needs `start_date`
and `end_date`; given dates always win). Client, scope and region resolve as
for the recaps (`client_id`, else `X-Client-Id`, else the token's). The
figures are `handlers/reports/anev.py`'s (the attendance engine per period and
per day), cached like the recaps so the page and its export agree.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from bot.api.deps import ApiDeps, get_deps, get_principal
from bot.api.errors import COMMON_ERRORS
from bot.api.page_periods import anev_period
from bot.api.periods import PeriodParams
from bot.api.rekap import EncodedBody, RekapRequest, resolve_rekap_request
from bot.api.render_anev import anev_payload
from bot.api.routers.social import accepts_gzip
from bot.api.schemas_anev import AnevResponse
from bot.api.security import Principal
from core.chat_port import XLSX_MIMETYPE
from handlers.reports.anev import Anev, build_anev
from handlers.reports.anev_excel import anev_workbook

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"], responses=COMMON_ERRORS)


@dataclass(frozen=True)
class AnevParams:
    time_range: str | None
    start_date: str | None
    end_date: str | None
    client_id: str | None
    role: str | None
    scope: str | None
    regional_id: str | None


def anev_params(
    time_range: str | None = Query(None, max_length=16, description="today, 7d (default), 30d, 90d, custom, all"),
    start_date: str | None = Query(None, max_length=32), end_date: str | None = Query(None, max_length=32),
    tanggal_mulai: str | None = Query(None, max_length=32, description="alias of start_date"),
    tanggal_selesai: str | None = Query(None, max_length=32, description="alias of end_date"),
    client_id: str | None = Query(None, max_length=64), role: str | None = Query(None, max_length=64),
    scope: str | None = Query(None, max_length=32), regional_id: str | None = Query(None, max_length=64),
) -> AnevParams:
    return AnevParams(time_range, start_date or tanggal_mulai, end_date or tanggal_selesai, client_id, role, scope,
                      regional_id)


async def _anev(request: Request, p: AnevParams, principal: Principal, deps: ApiDeps) -> tuple[Anev, str, RekapRequest]:
    kind, period = anev_period(p.time_range, p.start_date, p.end_date, deps.clock.now())
    cid = p.client_id or (request.headers.get("x-client-id") or "").strip()[:64] or None
    req = await resolve_rekap_request(deps, principal, client_id=cid, role=p.role, scope=p.scope,
                                      regional_id=p.regional_id,
                                      period=PeriodParams(start_date=period.first.isoformat(),
                                                          end_date=period.last.isoformat()))
    key = ("anev", req.client.id, req.scope.value, period, req.regional_id)
    anev = await deps.cache.get_or_compute(key, lambda: build_anev(
        deps.db, req.client, period, rules=deps.rules, scope=req.scope, regional_id=req.regional_id,
        tz=deps.settings.tz))
    return anev, kind, req


@router.get("/anev", response_model=AnevResponse, summary="Anev: totals, timeline, platforms, units, persons")
async def anev(request: Request, p: AnevParams = Depends(anev_params), principal: Principal = Depends(get_principal),
               deps: ApiDeps = Depends(get_deps)):
    result, kind, req = await _anev(request, p, principal, deps)
    # encoded directly (thousands of rows at directorate scale); the schema test checks it matches AnevResponse
    body = EncodedBody(orjson.dumps(anev_payload(result, time_range=kind, role=req.role, regional_id=req.regional_id)))
    if accepts_gzip(request):
        return Response(body.gzipped(), media_type="application/json",
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Response(body.plain, media_type="application/json", headers={"Vary": "Accept-Encoding"})


@router.get("/anev/export", response_class=Response, summary="Anev as an Excel workbook",
            responses={200: {"content": {XLSX_MIMETYPE: {}}, "description": "the .xlsx file"}})
async def anev_export(request: Request, p: AnevParams = Depends(anev_params),
                      principal: Principal = Depends(get_principal), deps: ApiDeps = Depends(get_deps)):
    result, _kind, _req = await _anev(request, p, principal, deps)
    document = await asyncio.to_thread(anev_workbook, result, deps.clock.now())
    return Response(document.data, media_type=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{document.filename}"'})
