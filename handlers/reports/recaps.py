"""Recaps built on the attendance engine: the combined daily recap (21), the engagement
ranking per satker (22) and the Kasatker compliance report (30). Data only; see
text.py / excel.py for rendering."""

from __future__ import annotations

from dataclasses import dataclass

from db.clients import Client
from db.pool import Executor
from handlers.reports.attendance import (
    AttendanceReport, AttendanceRules, CombinedAttendance, Period, Scope, Tally, build_combined_attendance,
)


@dataclass(frozen=True)
class UnitScore:
    """One satker (or division, for a single-satker client) in the combined recap."""

    name: str
    personnel: int
    instagram: Tally
    tiktok: Tally

    @property
    def actions(self) -> int:
        return self.instagram.actions + self.tiktok.actions

    @property
    def expected(self) -> int:
        return self.instagram.expected + self.tiktok.expected

    @property
    def backlog(self) -> int:
        return max(self.expected - self.actions, 0)

    @property
    def percent(self) -> float:
        return self.actions * 100.0 / self.expected if self.expected else 0.0


@dataclass(frozen=True)
class CombinedRecap:
    attendance: CombinedAttendance
    unit_kind: str                      # "satker" or "divisi"
    units: list[UnitScore]              # every unit, best first
    top: list[UnitScore]
    bottom: list[UnitScore]
    backlog: list[UnitScore]            # largest backlog first (only units with backlog)

    @property
    def client(self) -> Client:
        return self.attendance.instagram.client

    @property
    def period(self) -> Period:
        return self.attendance.instagram.period

    @property
    def has_tasks(self) -> bool:
        return self.attendance.instagram.has_tasks or self.attendance.tiktok.has_tasks

    @property
    def total_backlog(self) -> int:
        return sum(u.backlog for u in self.units)


def _units(ig: AttendanceReport, tt: AttendanceReport) -> tuple[str, list[UnitScore]]:
    if len([s for s in ig.satkers if s.tally.personnel]) > 1:
        tt_by = {s.client_id: s.tally for s in tt.satkers}
        return "satker", [UnitScore(s.name, s.tally.personnel, s.tally, tt_by.get(s.client_id, Tally()))
                          for s in ig.satkers if s.tally.personnel]
    tt_by = {d.name: d.tally for d in tt.divisions}
    return "divisi", [UnitScore(d.name, d.tally.personnel, d.tally, tt_by.get(d.name, Tally())) for d in ig.divisions]


def combined_recap(attendance: CombinedAttendance, *, top_n: int = 5, backlog_n: int = 10) -> CombinedRecap:
    kind, units = _units(attendance.instagram, attendance.tiktok)
    ranked = sorted(units, key=lambda u: (-u.percent, -u.actions, u.name))
    scored = [u for u in ranked if u.expected]
    top = scored[:top_n]
    bottom = list(reversed(scored[max(top_n, len(scored) - top_n):]))  # worst first, never overlapping top
    backlog = sorted((u for u in units if u.backlog), key=lambda u: (-u.backlog, u.name))[:backlog_n]
    return CombinedRecap(attendance, kind, ranked, top, bottom, backlog)


async def build_combined_recap(db: Executor, client: Client, period: Period, *,
                               rules: AttendanceRules | None = None) -> CombinedRecap:
    return combined_recap(await build_combined_attendance(db, client, period, rules=rules))


# --------------------------------------------------------------------------- ranking (22)

@dataclass(frozen=True)
class RankingRow:
    rank: int
    client_id: str
    name: str
    personnel: int
    instagram: Tally
    tiktok: Tally

    @property
    def total_engaged(self) -> int:
        return self.instagram.engaged + self.tiktok.engaged

    @property
    def percent(self) -> float:
        """People with ≥1 task done, over personnel, averaged over both platforms."""
        if not self.personnel:
            return 0.0
        return (self.instagram.engaged + self.tiktok.engaged) * 50.0 / self.personnel


