"""Task notifications after each client's collection: change detection, the hourly slot, the outbox.

Decision for one client (`decide`):

| state readable | slot due (hour in window, slot ≠ last_notified_slot) | change | result |
|---|---|---|---|
| yes | yes | any | the scheduled task list (`forceScheduled`), today's changes embedded |
| yes | no  | yes | change messages (new IG, new TikTok, removed) |
| yes | no  | no  | nothing |
| no  | —   | yes | change messages only (from this run's ClientResult); admin error |
| no  | —   | no  | nothing; admin error |

Slot key `YYYY-MM-DD-HH@MM` (Asia/Jakarta, MM = `[notify] anchor_minute`): a
run before the anchor minute belongs to the previous hour's slot (06:03 →
`…-05@05`; 17:05 and 17:30 → `…-17@05`; 00:03 → previous day `…-23@05`). The
slot is due when both the current hour and the slot's hour are inside
`[notify] window_start_hour..window_end_hour`, so 18:00–18:04 (slot 17) sends
no list.

The messages and the new state are written in ONE transaction with the state
row locked: `last_notified_slot` advances only if the messages are durably in
the outbox. Idempotency keys: `task_scheduled:<client>:<group>:<slot>` and
`task_change:<client>:<group>:<Jakarta date>:<part>:<hash of the post ids>`, so
a re-run (or the change-only fallback followed by a recovered state) never
queues the same change twice in a day, while the same change on another day
is sent again (the original suppressed it forever).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Awaitable, Callable

import asyncpg

from core.boundary import guarded, report_safely
from core.settings import Settings
from db.clients import Client, get_client
from db.notification_state import (
    NotificationState, TaskPost, posts_by_ids, save_state, state_for_update, todays_task_posts,
)
from core.clock import Clock, day_range, local_day
from jobs.outbox import enqueue
from core.reporting import Reporter
from jobs.task_messages import Changes, change_messages, scheduled_list_message

log = logging.getLogger(__name__)

KIND_SCHEDULED = "task_scheduled"
KIND_CHANGE = "task_change"
SCHEDULED_CAPTION_CHARS = 60


class StateUnavailable(Exception):
    """notification_state could not be read or written."""


def slot_start(now: datetime, anchor_minute: int, tz) -> datetime:
    """The local hour the slot of `now` belongs to (truncated to the hour)."""
    local = now.astimezone(tz)
    if local.minute < anchor_minute:
        local -= timedelta(hours=1)
    return local.replace(minute=0, second=0, microsecond=0)


def slot_key(now: datetime, anchor_minute: int = 5, tz=None) -> str:
    """`YYYY-MM-DD-HH@05` in Asia/Jakarta (h23; midnight handled by date arithmetic)."""
    from core.clock import JAKARTA

    start = slot_start(now, anchor_minute, tz or JAKARTA)
    return f"{start:%Y-%m-%d-%H}@{anchor_minute:02d}"


def slot_in_window(now: datetime, settings: Settings) -> bool:
    n = settings.notify
    local = now.astimezone(settings.tz)
    start = slot_start(now, n.anchor_minute, settings.tz)
    return (n.window_start_hour <= local.hour <= n.window_end_hour
            and n.window_start_hour <= start.hour <= n.window_end_hour)


def detect_changes(state: NotificationState | None, instagram: list[TaskPost], tiktok: list[TaskPost],
                   today) -> Changes:
    """New and removed posts of `today` against the ids last notified (for the same day)."""
    same_day = state is not None and state.state_day == today
    before_ig = set(state.notified_instagram) if same_day else set()
    before_tt = set(state.notified_tiktok) if same_day else set()
    now_ig = {p.post_id for p in instagram}
    now_tt = {p.post_id for p in tiktok}
    return Changes(
        instagram_added=[p for p in instagram if p.post_id not in before_ig],
        tiktok_added=[p for p in tiktok if p.post_id not in before_tt],
        instagram_removed=sorted(before_ig - now_ig),
        tiktok_removed=sorted(before_tt - now_tt),
    )


@dataclass(frozen=True)
class Decision:
    kind: str | None  # "scheduled" | "change" | None
    reason: str


def decide(*, state_ok: bool, state: NotificationState | None, slot: str, slot_due_now: bool,
           changes: Changes) -> Decision:
    hourly = state_ok and slot_due_now and (state is None or state.last_notified_slot != slot)
    if hourly:
        detail = "tanpa perubahan" if not changes.notable else f"dengan perubahan: {changes.summary()}"
        return Decision("scheduled", f"daftar tugas terjadwal slot {slot} ({detail})")
    if changes.notable:
        return Decision("change", f"perubahan: {changes.summary()}")
    return Decision(None, "tidak ada perubahan dan bukan waktu daftar terjadwal")


@dataclass
class NotifyOutcome:
    client_id: str
    decision: str | None  # scheduled | change | None
    reason: str  # for the log
    slot: str
    queued: int = 0  # new outbox rows
    already_queued: int = 0  # idempotency hits (queued by an earlier run)
    state_ok: bool = True
    messages: list[str] = field(default_factory=list)
    changes: str = ""  # "+2 IG, -1 TikTok" when the message carries changes
    slot_at: datetime | None = None  # the hour the scheduled list belongs to
    no_group: bool = False  # a message was due but the client has no WhatsApp group


def _digest(ids: list[str]) -> str:
    return hashlib.sha256("\x00".join(sorted(ids)).encode()).hexdigest()[:16]


def _messages_for(decision: Decision, client: Client, now: datetime, slot: str, instagram, tiktok,
                  changes: Changes, settings: Settings) -> list[tuple[str, str, str]]:
    """[(kind, key suffix, text)] for every group."""
    if decision.kind == "scheduled":
        text = scheduled_list_message(client.name, now, instagram, tiktok, changes, client.tiktok,
                                      caption_chars=min(SCHEDULED_CAPTION_CHARS, settings.notify.caption_chars),
                                      max_chars=settings.whatsapp.max_message_chars)
        return [(KIND_SCHEDULED, slot, text)]
    if decision.kind == "change":
        return [(KIND_CHANGE, f"{now.astimezone(settings.tz):%Y-%m-%d}:{part}:{_digest(ids)}", text)
                for part, ids, text in change_messages(client.name, changes, client.tiktok,
                                                       caption_chars=settings.notify.caption_chars)]
    return []


async def _queue(conn, client: Client, messages, now: datetime, outcome: NotifyOutcome) -> None:
    for kind, suffix, text in messages:
        for group in client.group_ids:
            added = await enqueue(conn, recipient=group, kind=kind, body=text, client_id=client.id,
                                  idempotency_key=f"{kind}:{client.id}:{group}:{suffix}", now=now)
            if added:
                outcome.queued += 1
            else:
                outcome.already_queued += 1
        outcome.messages.append(text)


async def notify_client(pool: asyncpg.Pool, settings: Settings, clock: Clock, reporter: Reporter, client_id: str,
                        *, run_changes: Changes | None = None) -> NotifyOutcome:
    """Decide and queue this client's task messages now. Never raises.

    `run_changes` (the posts this collection run added/removed) is only used
    when the notification state cannot be read or written.
    """
    now = clock.now()
    slot = slot_key(now, settings.notify.anchor_minute, settings.tz)
    client = None
    async with guarded("reading a client for notifications", log, reporter=reporter,
                       report=f"Notifikasi tugas {client_id}: gagal membaca data client", client_id=client_id) as g:
        client = await get_client(pool, client_id)
    if g.failed:
        return NotifyOutcome(client_id, None, "client tidak terbaca", slot)
    if client is None or not client.active:
        return NotifyOutcome(client_id, None, "client tidak aktif", slot)
    async with guarded("notifying a client", log, reporter=reporter, report=f"Notifikasi tugas {client.id} gagal",
                       client_id=client.id) as g:
        try:
            return await _notify_with_state(pool, settings, client, now, slot)
        except StateUnavailable as exc:
            await report_safely(reporter, "error",
                                f"Notifikasi tugas {client.id}: status notifikasi tidak bisa dibaca/disimpan "
                                f"({exc}); hanya pesan perubahan yang dikirim", client_id=client.id)
            return await _notify_changes_only(pool, settings, reporter, client, now, slot, run_changes)
    return NotifyOutcome(client.id, None, f"gagal: {g.error.__class__.__name__}", slot)


async def _notify_with_state(pool: asyncpg.Pool, settings: Settings, client: Client, now: datetime, slot: str) -> NotifyOutcome:
    today = local_day(now, settings.tz)
    start, end = day_range(today, settings.tz)
    async with pool.acquire() as conn:
        async with conn.transaction():
            try:
                state = await state_for_update(conn, client.id)
            except (asyncpg.PostgresError, OSError) as exc:
                raise StateUnavailable(f"{exc.__class__.__name__}: {exc}") from exc
            instagram, tiktok = await todays_task_posts(conn, client.id, start, end)
            changes = detect_changes(state, instagram, tiktok, today)
            await describe_removed(conn, changes)
            decision = decide(state_ok=True, state=state, slot=slot,
                              slot_due_now=slot_in_window(now, settings), changes=changes)
            outcome = NotifyOutcome(client.id, decision.kind, decision.reason, slot,
                                    changes=changes.summary() if changes.notable else "",
                                    slot_at=slot_start(now, settings.notify.anchor_minute, settings.tz))
            messages = _messages_for(decision, client, now, slot, instagram, tiktok, changes, settings)
            queued = bool(messages) and bool(client.group_ids)
            new = NotificationState(**vars(state))
            new.last_instagram_count, new.last_tiktok_count = len(instagram), len(tiktok)
            if queued or not changes.notable:
                new.notified_instagram = [p.post_id for p in instagram]
                new.notified_tiktok = [p.post_id for p in tiktok]
                new.state_day = today
            if queued:
                await _queue(conn, client, messages, now, outcome)
                new.last_notified_at = now
                if decision.kind == "scheduled":
                    new.last_notified_slot = slot
            elif messages:
                outcome.reason += " — tidak terkirim: client belum punya grup WhatsApp"
                outcome.decision, outcome.no_group = None, True
            try:
                await save_state(conn, new)
            except (asyncpg.PostgresError, OSError) as exc:
                raise StateUnavailable(f"{exc.__class__.__name__}: {exc}") from exc
    log.info("notify %s: %s (queued %d, already queued %d)", client.id, outcome.reason, outcome.queued,
             outcome.already_queued)
    return outcome


async def _notify_changes_only(pool: asyncpg.Pool, settings: Settings, reporter: Reporter, client: Client, now: datetime,
                               slot: str, run_changes: Changes | None) -> NotifyOutcome:
    outcome = NotifyOutcome(client.id, None, "status tidak tersedia; tidak ada perubahan pada run ini", slot,
                            state_ok=False)
    if run_changes is None or not run_changes.notable:
        return outcome
    outcome.decision, outcome.reason = "change", f"perubahan (mode cadangan): {run_changes.summary()}"
    outcome.changes = run_changes.summary()
    messages = _messages_for(Decision("change", outcome.reason), client, now, slot, [], [], run_changes, settings)
    if not client.group_ids:
        outcome.decision = None
        return outcome
    async with guarded("queueing change messages", log, reporter=reporter,
                       report=f"Notifikasi tugas {client.id}: pesan perubahan gagal diantrikan",
                       client_id=client.id) as g:
        async with pool.acquire() as conn:
            async with conn.transaction():
                await _queue(conn, client, messages, now, outcome)
    if g.failed:
        outcome.decision = None
    return outcome


async def describe_removed(db, changes: Changes) -> None:
    """Fill `changes.removed_posts` (link and caption of each removed task) from the stored posts."""
    for platform, ids in (("instagram", changes.instagram_removed), ("tiktok", changes.tiktok_removed)):
        if ids:
            for post in await posts_by_ids(db, platform, ids):
                changes.removed_posts[f"{platform}:{post.post_id}"] = post


async def run_changes_from_result(pool: asyncpg.Pool, settings: Settings, clock: Clock, result) -> Changes:
    """The posts a collection run added/removed (ClientResult), with today's details for the added ones."""
    ig_new, tt_new = set(result.instagram.new), set(result.tiktok.new)
    changes = Changes(instagram_removed=sorted(result.instagram.removed),
                      tiktok_removed=sorted(result.tiktok.removed))
    async with guarded("reading removed posts for the change message", log, level="warning",
                       client_id=result.client_id):
        await describe_removed(pool, changes)
    if ig_new or tt_new:
        start, end = day_range(local_day(clock.now(), settings.tz), settings.tz)
        instagram, tiktok = [], []
        async with guarded("reading today's posts for the change message", log, level="warning",
                           client_id=result.client_id):
            instagram, tiktok = await todays_task_posts(pool, result.client_id, start, end)
        changes.instagram_added = [p for p in instagram if p.post_id in ig_new]
        changes.tiktok_added = [p for p in tiktok if p.post_id in tt_new]
    return changes


async def notify_after_client(pool: asyncpg.Pool, settings: Settings, clock: Clock, reporter: Reporter, result) -> NotifyOutcome:
    """The collection cycle's `after_client` hook body: notify for one finished `ClientResult`.

    What the admins hear about it is `jobs/run_summary.py`'s business (one summary per run).
    """
    run_changes = None
    async with guarded("reading the run's changes", log, level="warning", client_id=result.client_id):
        run_changes = await run_changes_from_result(pool, settings, clock, result)
    return await notify_client(pool, settings, clock, reporter, result.client_id, run_changes=run_changes)


def make_after_client(pool: asyncpg.Pool, settings: Settings, clock: Clock, reporter: Reporter
                      ) -> Callable[[object], Awaitable[None]]:
    """A `FetchDeps.after_client` callback that runs `notify_after_client` for each finished client
    (no admin messages; `jobs.run_summary.RunNotifier` adds them)."""

    async def after_client(result) -> None:
        await notify_after_client(pool, settings, clock, reporter, result)

    return after_client
