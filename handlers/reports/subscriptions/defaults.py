"""The default subscriptions that reproduce the original's daily rhythm (`[reports]` times).

| family           | client                 | reports                                   | recipients          |
|------------------|------------------------|-------------------------------------------|---------------------|
| dir_group        | `[reports] directorate` | combined_recap (21), engagement_ranking_excel (22) | group       |
| dir_leaders      | the directorate        | ig_likes_simple (6), tt_comments_simple (9), kasat_binmas_ig_likes (34), kasat_binmas_tt_comments (35) | super_admins |
| dir_operator     | the directorate        | kasatker_report (30)                      | operators           |
| org_engagement   | every active org client | ig_likes_by_division, tt_comments_by_division | group, operators |
| org_completeness | every active org client | completeness_recap                        | group, operators    |
| admins           | the directorate        | completeness_recap (1), executive_summary (2) | admins          |

Seeded at the service's start (and hourly, for clients added meanwhile), not
in a migration, because the times and the directorate are settings. Each
default has a `default_key` recorded in `report_subscription_defaults` the
first time it is seeded and never seeded again — an admin who removed it,
switched it off or changed it keeps that. A default follows its `[reports]`
list (`times_setting`) until an admin sets its times. A default whose report
is not in the catalog yet is seeded anyway and listed as inactive with the
reason until the report exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from core.settings import Settings
from db.audit import Actor
from db.clients import get_client, list_clients
from db.report_subscriptions import add_subscription, default_keys_seeded, sync_setting_times
from handlers.reports.catalog import REPORTS

SEED_ACTOR = Actor("system:report-defaults", "system")
SEED_LOCK_ID = 0x43525054  # "CRPT"


@dataclass(frozen=True)
class DefaultFamily:
    name: str
    setting: str                       # the [reports] list of times
    reports: tuple[str, ...]
    recipients: tuple[str, ...]
    scope: str                         # "directorate" | "org"
    skip_if_empty: bool
    period: str = "today"


FAMILIES: tuple[DefaultFamily, ...] = (
    DefaultFamily("dir_group", "group_recap_times", ("combined_recap", "engagement_ranking_excel"), ("group",),
                  "directorate", skip_if_empty=False),
    DefaultFamily("dir_leaders", "leader_times",
                  ("ig_likes_simple", "tt_comments_simple", "kasat_binmas_ig_likes", "kasat_binmas_tt_comments"),
                  ("super_admins",), "directorate", skip_if_empty=False),
    DefaultFamily("dir_operator", "operator_times", ("kasatker_report",), ("operators",), "directorate",
                  skip_if_empty=False),
    # 200 groups told "no tasks today" three times a day is noise: org recaps skip an empty day
    DefaultFamily("org_engagement", "org_engagement_times", ("ig_likes_by_division", "tt_comments_by_division"),
                  ("group", "operators"), "org", skip_if_empty=True),
    DefaultFamily("org_completeness", "org_completeness_times", ("completeness_recap",), ("group", "operators"),
                  "org", skip_if_empty=True),
    DefaultFamily("admins", "admin_times", ("completeness_recap", "executive_summary"), ("admins",), "directorate",
                  skip_if_empty=False),
)
DEFAULT_REPORT_IDS = frozenset(r for f in FAMILIES for r in f.reports)


def setting_key(family: DefaultFamily) -> str:
    return f"reports.{family.setting}"


def default_key(family: DefaultFamily, client_id: str, report: str) -> str:
    return f"{family.name}:{client_id}:{report}"


@dataclass(frozen=True)
class SeedResult:
    added: int = 0
    retimed: int = 0                   # defaults whose times followed a changed [reports] list


async def seed_defaults(pool: asyncpg.Pool, settings: Settings, now: datetime) -> SeedResult:
    """Add every default not seeded before; bring the untouched defaults' times in line with settings."""
    added = retimed = 0
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SEED_LOCK_ID)  # two processes seed once
        seeded = await default_keys_seeded(conn)
        directorate = await get_client(conn, settings.reports.directorate) if settings.reports.directorate else None
        orgs = [c for c in await list_clients(conn, active_only=True, type="org")]
        for family in FAMILIES:
            times = list(getattr(settings.reports, family.setting))
            retimed += await sync_setting_times(conn, setting_key(family), times)
            if not times or not settings.reports.seed_defaults:
                continue
            clients = orgs if family.scope == "org" else ([directorate] if directorate else [])
            for client in clients:
                for report in family.reports:
                    key = default_key(family, client.id, report)
                    if key in seeded:
                        continue
                    await add_subscription(
                        conn, report=report, client_id=client.id, recipients=family.recipients, times=times,
                        period=family.period, skip_if_empty=family.skip_if_empty, actor=SEED_ACTOR,
                        known_reports=set(REPORTS) | DEFAULT_REPORT_IDS, now=now, default_key=key,
                        times_setting=setting_key(family))
                    added += 1
    return SeedResult(added, retimed)
