"""`cicero doctor`: checks that say what is wrong and what to do about it.

Each check is a small async function returning a `Check`; nothing here
changes state (the database is opened without migrating).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from core.settings import Settings, jwt_secret_state
from db.bot_status import whatsapp_device_count
from core.clock import SystemClock
from jobs.quota import quota_report
from jobs.sources.rapidapi import missing_key_text, missing_keys
from db.migrate import migration_status
from db.pool import Database, DatabaseUnavailable, open_database
from db.embedded import EmbeddedDatabaseError
from db.embedded_handles import orphaned_postmaster

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""


def check_configuration(settings: Settings, file_found: bool, path: str) -> list[Check]:
    out = [Check("configuration", OK if file_found else WARN,
                 f"{path}" if file_found else f"{path} not found: defaults + environment",
                 "" if file_found else "cp config.example.toml config.toml and edit it")]
    if not settings.whatsapp.admins:
        out.append(Check("admin numbers", WARN, "[whatsapp] admins is empty: nobody can use the admin menu",
                         'set [whatsapp] admins = ["62812…"]'))
    state = jwt_secret_state(settings.api)
    if settings.api.enabled and state != "(set, hidden)":
        if state == "(the example value)":
            status, detail = (WARN if settings.is_development else FAIL), "api.jwt_secret is the example value"
        elif settings.is_development:
            status, detail = WARN, "api.jwt_secret is not set: development uses the example value"
        else:
            status, detail = WARN, "api.jwt_secret is not set: a random one is generated in var/jwt-secret"
        out.append(Check("jwt secret", status, detail,
                         "set CICERO_API__JWT_SECRET (or [api] jwt_secret_file) to a long random string"))
    for name in missing_keys(settings):
        out.append(Check(f"{name} key", WARN, f"{missing_key_text(name)}: {name} is not collected",
                         f"set CICERO_{name.upper()}__KEY, or [{name}] key_file"))
    return out


def check_embedded_orphan(settings: Settings) -> list[Check]:
    """An embedded PostgreSQL that runs with no cicero process using it (read before this run joins it)."""
    pid = orphaned_postmaster(settings.database.data_dir)
    if pid is None:
        return []
    return [Check("embedded postgres", WARN,
                  f"an orphaned embedded PostgreSQL (pid {pid}) runs in {settings.database.data_dir} with no cicero "
                  "process using it (a process ended without stopping it)",
                  "it is stopped when the last cicero process using it exits (this doctor run, if nothing else "
                  f"starts); to stop it now: kill {pid}")]


async def check_database(db: Database) -> list[Check]:
    checks = [Check("database", OK, db.description)]
    statuses = await migration_status(db.pool)
    pending = [s for s in statuses if s.state != "applied"]
    if pending:
        checks.append(Check("migrations", FAIL, f"{len(pending)} not applied: " +
                            ", ".join(f"{s.version} ({s.state})" for s in pending), "run `cicero db migrate`"))
    else:
        checks.append(Check("migrations", OK, f"{len(statuses)} applied"))
    return checks


async def check_quota(settings: Settings, db: Database) -> list[Check]:
    """Today's RapidAPI use per key with the projection, and whether the remaining quota is low."""
    out = []
    for line in await quota_report(db.pool, settings, SystemClock(settings.tz).now()):
        pct = line.remaining_percent
        low = pct is not None and pct < settings.fetch.quota_warn_percent
        remaining = "remaining not reported yet" if line.remaining is None else (
            f"{line.remaining:,} remaining" + (f" ({pct:.0f}%)" if pct is not None else ""))
        out.append(Check(f"{line.platform} quota", WARN if low else OK,
                         f"key {line.key_id}: {line.requests_today:,} requests today, projected "
                         f"{line.projected_today:,}; {remaining}",
                         "raise the plan on RapidAPI or fetch less often ([schedule])" if low else ""))
    return out


async def check_whatsapp_session(settings: Settings, db: Database | None) -> Check:
    if settings.whatsapp.transport == "console":
        return Check("whatsapp", OK, "console transport (no pairing needed)")
    if db is None:
        return Check("whatsapp", FAIL, "cannot check the session without the database")
    devices = await whatsapp_device_count(db.pool)
    if devices:
        return Check("whatsapp", OK, f"paired session stored in the database ({devices} device)")
    return Check("whatsapp", WARN, "not paired yet",
                 "run `cicero run` and scan the QR code, or `cicero run --pair-phone 62…` for a pair code")


async def check_rapidapi(settings: Settings, timeout: float = 5.0) -> list[Check]:
    out = []
    async with httpx.AsyncClient(timeout=timeout) as http:
        for name, section in (("instagram", settings.instagram), ("tiktok", settings.tiktok)):
            try:
                resp = await http.get(section.base_url, headers={"x-rapidapi-host": section.host})
                out.append(Check(f"{name} api", OK, f"{section.base_url} answered HTTP {resp.status_code}"))
            except httpx.HTTPError as exc:
                out.append(Check(f"{name} api", WARN,
                                 f"{section.base_url} unreachable ({exc.__class__.__name__}): offline or blocked",
                                 "check the network/firewall; collection will retry on schedule"))
    return out


async def check_broker(settings: Settings, timeout: float = 5.0) -> Check:
    if not settings.queue.url:
        return Check("queue", OK, "in-process (no broker configured)")
    import aio_pika

    try:
        conn = await asyncio.wait_for(aio_pika.connect(settings.queue.url), timeout)
        await conn.close()
    except Exception as exc:  # aio-pika raises many transport types
        return Check("queue", FAIL, f"RabbitMQ unreachable: {exc.__class__.__name__}: {exc}",
                     "start RabbitMQ or fix [queue] url (empty = in-process)")
    return Check("queue", OK, f"RabbitMQ reachable at {settings.queue.url.split('@')[-1]}")


async def run_checks(settings: Settings, file_found: bool, path: str) -> list[Check]:
    checks = check_configuration(settings, file_found, path) + check_embedded_orphan(settings)
    try:
        async with open_database(settings, migrate=False) as db:
            checks += await check_database(db)
            if all(c.status != FAIL for c in checks if c.name == "migrations"):
                checks += await check_quota(settings, db)
            checks.append(await check_whatsapp_session(settings, db))
    except (DatabaseUnavailable, EmbeddedDatabaseError) as exc:
        checks.append(Check("database", FAIL, str(exc), "fix [database] url or start PostgreSQL"))
        checks.append(await check_whatsapp_session(settings, None))
    checks += await check_rapidapi(settings)
    checks.append(await check_broker(settings))
    return checks
