"""GET /api/health: database, WhatsApp and scheduler state. No auth, no secrets, no numbers of people.

Other parts report by offering `health()` (sync or async) returning a dict with
at least `status` ("ok", "degraded", "down", …); a part without it shows
`{"status": "unknown"}`. Absent parts show `{"status": "not_running"}`.

The top-level `status` is `degraded` while any component is down, logged out
or degraded (WhatsApp disconnected, say) and `problems` names them; `success`
is false only when the database itself does not answer.
"""

from __future__ import annotations

import asyncio
import logging
import time

from fastapi import APIRouter, Depends

from bot.api.deps import ApiDeps, get_deps, maybe_await
from bot.api.render import iso
from bot.api.schemas import HealthResponse
from db.api_queries import database_ping

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["health"])

PROBE_TIMEOUT_SECONDS = 2.0
# a component in one of these states makes the whole service `degraded` (WhatsApp down, outbox stuck, …)
PROBLEM_STATES = frozenset({"down", "logged_out", "degraded"})
_SAFE_TYPES = (str, int, float, bool, type(None))


async def _database(deps: ApiDeps) -> dict:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(database_ping(deps.db), PROBE_TIMEOUT_SECONDS)
    except Exception as exc:  # a health probe reports, never raises
        return {"status": "down", "error": exc.__class__.__name__}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def _safe(report: object) -> dict:
    """Keep only plain scalar fields, so a part cannot leak objects (or secrets) by accident."""
    if not isinstance(report, dict):
        return {"status": "unknown"}
    out = {str(k): v for k, v in report.items() if isinstance(v, _SAFE_TYPES)
           and not any(w in str(k).lower() for w in ("secret", "token", "password", "key"))}
    out.setdefault("status", "unknown")
    out["status"] = str(out["status"])
    return out


async def _peer(part: object) -> dict:
    probe = getattr(part, "health", None)
    if probe is None:
        return {"status": "unknown"}
    try:
        return _safe(await asyncio.wait_for(maybe_await(probe()), PROBE_TIMEOUT_SECONDS))
    except Exception as exc:
        log.warning("health probe of %s failed: %s", getattr(part, "name", part), exc)
        return {"status": "down", "error": exc.__class__.__name__}


@router.get("/health", response_model=HealthResponse, summary="Service health (no authentication)")
async def health(deps: ApiDeps = Depends(get_deps)):
    components = {"database": await _database(deps), "whatsapp": {"status": "not_running"},
                  "scheduler": {"status": "not_running"}}
    for part in deps.peers():
        name = str(getattr(part, "name", "") or part.__class__.__name__)
        if name == "api":
            continue
        key = "whatsapp" if "whatsapp" in name.lower() else "scheduler" if "schedul" in name.lower() else name
        components[key] = await _peer(part)
    problems = [name for name, c in components.items() if c["status"] in PROBLEM_STATES]
    if components["database"]["status"] != "ok" and "database" not in problems:
        problems.insert(0, "database")
    return {"success": "database" not in problems, "status": "degraded" if problems else "ok",
            "problems": problems, "time": iso(deps.clock.now()), "components": components}
