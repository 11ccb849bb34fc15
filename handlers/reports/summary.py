"""The executive summary of a client's period: key figures, their change, units, and Indonesian narratives.

    summary = await build_summary(db, client, Period.month(2025, 1), rules=rules, scope=scope, tz=tz)
    summary.metrics()          # [Metric("Jumlah personel", 120, …), …]
    overview_narrative(summary), highlights(summary), …

Numbers are figures of `handlers.reports.attendance.definitions` from
`build_attendance` (the rekap endpoints' and WhatsApp recaps' builder), for the
period and for the period before it (the previous month of a month, else the
same number of days just before), so "change" compares like with like. The
narratives only put those figures into sentences.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from core.clock import JAKARTA
from db.clients import Client
from db.pool import Executor
from db.profiles import StoredProfile, latest_profile
from handlers.reports.anev import Unit, units_of
from handlers.reports.attendance import (
    BELUM, CAPAIAN, KURANG, LENGKAP, PERSONNEL, TANPA_USERNAME, TASKS, TASKS_DONE, AttendanceReport,
    AttendanceRules, Period, Platform, Scope, Tally, build_attendance,
)
from handlers.reports.formatting import id_number, id_percent

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    value: float | int | None
    suffix: str = ""
    change: str = ""          # e.g. "+3,2 poin" against the previous period; "" when not comparable


@dataclass(frozen=True)
class ExecutiveSummary:
    client: Client
    period: Period
    previous_period: Period
    ig: AttendanceReport
    tt: AttendanceReport
    previous_ig: AttendanceReport
    previous_tt: AttendanceReport
    profiles: dict[str, StoredProfile | None]

    @property
    def tally(self) -> Tally:
        return self.ig.tally + self.tt.tally

    @property
    def units(self) -> list[Unit]:
        return units_of(self.ig, self.tt)

    @property
    def unit_word(self) -> str:
        return "satker" if self.ig.scope is Scope.DIRECTORATE else "satfung"

    def report(self, platform: Platform) -> AttendanceReport:
        return self.ig if platform is IG else self.tt

    def previous(self, platform: Platform) -> AttendanceReport:
        return self.previous_ig if platform is IG else self.previous_tt

    def metrics(self) -> list[Metric]:
        out = [Metric(PERSONNEL.key, PERSONNEL.label, self.ig.tally.personnel)]
        for p in (IG, TT):
            out.append(Metric(f"{TASKS.key}_{p.value}", f"{TASKS.label} {p.label}", self.report(p).task_count,
                              change=count_change(self.report(p).task_count, self.previous(p).task_count)))
        for p in (IG, TT):
            now, before = self.report(p).tally.capaian, self.previous(p).tally.capaian
            out.append(Metric(f"{CAPAIAN.key}_{p.value}", f"{CAPAIAN.label} {p.label}",
                              None if now is None else round(now, 1), "%", point_change(now, before)))
        for p in (IG, TT):
            out.append(Metric(f"{TASKS_DONE.key}_{p.value}", f"{TASKS_DONE.label} {p.label}",
                              self.report(p).tally.tasks_done))
        return out


def previous_period(period: Period) -> Period:
    """The month before a month; otherwise as many days just before."""
    if period.kind == "month":
        before = period.first - timedelta(days=1)
        return Period.month(before.year, before.month)
    last = period.first - timedelta(days=1)
    return Period.range(last - timedelta(days=period.days - 1), last)


def count_change(now: int, before: int) -> str:
    """'+50,0%' / '−20,0%' / 'naik dari 0' for a count against the previous period; '' when both are 0."""
    if before == 0:
        return "" if now == 0 else "naik dari 0"
    delta = (now - before) * 100.0 / before
    return f"{'+' if delta >= 0 else '−'}{id_percent(abs(delta))}"


def point_change(now: float | None, before: float | None) -> str:
    """'+3,2 poin' / '−3,2 poin' for a share against the previous period; '' when either has no value."""
    if now is None or before is None:
        return ""
    delta = now - before
    return f"{'+' if delta >= 0 else '−'}{id_number(abs(delta), 1)} poin"


def _pct(value: float | None) -> str:
    return "-" if value is None else id_percent(value)


async def build_summary(db: Executor, client: Client, period: Period, *, rules: AttendanceRules, scope: Scope,
                        regional_id: str | None = None, tz=JAKARTA) -> ExecutiveSummary:
    before = previous_period(period)

    def report(part: Period, platform: Platform):
        return build_attendance(db, client, part, platform, rules=rules, scope=scope, regional_id=regional_id, tz=tz)

    jobs = [report(period, IG), report(period, TT), report(before, IG), report(before, TT)]
    if isinstance(db, asyncpg.Pool):
        ig, tt, p_ig, p_tt = await asyncio.gather(*jobs)
    else:
        ig, tt, p_ig, p_tt = [await j for j in jobs]
    profiles = {p.value: await latest_profile(db, client.id, p.value) for p in (IG, TT)}
    return ExecutiveSummary(client, period, before, ig, tt, p_ig, p_tt, profiles)


# --------------------------------------------------------------------------- narratives (Bahasa Indonesia)

def overview_narrative(s: ExecutiveSummary) -> str:
    t = s.ig.tally
    text = (f"Pada {s.period.label()}, {s.client.name} mencatat {id_number(t.personnel)} personel dengan "
            f"{id_number(s.ig.task_count)} konten Instagram dan {id_number(s.tt.task_count)} konten TikTok "
            f"sebagai tugas. {CAPAIAN.label} gabungan {_pct(s.tally.capaian)}: "
            f"{id_number(s.tally.tasks_done)} dari {id_number(s.tally.tasks_assigned)} tugas personel terlaksana.")
    change = point_change(s.tally.capaian, (s.previous_ig.tally + s.previous_tt.tally).capaian)
    if change:
        text += f" Dibanding {s.previous_period.label()}: {change}."
    return text


def platform_narrative(s: ExecutiveSummary, platform: Platform) -> str:
    r = s.report(platform)
    t = r.tally
    if not r.has_tasks:
        return f"Tidak ada konten {platform.label} {s.client.name} pada {s.period.label()}."
    return (f"{platform.label}: {id_number(r.task_count)} konten. {id_number(t.lengkap)} personel "
            f"{LENGKAP.label.lower()}, {id_number(t.kurang)} {KURANG.label.lower()}, {id_number(t.belum)} "
            f"{BELUM.label.lower()}, dan {id_number(t.tanpa_username)} {TANPA_USERNAME.label.lower()} "
            f"{platform.label}. {CAPAIAN.label} {_pct(t.capaian)} ({id_number(t.tasks_done)} dari "
            f"{id_number(t.tasks_assigned)} tugas {platform.action}).")


def units_narrative(s: ExecutiveSummary) -> str:
    ranked = [u for u in s.units if u.tally.capaian is not None]
    if not ranked:
        return f"Belum ada tugas yang dapat dinilai per {s.unit_word} pada {s.period.label()}."
    best, worst = ranked[0], ranked[-1]
    text = f"{s.unit_word.capitalize()} dengan {CAPAIAN.label.lower()} tertinggi: {best.name} ({_pct(best.tally.capaian)})."
    if worst is not best:
        text += f" Terendah: {worst.name} ({_pct(worst.tally.capaian)}); perlu pendampingan."
    return text


def user_insight_narrative(s: ExecutiveSummary) -> str:
    n = s.ig.tally.personnel
    if n == 0:
        return "Belum ada personel aktif yang tercatat untuk client ini."
    ig, tt = s.ig.tally.username_filled, s.tt.tally.username_filled
    return (f"Dari {id_number(n)} personel, {id_number(ig)} ({id_percent(ig * 100 / n)}) sudah mengisi username "
            f"Instagram dan {id_number(tt)} ({id_percent(tt * 100 / n)}) username TikTok. Personel tanpa username "
            f"tidak dihitung dalam tugas platform itu.")


def highlights(s: ExecutiveSummary) -> list[str]:
    out = []
    for p in (IG, TT):
        now, before = s.report(p).tally.capaian, s.previous(p).tally.capaian
        change = point_change(now, before)
        if change:
            out.append(f"{CAPAIAN.label} {p.label} {_pct(now)} ({change} dibanding {s.previous_period.label()}).")
        elif now is not None:
            out.append(f"{CAPAIAN.label} {p.label} {_pct(now)}.")
    ranked = [u for u in s.units if u.tally.capaian is not None]
    if ranked:
        out.append(f"{s.unit_word.capitalize()} terbaik: {ranked[0].name} ({_pct(ranked[0].tally.capaian)}).")
    for figure in (BELUM, TANPA_USERNAME):
        ig, tt = s.ig.tally.value(figure), s.tt.tally.value(figure)
        if ig or tt:
            out.append(f"{figure.label}: {id_number(ig)} personel di Instagram, {id_number(tt)} di TikTok.")
    return out
