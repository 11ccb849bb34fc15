"""Personal task reminders: `notifwa on|off`, and the scheduled reminders at `[personnel] reminder_times`.

At each reminder time every opted-in person (active, of an active client, with
a WhatsApp number) who still has tasks of today open gets one message listing
what is not recorded yet, through the outbox with the key
`reminder:<nrp>:<day>:<HH:MM>` — a late or repeated fire of the same slot adds
nothing, and someone who is done (or whose client has no posts today) gets
nothing. `reminder_jobs(...)` gives the `ScheduledJob`s for `SchedulerPart`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable

import asyncpg

from core.boundary import guarded
from core.clock import Clock, local_day
from core.settings import Settings
from db.audit import record_change
from db.clients import clients_by_ids
from db.reminders import opted_in_personnel, reminders_enabled, set_reminders
from handlers.context import Command, HandlerContext
from handlers.identity import Role
from handlers.personnel.common import actor, display_name, require_me
from handlers.personnel.tasks import personal_tasks, render_reminder
from handlers.reports.attendance import AttendanceRules
from jobs.outbox import enqueue
from jobs.scheduler import ScheduledJob

log = logging.getLogger(__name__)

TEXT_ON = ("🔔 Pengingat tugas *aktif*. Anda akan diingatkan pukul {times} bila masih ada tugas hari ini "
           "yang belum tercatat. Ketik *notifwa off* untuk mematikan.")
TEXT_OFF = "🔕 Pengingat tugas *nonaktif*. Ketik *notifwa on* untuk menyalakan lagi."
TEXT_STATUS = "Pengingat tugas saat ini *{state}*. Ketik *notifwa on* atau *notifwa off*."
TEXT_USAGE = "Ketik *notifwa on* untuk menyalakan atau *notifwa off* untuk mematikan pengingat tugas."


def times_text(settings: Settings) -> str:
    return " dan ".join(t.replace(":", ".") for t in settings.personnel.reminder_times) + " WIB"


async def set_my_reminders(ctx: HandlerContext, enabled: bool) -> str:
    """Switch the sender's reminders (audited) and say so."""
    me = await require_me(ctx)
    before = await reminders_enabled(ctx.pool, me.person.nrp)
    async with ctx.pool.acquire() as conn, conn.transaction():
        await set_reminders(conn, me.person.nrp, enabled, at=ctx.clock.now())
        await record_change(conn, actor(ctx), action="personnel.reminders", entity="personnel",
                            entity_id=me.person.nrp, client_id=me.client.id,
                            before={"reminders": before}, after={"reminders": enabled})
    return TEXT_ON.format(times=times_text(ctx.settings)) if enabled else TEXT_OFF


def _wanted_state(ctx: HandlerContext, args: str) -> str:
    """'on' / 'off' / '' from `notifwa on`, `notifwa#on`, `notifwa off`, …"""
    first = ctx.message.text.strip().split(None, 1)[0].lower()
    word = first.partition("#")[2] or args.strip().lower()
    return {"on": "on", "aktif": "on", "ya": "on", "off": "off", "mati": "off", "nonaktif": "off"}.get(word, word)


async def notifwa_command(ctx: HandlerContext, args: str) -> None:
    wanted = _wanted_state(ctx, args)
    if wanted in ("on", "off"):
        await ctx.reply(await set_my_reminders(ctx, wanted == "on"))
        return
    me = await require_me(ctx)
    if wanted:
        await ctx.reply(TEXT_USAGE)
        return
    state = "aktif" if await reminders_enabled(ctx.pool, me.person.nrp) else "nonaktif"
    await ctx.reply(TEXT_STATUS.format(state=state))


COMMANDS = [
    Command(id="notifwa", triggers=("notifwa", "notifwa#on", "notifwa#off"), usage="notifwa on|off",
            help="nyalakan/matikan pengingat tugas pribadi", allowed=frozenset({Role.PERSONNEL}),
            handler=notifwa_command, takes_args=True),
]


# --------------------------------------------------------------------------- the scheduled reminders


@dataclass(frozen=True)
class ReminderRun:
    opted_in: int = 0
    queued: int = 0          # new outbox rows
    done: int = 0            # opted in but nothing left (or no tasks today)


async def send_reminders(pool: asyncpg.Pool, settings: Settings, fire_time: datetime, *, slot: str) -> ReminderRun:
    """Queue today's reminders of `slot` (HH:MM) for everyone opted in who still has tasks open."""
    people = await opted_in_personnel(pool)
    by_client: dict[str, list] = defaultdict(list)
    for p in people:
        by_client[p.client_id].append(p)
    rules = AttendanceRules.from_settings(settings.attendance)
    day = local_day(fire_time, settings.tz).isoformat()
    queued = done = 0
    for client in await clients_by_ids(pool, list(by_client)):
        async with guarded("personal reminders of a client", log, client=client.id, slot=slot):
            members = by_client[client.id]
            tasks = await personal_tasks(pool, client, [p.nrp for p in members], fire_time, rules)
            due = [(p, tasks[p.nrp]) for p in members if p.nrp in tasks and not tasks[p.nrp].finished]
            done += len(members) - len(due)
            async with pool.acquire() as conn, conn.transaction():  # one client's reminders commit together
                for person, mine in due:
                    queued += await enqueue(conn, recipient=person.whatsapp, kind="personnel_reminder",
                                            body=render_reminder(mine, display_name(person)), client_id=client.id,
                                            idempotency_key=f"reminder:{person.nrp}:{day}:{slot}")
    log.info("reminders %s %s: %d opted in, %d queued, %d with nothing left", day, slot, len(people), queued, done)
    return ReminderRun(len(people), queued, done)


def _cron(slot: str) -> str:
    hour, minute = slot.split(":")
    return f"{int(minute)} {int(hour)} * * *"


def reminder_jobs(settings: Settings, pool: asyncpg.Pool, clock: Clock) -> list[ScheduledJob]:
    """One `ScheduledJob` per `[personnel] reminder_times` entry (for `SchedulerPart(jobs=…)`)."""

    def run_for(slot: str) -> Callable[[datetime], Awaitable[ReminderRun]]:
        async def run(fire_time: datetime) -> ReminderRun:
            return await send_reminders(pool, settings, fire_time or clock.now(), slot=slot)

        return run

    return [ScheduledJob(id=f"personnel-reminder-{slot}", cron=_cron(slot), run=run_for(slot),
                         label=f"pengingat tugas personel {slot.replace(':', '.')}")
            for slot in settings.personnel.reminder_times]
