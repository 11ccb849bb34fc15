"""What `laporan`, `jadwal`, `status` and `cicero reports list` show: each subscription, whether it
can be sent now (or why not) and its next run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from core.settings import Settings
from db.clients import Client, list_clients
from db.report_subscriptions import Fire, Subscription, last_fires, list_subscriptions
from handlers.reports.catalog import REPORTS
from handlers.reports.subscriptions.recipients import Recipients, resolve_recipients
from handlers.reports.subscriptions.timing import Triggers


@dataclass(frozen=True)
class SubscriptionStatus:
    subscription: Subscription
    title: str
    recipients: Recipients
    inactive_reason: str | None          # None: it fires at its times
    next_run: datetime | None
    last_fire: Fire | None = None

    @property
    def active(self) -> bool:
        return self.inactive_reason is None


@dataclass(frozen=True)
class NextReportRun:
    at: datetime
    subscription_id: int
    title: str
    client_id: str
    inactive_reason: str | None


def report_title(report: str) -> str:
    spec = REPORTS.get(report)
    return spec.title if spec else report


def _target_reason(sub: Subscription, client: Client | None) -> str | None:
    """Why the report cannot be built for its client (None: it can)."""
    spec = REPORTS.get(sub.report)
    if spec is None:
        return f"laporan {sub.report} belum tersedia"
    if client is None:
        return f"client {sub.client_id} tidak ada"
    if not client.active:
        return f"client {client.id} nonaktif"
    if spec.directorate_only and not client.is_directorate:
        return f"laporan ini hanya untuk direktorat ({client.id} bukan direktorat)"
    return None


def unsendable_reason(sub: Subscription, client: Client | None, recipients: Recipients) -> str | None:
    """Why `sub` cannot be sent even by hand (`send-now`, `laporan kirim`): switched off or without
    times it still can; without a buildable report or a recipient it cannot."""
    return _target_reason(sub, client) or recipients.reason


def inactive_reason(sub: Subscription, client: Client | None, recipients: Recipients) -> str | None:
    """Why `sub` does not fire now (None: it does), in the words `laporan` shows."""
    if not sub.active:
        return "dinonaktifkan"
    return _target_reason(sub, client) or ("tidak ada jam kirim" if not sub.times else None) or recipients.reason


def status_of(sub: Subscription, clients: dict[str, Client], settings: Settings, triggers: Triggers,
              now: datetime, last_fire: Fire | None = None) -> SubscriptionStatus:
    client = clients.get(sub.client_id)
    recipients = resolve_recipients(sub.recipients, client, settings)
    return SubscriptionStatus(sub, report_title(sub.report), recipients, inactive_reason(sub, client, recipients),
                              triggers.next_slot(sub.times, now) if sub.times else None, last_fire)


async def subscription_status(pool: asyncpg.Pool, settings: Settings, now: datetime, *,
                              client_id: str | None = None) -> list[SubscriptionStatus]:
    """Every subscription (of `client_id`, when given) with its state and next run, by id."""
    subs = await list_subscriptions(pool, client_id=client_id)
    clients = {c.id: c for c in await list_clients(pool)}
    fires = await last_fires(pool, [s.id for s in subs])
    triggers = Triggers(settings)
    return [status_of(s, clients, settings, triggers, now, fires.get(s.id)) for s in subs]


async def next_report_runs(pool: asyncpg.Pool, settings: Settings, now: datetime, limit: int = 10, *,
                           include_inactive: bool = True) -> list[NextReportRun]:
    """The next `limit` report runs after `now`, soonest first (an inactive one carries its reason)."""
    subs = await list_subscriptions(pool)
    clients = {c.id: c for c in await list_clients(pool)}
    triggers = Triggers(settings)
    runs = []
    for sub in subs:
        state = status_of(sub, clients, settings, triggers, now)
        if state.next_run is None or (state.inactive_reason and not include_inactive):
            continue
        runs.append(NextReportRun(state.next_run, sub.id, state.title, sub.client_id, state.inactive_reason))
    runs.sort(key=lambda r: (r.at, r.subscription_id))
    return runs[:max(limit, 0)]
