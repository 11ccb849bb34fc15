"""Queries for `report_subscriptions` and `report_fires`: scheduled reports as data.

A subscription names a report (an action id of `handlers/reports/catalog.REPORTS`),
a client, recipient specs (resolved at send time from the client record by
`handlers/reports/subscriptions/recipients.py`), times (local `HH:MM` or a
five-field cron), a period name and two flags. Every add, change and removal is
audited (`record_change`) in the same transaction.

Input is checked here before it is stored (`SubscriptionError` names the field
and the reason, in Indonesian as `str(exc)` and in English as `.english`), so
the CLI and WhatsApp refuse the same things the same way. The report id is
checked against the ids the caller passes (`known_reports`), since this layer
does not import the report catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Collection, Sequence

from core.formats import FormatError, normalize_client_id, normalize_group_id, normalize_phone
from core.settings import validate_cron
from db.audit import Actor, record_change
from db.clients import get_client
from db.pool import Executor

RECIPIENT_WORDS = ("group", "super_admins", "operators", "admins")
RECIPIENT_PREFIXES = ("group:", "number:")
PERIODS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month")
MAX_RECIPIENTS = 20
MAX_TIMES = 24
MAX_SPEC_CHARS = 80
_HHMM = re.compile(r"^(\d{1,2})[:.](\d{2})$")


class SubscriptionError(ValueError):
    """A subscription that cannot be stored; `str(exc)` is Indonesian, `.english` English."""

    def __init__(self, indonesian: str, english: str):
        super().__init__(indonesian)
        self.english = english


@dataclass(frozen=True)
class Subscription:
    id: int
    report: str
    client_id: str
    recipients: tuple[str, ...]
    times: tuple[str, ...]
    period: str
    active: bool
    skip_if_empty: bool
    default_key: str | None = None        # set on a default seeded from [reports]
    times_setting: str | None = None      # the [reports] key the times follow, until an admin sets them
    created_by: str = ""
    created_at: datetime | None = None
    changed_by: str = ""
    changed_at: datetime | None = None    # catch-up never fires a slot before this

    def audit_fields(self) -> dict:
        return {"report": self.report, "client_id": self.client_id, "recipients": list(self.recipients),
                "times": list(self.times), "period": self.period, "active": self.active,
                "skip_if_empty": self.skip_if_empty}


def _subscription(row) -> Subscription:
    return Subscription(
        id=row["id"], report=row["report"], client_id=row["client_id"], recipients=tuple(row["recipients"]),
        times=tuple(row["times"]), period=row["period"], active=row["active"], skip_if_empty=row["skip_if_empty"],
        default_key=row["default_key"], times_setting=row["times_setting"], created_by=row["created_by"],
        created_at=row["created_at"], changed_by=row["changed_by"], changed_at=row["changed_at"],
    )


# --------------------------------------------------------------------------- validation

def normalize_time(raw: str) -> str:
    """`HH:MM` (also `H.MM`) as `HH:MM`, or a five-field cron expression as given."""
    text = str(raw).strip()
    if len(text) > MAX_SPEC_CHARS:
        raise SubscriptionError(f"jam tidak valid: {text[:20]!r}… (terlalu panjang)",
                                f"invalid time {text[:20]!r}… (too long)")
    m = _HHMM.match(text)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            return f"{hour:02d}:{minute:02d}"
        raise SubscriptionError(f"jam tidak valid: {text!r} (00:00–23:59)", f"invalid time {text!r} (00:00-23:59)")
    if len(text.split()) == 5:
        try:
            return validate_cron(text)
        except ValueError as exc:
            raise SubscriptionError(f"cron tidak valid: {exc}", f"malformed cron: {exc}") from None
    raise SubscriptionError(f"jam tidak valid: {text!r} (tulis HH:MM, mis. 18:20, atau cron 5 kolom)",
                            f"invalid time {text!r} (write HH:MM such as 18:20, or a five-field cron)")


def normalize_times(values: Sequence[str]) -> tuple[str, ...]:
    if len(values) > MAX_TIMES:
        raise SubscriptionError(f"terlalu banyak jam (maks. {MAX_TIMES})", f"too many times (at most {MAX_TIMES})")
    out = tuple(dict.fromkeys(normalize_time(v) for v in values if str(v).strip()))
    return out


def normalize_recipient(raw: str) -> str:
    """A recipient spec in its stored form; SubscriptionError for anything else."""
    text = str(raw).strip()
    if len(text) > MAX_SPEC_CHARS:
        raise SubscriptionError(f"penerima tidak valid: {text[:20]!r}… (terlalu panjang)",
                                f"invalid recipient {text[:20]!r}… (too long)")
    word = text.lower()
    if word in RECIPIENT_WORDS:
        return word
    kind, sep, value = text.partition(":")
    kind = kind.strip().lower()
    if sep and kind == "group":
        try:
            return f"group:{normalize_group_id(value)}"
        except FormatError as exc:
            raise SubscriptionError(f"penerima {text!r}: {exc}", f"recipient {text!r}: invalid group id") from None
    if sep and kind == "number":
        try:
            return f"number:{normalize_phone(value)}"
        except FormatError as exc:
            raise SubscriptionError(f"penerima {text!r}: {exc}", f"recipient {text!r}: invalid number") from None
    choices = ", ".join((*RECIPIENT_WORDS, "group:<id>@g.us", "number:<62…>"))
    raise SubscriptionError(f"penerima tidak dikenal: {text!r} (pilihan: {choices})",
                            f"unknown recipient {text!r} (one of: {choices})")


def normalize_recipients(values: Sequence[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(normalize_recipient(v) for v in values if str(v).strip()))
    if not out:
        raise SubscriptionError("penerima wajib diisi", "at least one recipient is needed")
    if len(out) > MAX_RECIPIENTS:
        raise SubscriptionError(f"terlalu banyak penerima (maks. {MAX_RECIPIENTS})",
                                f"too many recipients (at most {MAX_RECIPIENTS})")
    return out


def normalize_period(raw: str) -> str:
    text = str(raw).strip().lower()
    if text not in PERIODS:
        raise SubscriptionError(f"periode tidak dikenal: {raw!r} (pilihan: {', '.join(PERIODS)})",
                                f"unknown period {raw!r} (one of: {', '.join(PERIODS)})")
    return text


def check_report(report: str, known_reports: Collection[str]) -> str:
    text = str(report).strip()
    if text not in known_reports:
        raise SubscriptionError(f"laporan tidak dikenal: {text[:40]!r} (lihat cicero reports catalog)",
                                f"unknown report action id {text[:40]!r} (see cicero reports catalog)")
    return text


async def check_client(db: Executor, client_id: str) -> str:
    try:
        cid = normalize_client_id(client_id)
    except FormatError as exc:
        raise SubscriptionError(f"client tidak valid: {exc}", f"invalid client id {client_id!r}") from None
    if await get_client(db, cid) is None:
        raise SubscriptionError(f"client {cid} tidak ada", f"unknown client {cid}")
    return cid


def _actor(actor: str | Actor) -> Actor:
    if isinstance(actor, Actor):
        return actor
    if actor.startswith("cli:"):
        return Actor(actor, "cli")
    return Actor(actor, "whatsapp" if actor.isdigit() else "system")


# --------------------------------------------------------------------------- reads

async def list_subscriptions(db: Executor, *, client_id: str | None = None,
                             active_only: bool = False) -> list[Subscription]:
    rows = await db.fetch(
        """SELECT * FROM report_subscriptions
           WHERE ($1::text IS NULL OR client_id = $1) AND (NOT $2 OR active)
           ORDER BY id""", client_id, active_only)
    return [_subscription(r) for r in rows]


async def get_subscription(db: Executor, id: int) -> Subscription | None:
    if not 0 < int(id) < 2 ** 63:
        return None
    row = await db.fetchrow("SELECT * FROM report_subscriptions WHERE id = $1", int(id))
    return _subscription(row) if row else None


async def default_keys_seeded(db: Executor) -> set[str]:
    return {r["default_key"] for r in await db.fetch("SELECT default_key FROM report_subscription_defaults")}


# --------------------------------------------------------------------------- writes

async def add_subscription(db: Executor, *, report: str, client_id: str, recipients: Sequence[str],
                           times: Sequence[str], period: str = "today", active: bool = True,
                           skip_if_empty: bool = False, actor: str | Actor, known_reports: Collection[str],
                           now: datetime | None = None, default_key: str | None = None,
                           times_setting: str | None = None) -> Subscription:
    """Validate and insert one subscription (audited); SubscriptionError names what is wrong."""
    report = check_report(report, known_reports)
    client_id = await check_client(db, client_id)
    who = _actor(actor)
    clean_times = normalize_times(times)
    if not clean_times and times_setting is None:
        raise SubscriptionError("jam kirim wajib diisi (mis. 18:20)", "at least one time is needed (e.g. 18:20)")
    row = await db.fetchrow(
        """INSERT INTO report_subscriptions (report, client_id, recipients, times, period, active, skip_if_empty,
                                             default_key, times_setting, created_by, created_at, changed_by,
                                             changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE($11, now()), $10, COALESCE($11, now()))
           RETURNING *""",
        report, client_id, list(normalize_recipients(recipients)), list(clean_times), normalize_period(period),
        active, skip_if_empty, default_key, times_setting, who.name, now)
    sub = _subscription(row)
    if default_key:
        await db.execute("""INSERT INTO report_subscription_defaults (default_key, seeded_at)
                            VALUES ($1, COALESCE($2, now())) ON CONFLICT DO NOTHING""", default_key, now)
    await record_change(db, who, action="report_subscription.add", entity="report_subscription",
                        entity_id=str(sub.id), client_id=sub.client_id, before=None, after=sub.audit_fields(),
                        at=now)
    return sub


async def update_subscription(db: Executor, id: int, *, actor: str | Actor, known_reports: Collection[str],
                              now: datetime | None = None, report: str | None = None,
                              client_id: str | None = None, recipients: Sequence[str] | None = None,
                              times: Sequence[str] | None = None, period: str | None = None,
                              active: bool | None = None, skip_if_empty: bool | None = None) -> Subscription | None:
    """Change the given fields (audited); None when there is no such subscription.

    Setting `times` detaches the subscription from its `[reports]` setting: the
    admin's times stay whatever the settings say later.
    """
    old = await get_subscription(db, id)
    if old is None:
        return None
    fields = {
        "report": check_report(report, known_reports) if report is not None else old.report,
        "client_id": await check_client(db, client_id) if client_id is not None else old.client_id,
        "recipients": list(normalize_recipients(recipients)) if recipients is not None else list(old.recipients),
        "times": list(normalize_times(times)) if times is not None else list(old.times),
        "period": normalize_period(period) if period is not None else old.period,
        "active": old.active if active is None else active,
        "skip_if_empty": old.skip_if_empty if skip_if_empty is None else skip_if_empty,
    }
    if times is not None and not fields["times"]:
        raise SubscriptionError("jam kirim wajib diisi (mis. 18:20)", "at least one time is needed (e.g. 18:20)")
    if fields == old.audit_fields():
        return old
    who = _actor(actor)
    row = await db.fetchrow(
        """UPDATE report_subscriptions
           SET report = $2, client_id = $3, recipients = $4, times = $5, period = $6, active = $7,
               skip_if_empty = $8, times_setting = CASE WHEN $9 THEN NULL ELSE times_setting END,
               changed_by = $10, changed_at = COALESCE($11, now())
           WHERE id = $1 RETURNING *""",
        old.id, fields["report"], fields["client_id"], fields["recipients"], fields["times"], fields["period"],
        fields["active"], fields["skip_if_empty"], times is not None, who.name, now)
    new = _subscription(row)
    await record_change(db, who, action="report_subscription.set", entity="report_subscription",
                        entity_id=str(new.id), client_id=new.client_id, before=old.audit_fields(),
                        after=new.audit_fields(), at=now)
    return new


async def set_active(db: Executor, id: int, active: bool, *, actor: str | Actor,
                     now: datetime | None = None) -> Subscription | None:
    """Switch one subscription on or off (audited); None when there is no such subscription.

    Pass `now` from the service clock: catch-up never fires a slot before the
    moment a subscription was (re)activated.
    """
    old = await get_subscription(db, id)
    if old is None:
        return None
    if old.active == active:
        return old
    who = _actor(actor)
    row = await db.fetchrow(
        """UPDATE report_subscriptions SET active = $2, changed_by = $3, changed_at = COALESCE($4, now())
           WHERE id = $1 RETURNING *""", old.id, active, who.name, now)
    new = _subscription(row)
    await record_change(db, who, action="report_subscription.active", entity="report_subscription",
                        entity_id=str(new.id), client_id=new.client_id, before={"active": old.active},
                        after={"active": new.active}, at=now)
    return new


async def remove_subscription(db: Executor, id: int, *, actor: str | Actor,
                              now: datetime | None = None) -> Subscription | None:
    """Delete one subscription (audited; a removed default is never seeded again)."""
    row = await db.fetchrow("DELETE FROM report_subscriptions WHERE id = $1 RETURNING *", int(id))
    if row is None:
        return None
    old = _subscription(row)
    await record_change(db, _actor(actor), action="report_subscription.remove",
                        entity="report_subscription", entity_id=str(old.id), client_id=old.client_id,
                        before=old.audit_fields(), after=None, at=now)
    return old


async def sync_setting_times(db: Executor, times_setting: str, times: Sequence[str]) -> int:
    """Give every subscription that still follows `times_setting` those times; how many changed.

    Not audited and `changed_at` is kept: the times are the configuration's,
    no person changed the subscription.
    """
    result = await db.execute(
        """UPDATE report_subscriptions SET times = $2
           WHERE times_setting = $1 AND times <> $2""", times_setting, list(times))
    return int(result.split()[-1])


# --------------------------------------------------------------------------- fires

@dataclass(frozen=True)
class Fire:
    subscription_id: int
    slot_at: datetime
    fired_at: datetime
    outcome: str
    queued: int
    error: str | None


async def claim_fire(conn: Executor, subscription_id: int, slot_at: datetime, *, now: datetime) -> bool:
    """Take the slot (inside the caller's transaction); False when it was fired already.

    A second process claiming the same slot waits for this transaction and then
    gets False; a rolled-back claim leaves the slot free for catch-up.
    """
    got = await conn.fetchval(
        """INSERT INTO report_fires (subscription_id, slot_at, fired_at, outcome)
           VALUES ($1, $2, $3, 'queued') ON CONFLICT DO NOTHING RETURNING 1""", subscription_id, slot_at, now)
    return got is not None


async def finish_fire(conn: Executor, subscription_id: int, slot_at: datetime, *, outcome: str, queued: int,
                      error: str | None = None) -> None:
    await conn.execute(
        """UPDATE report_fires SET outcome = $3, queued = $4, error = $5
           WHERE subscription_id = $1 AND slot_at = $2""", subscription_id, slot_at, outcome, queued,
        error[:500] if error else None)


async def fired_slots(db: Executor, since: datetime) -> set[tuple[int, datetime]]:
    """(subscription id, slot) of every fire after `since`."""
    rows = await db.fetch("SELECT subscription_id, slot_at FROM report_fires WHERE slot_at > $1", since)
    return {(r["subscription_id"], r["slot_at"]) for r in rows}


async def last_fires(db: Executor, ids: Sequence[int]) -> dict[int, Fire]:
    """The latest fire of each subscription in `ids`."""
    rows = await db.fetch(
        """SELECT DISTINCT ON (subscription_id) * FROM report_fires
           WHERE subscription_id = ANY($1::bigint[]) ORDER BY subscription_id, slot_at DESC""", list(ids))
    return {r["subscription_id"]: Fire(r["subscription_id"], r["slot_at"], r["fired_at"], r["outcome"],
                                       r["queued"], r["error"]) for r in rows}
