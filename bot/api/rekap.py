"""Rekap requests: dashboard parameters → attendance engine → contract JSON (cached briefly).

The numbers come from `handlers.reports.attendance.build_attendance` — the same
builder as the WhatsApp recaps (the optional regional filter is part of the
population it counts). This module only decides which client, scope, region and
period a request means, and caches the encoded body for `ApiDeps.rekap_cache_seconds` (single-flight per key).
"""

from __future__ import annotations

import asyncio
import gzip
import json
from dataclasses import dataclass

from bot.api.deps import ApiDeps, client_in_scope, requested_client_id
from bot.api.errors import ApiError
from bot.api.periods import PeriodParams, resolve_period
from bot.api.render import rekap_payload
from bot.api.security import Principal
from db.clients import Client
from handlers.reports.attendance import Period, Platform, Scope, build_attendance, default_scope

SCOPES = ("org", "direktorat")


@dataclass(frozen=True)
class RekapRequest:
    client: Client
    scope: Scope
    period: Period
    regional_id: str | None
    role: str | None

    @property
    def scope_label(self) -> str:
        return "direktorat" if self.scope is Scope.DIRECTORATE else "org"


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


async def resolve_rekap_request(
    deps: ApiDeps, principal: Principal, *, client_id: str | None, role: str | None, scope: str | None,
    regional_id: str | None, period: PeriodParams,
) -> RekapRequest:
    scope_text = (_clean(scope) or "").lower() or None
    if scope_text is not None and scope_text not in SCOPES:
        raise ApiError(422, f"scope tidak valid: {scope!r} (ORG atau DIREKTORAT)", "validation_error")
    client = await client_in_scope(deps, principal, requested_client_id(principal, client_id, scope=scope_text, role=role))
    if scope_text == "direktorat" and client.is_directorate:
        engine_scope = Scope.DIRECTORATE
    elif scope_text == "org":
        engine_scope = Scope.CLIENT
    else:
        engine_scope = default_scope(client)
    resolved = resolve_period(period, deps.clock.now())
    regional = _clean(regional_id)
    return RekapRequest(client, engine_scope, resolved, regional.upper() if regional else None,
                        (_clean(role) or "").lower() or None)


@dataclass(frozen=True)
class EncodedBody:
    """A rendered JSON body, plain and gzip-compressed (compressed once, served many times)."""

    plain: bytes
    gzipped: bytes


def _encode(payload: dict) -> EncodedBody:
    plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return EncodedBody(plain, gzip.compress(plain, compresslevel=5, mtime=0))


async def _render(deps: ApiDeps, req: RekapRequest, platform: Platform) -> EncodedBody:
    report = await build_attendance(deps.db, req.client, req.period, platform, rules=deps.rules, scope=req.scope,
                                    regional_id=req.regional_id, tz=deps.settings.tz)
    return await asyncio.to_thread(_encode, rekap_payload(report))


async def rekap_body(deps: ApiDeps, req: RekapRequest, platform: Platform) -> EncodedBody:
    key = ("rekap", platform.value, req.client.id, req.scope.value, req.period, req.regional_id)
    return await deps.cache.get_or_compute(key, lambda: _render(deps, req, platform))