@dataclass(frozen=True)
class EngagementRanking:
    attendance: CombinedAttendance
    rows: list[RankingRow]

    @property
    def period(self) -> Period:
        return self.attendance.instagram.period

    @property
    def client(self) -> Client:
        return self.attendance.instagram.client


def engagement_ranking(attendance: CombinedAttendance) -> EngagementRanking:
    tt_by = {s.client_id: s.tally for s in attendance.tiktok.satkers}
    raw = [(s.client_id, s.name, s.tally.personnel, s.tally, tt_by.get(s.client_id, Tally()))
           for s in attendance.instagram.satkers]
    rows = [RankingRow(0, *r) for r in raw]
    rows.sort(key=lambda r: (-r.percent, -r.total_engaged, r.name))
    return EngagementRanking(attendance, [RankingRow(i + 1, r.client_id, r.name, r.personnel, r.instagram, r.tiktok)
                                          for i, r in enumerate(rows)])


async def build_engagement_ranking(db: Executor, client: Client, period: Period, *,
                                   rules: AttendanceRules | None = None) -> EngagementRanking:
    return engagement_ranking(await build_combined_attendance(db, client, period, rules=rules, scope=Scope.DIRECTORATE))


# --------------------------------------------------------------------------- kasatker (30)

@dataclass(frozen=True)
class KasatkerBands:
    active_percent: float = 90.0
    medium_percent: float = 50.0

    @classmethod
    def from_settings(cls, attendance_settings) -> "KasatkerBands":
        return cls(attendance_settings.kasatker_active_percent, attendance_settings.kasatker_medium_percent)

    def band(self, score: float) -> str:
        if score >= self.active_percent - 1e-9:
            return "aktif"
        if score >= self.medium_percent - 1e-9:
            return "sedang"
        return "rendah"


@dataclass(frozen=True)
class SatkerCompliance:
    client_id: str
    name: str
    personnel: int
    instagram_percent: float | None     # None when the period has no Instagram tasks
    tiktok_percent: float | None
    score: float
    band: str                           # aktif | sedang | rendah


@dataclass(frozen=True)
class KasatkerReport:
    attendance: CombinedAttendance
    bands: KasatkerBands
    satkers: list[SatkerCompliance]     # sorted: score desc, then name

    @property
    def has_tasks(self) -> bool:
        return self.attendance.instagram.has_tasks or self.attendance.tiktok.has_tasks

    def in_band(self, band: str) -> list[SatkerCompliance]:
        return [s for s in self.satkers if s.band == band]


def kasatker_report(attendance: CombinedAttendance, bands: KasatkerBands) -> KasatkerReport:
    ig, tt = attendance.instagram, attendance.tiktok
    tt_by = {s.client_id: s.tally for s in tt.satkers}
    out = []
    for s in ig.satkers:
        if s.is_directorate and s.client_id == ig.client.id and len(ig.satkers) > 1:
            continue  # the directorate's own staff are not a satker under supervision
        ig_pct = s.tally.engaged_percent if ig.has_tasks else None
        tt_t = tt_by.get(s.client_id, Tally())
        tt_pct = tt_t.engaged_percent if tt.has_tasks else None
        shares = [p for p in (ig_pct, tt_pct) if p is not None]
        score = sum(shares) / len(shares) if shares else 0.0
        out.append(SatkerCompliance(s.client_id, s.name, s.tally.personnel, ig_pct, tt_pct, score, bands.band(score)))
    out.sort(key=lambda c: (-c.score, c.name))
    return KasatkerReport(attendance, bands, out)


async def build_kasatker_report(db: Executor, client: Client, period: Period, *, bands: KasatkerBands,
                                rules: AttendanceRules | None = None) -> KasatkerReport:
    both = await build_combined_attendance(db, client, period, rules=rules, scope=Scope.DIRECTORATE)
    return kasatker_report(both, bands)
