"""Rekap requests: dashboard parameters → attendance engine → contract JSON (cached briefly).

The numbers come from `handlers.reports.attendance.build_attendance` — the same
builder as the WhatsApp recaps (the optional regional filter is part of the
population it counts). This module only decides which client, scope, region and
period a request means, and caches the encoded body (orjson) for
`ApiDeps.rekap_cache_seconds` (single-flight per key).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import orjson

from bot.api.deps import ApiDeps, client_in_scope, requested_client_id
from bot.api.errors import ApiError
from bot.api.periods import PeriodParams, resolve_period
from bot.api.render import rekap_payload
from bot.api.security import Principal
from db.clients import Client
from handlers.reports.attendance import Period, Platform, Scope, build_attendance, collector_paused, default_scope

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


@dataclass
class EncodedBody:
    """A rendered JSON body; its gzip form is compressed when first asked for, then kept (a cached body is
    compressed once and served many times; an uncached one only when the client accepts gzip)."""

    plain: bytes
    _gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.plain, compresslevel=GZIP_LEVEL, mtime=0)
        return self._gzipped


GZIP_LEVEL = 1  # JSON of repeated keys compresses almost as well at 1 as at 5, in half the time


async def _render(deps: ApiDeps, req: RekapRequest, platform: Platform) -> EncodedBody:
    report = await build_attendance(deps.db, req.client, req.period, platform, rules=deps.rules, scope=req.scope,
                                    regional_id=req.regional_id, tz=deps.settings.tz)
    with collector_paused():
        return EncodedBody(orjson.dumps(rekap_payload(report)))


async def rekap_body(deps: ApiDeps, req: RekapRequest, platform: Platform) -> EncodedBody:
    key = ("rekap", platform.value, req.client.id, req.scope.value, req.period, req.regional_id)
    return await deps.cache.get_or_compute(key, lambda: _render(deps, req, platform))
