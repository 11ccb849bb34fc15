"""Query parameters shared by the rekap, stats and post-history endpoints."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Query

from bot.api.periods import PeriodParams, period_params


@dataclass(frozen=True)
class ScopeParams:
    client_id: str | None
    role: str | None
    scope: str | None
    regional_id: str | None
    period: PeriodParams


def scope_params(
    client_id: str | None = Query(None, max_length=64, description="client; omitted for scope=DIREKTORAT + role"),
    role: str | None = Query(None, max_length=64, description="login role, e.g. operator, ditbinmas"),
    scope: str | None = Query(None, max_length=32, description="ORG or DIREKTORAT (any case)"),
    regional_id: str | None = Query(None, max_length=64, description="only personnel of clients in this region"),
    period: PeriodParams = Depends(period_params),
) -> ScopeParams:
    return ScopeParams(client_id, role, scope, regional_id, period)
