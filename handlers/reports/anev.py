"""Anev (analisis dan evaluasi): a client's likes and comments tasks over a period, per day, unit and person.

    anev = await build_anev(db, client, period, rules=rules, scope=Scope.CLIENT, tz=settings.tz)
    anev.tally            # Instagram + TikTok together (definitions: a combined score adds both platforms)
    anev.timeline[0].ig   # the tally of one day (or week, month) of the period
    anev.units, anev.people

Every number is a figure of `handlers.reports.attendance.definitions`, taken
from `build_attendance` — the builder behind the WhatsApp recaps and the rekap
endpoints; nothing here counts engagement itself. The timeline runs the same
builder on each part of the period (days for up to 31 days, weeks up to 26
weeks, months beyond; at most `MAX_BUCKETS`, the latest ones), so its parts add
up to the period's totals. Units are the satker of a directorate report, or
the divisions of a Polres report, in the one order (`unit_order`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta

import asyncpg

from core.clock import JAKARTA
from db.clients import Client
from db.pool import Executor
from handlers.reports.attendance import (
    NO_DIVISION, AttendanceReport, AttendanceRules, Category, Period, Platform, Scope, Tally, build_attendance,
    performance_key, share, unit_order,
)

MAX_BUCKETS = 62
PARALLEL_BUILDS = 4


@dataclass(frozen=True)
class Bucket:
    """One part of the timeline: its days and the two platforms' tallies (tasks = posts of those days)."""

    period: Period
    ig: Tally
    tt: Tally
    ig_tasks: int
    tt_tasks: int


@dataclass(frozen=True)
class Unit:
    """A satker (directorate report) or a division (Polres report)."""

    name: str
    client_id: str | None        # the satker's client; None for a division
    ig: Tally
    tt: Tally

    @property
    def tally(self) -> Tally:
        return self.ig + self.tt

    @property
    def personnel(self) -> int:
        return self.ig.personnel


@dataclass(frozen=True)
class PersonLine:
    """One person on both platforms (tasks count only where the person has the platform's username)."""

    nrp: str
    name: str
    rank: str | None
    division: str
    client_id: str
    client_name: str
    instagram: str | None
    tiktok: str | None
    ig_tasks: int
    ig_done: int
    tt_tasks: int
    tt_done: int
    ig_category: Category
    tt_category: Category

    @property
    def assigned(self) -> int:
        return (self.ig_tasks if self.instagram else 0) + (self.tt_tasks if self.tiktok else 0)

    @property
    def completed(self) -> int:
        return self.ig_done + self.tt_done

    @property
    def capaian(self) -> float | None:
        return share(self.completed, self.assigned)


@dataclass(frozen=True)
class Anev:
    client: Client
    period: Period
    scope: Scope
    ig: AttendanceReport
    tt: AttendanceReport
    timeline: list[Bucket]
    units: list[Unit]
    people: list[PersonLine]

    @property
    def tally(self) -> Tally:
        return self.ig.tally + self.tt.tally

    @property
    def by_satker(self) -> bool:
        return self.scope is Scope.DIRECTORATE


def timeline_periods(period: Period) -> list[Period]:
    """The parts of `period`: days (≤ 31 days), Monday–Sunday weeks (≤ 26 weeks) or months, clipped to it."""
    if period.days <= 31:
        step = "day"
    elif period.days <= 26 * 7:
        step = "week"
    else:
        step = "month"
    parts: list[Period] = []
    first = period.first
    while first <= period.last:
        if step == "day":
            last = first
        elif step == "week":
            last = first + timedelta(days=6 - first.weekday())
        else:
            last = _month_end(first)
        last = min(last, period.last)
        parts.append(Period.range(first, last))
        first = last + timedelta(days=1)
    return parts[-MAX_BUCKETS:]


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def people_lines(ig: AttendanceReport, tt: AttendanceReport) -> list[PersonLine]:
    """Both platforms per person, in the Instagram report's order (the one order of the definitions)."""
    tiktok = {p.nrp: p for p in tt.people}
    lines = []
    for p in ig.people:
        t = tiktok.get(p.nrp)
        lines.append(PersonLine(
            p.nrp, p.name, p.rank, p.division, p.client_id, p.client_name, p.username, t.username if t else None,
            p.tasks, p.done, t.tasks if t else 0, t.done if t else 0, p.category,
            t.category if t else Category.TANPA_USERNAME,
        ))
    return lines


def units_of(ig: AttendanceReport, tt: AttendanceReport) -> list[Unit]:
    """Satker for a directorate report, divisions otherwise, both platforms side by side, in the one order."""
    if ig.scope is Scope.DIRECTORATE:
        tt_by = {s.client_id: s.tally for s in tt.satkers}
        units = [Unit(s.name, s.client_id, s.tally, tt_by.get(s.client_id, Tally())) for s in ig.satkers]
        return unit_order(units, _unit_key, first=lambda u: u.client_id == ig.client.id)
    tt_by = {d.name: d.tally for d in tt.divisions}
    names = [d.name for d in ig.divisions] + [d.name for d in tt.divisions if d.name not in
                                               {x.name for x in ig.divisions}]
    ig_by = {d.name: d.tally for d in ig.divisions}
    units = [Unit(name, None, ig_by.get(name, Tally()), tt_by.get(name, Tally())) for name in names]
    return unit_order(units, _unit_key, last=lambda u: u.name == NO_DIVISION)


def _unit_key(u: Unit) -> tuple:
    t = u.tally
    return performance_key(t.capaian, t.tasks_done, u.personnel, u.name)


async def _gather(db: Executor, jobs: list) -> list:
    """Run the coroutines: a few at a time on a pool, one after another on a single connection."""
    if not isinstance(db, asyncpg.Pool):
        return [await job for job in jobs]
    limit = asyncio.Semaphore(PARALLEL_BUILDS)

    async def run(job):
        async with limit:
            return await job

    return list(await asyncio.gather(*(run(j) for j in jobs)))


async def build_anev(db: Executor, client: Client, period: Period, *, rules: AttendanceRules, scope: Scope,
                     regional_id: str | None = None, tz=JAKARTA) -> Anev:
    def report(part: Period, platform: Platform):
        return build_attendance(db, client, part, platform, rules=rules, scope=scope, regional_id=regional_id, tz=tz)

    parts = timeline_periods(period)
    jobs = [report(period, Platform.INSTAGRAM), report(period, Platform.TIKTOK)]
    for part in parts:
        jobs += [report(part, Platform.INSTAGRAM), report(part, Platform.TIKTOK)]
    ig, tt, *rest = await _gather(db, jobs)
    timeline = [Bucket(part, a.tally, b.tally, a.task_count, b.task_count)
                for part, a, b in zip(parts, rest[0::2], rest[1::2])]
    return Anev(client, period, scope, ig, tt, timeline, units_of(ig, tt), people_lines(ig, tt))
