"""Recaps built on the attendance engine: the combined daily recap (21), the engagement
ranking per satker (22) and the Kasatker compliance report (30). Data only; see
text.py / excel.py for rendering.

A unit's score on both platforms is the capaian of its Instagram and TikTok
tallies added up (`definitions.CAPAIAN` of `ig + tt`); units are ordered by
`definitions.performance_key` with the directorate itself first.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.clients import Client
from db.pool import Executor
from handlers.reports.attendance import (
    NO_DIVISION, AttendanceReport, AttendanceRules, CombinedAttendance, Period, Scope, Tally,
    build_combined_attendance, performance_key, unit_order,
)


@dataclass(frozen=True)
class UnitScore:
    """One satker (or division, for a single-satker client) on both platforms."""

    key: str                            # client id, or division name
    name: str
    is_directorate: bool
    instagram: Tally
    tiktok: Tally

    @property
    def combined(self) -> Tally:
        return self.instagram + self.tiktok

    @property
    def personnel(self) -> int:
        return self.instagram.personnel

    @property
    def capaian(self) -> float | None:
        return self.combined.capaian

    @property
    def performance(self) -> tuple:
        c = self.combined
        return performance_key(c.capaian, c.tasks_done, self.personnel, self.name)


def satker_units(attendance: CombinedAttendance) -> list[UnitScore]:
    """Every satker of the report (with or without personnel), the directorate first, then by performance."""
    ig, tt = attendance.instagram, attendance.tiktok
    tt_by = {s.client_id: s.tally for s in tt.satkers}
    units = [UnitScore(s.client_id, s.name, s.client_id == ig.client.id, s.tally, tt_by.get(s.client_id, Tally()))
             for s in ig.satkers]
    return unit_order(units, lambda u: u.performance, first=lambda u: u.is_directorate)


def division_units(attendance: CombinedAttendance) -> list[UnitScore]:
    tt_by = {d.name: d.tally for d in attendance.tiktok.divisions}
    units = [UnitScore(d.name, d.name, False, d.tally, tt_by.get(d.name, Tally()))
             for d in attendance.instagram.divisions]
    return unit_order(units, lambda u: u.performance, last=lambda u: u.key == NO_DIVISION)


@dataclass(frozen=True)
class CombinedRecap:
    attendance: CombinedAttendance
    unit_kind: str                      # "satker" or "divisi"
    units: list[UnitScore]              # every unit in the one order
    top: list[UnitScore]                # best first (the directorate's own staff not ranked)
    bottom: list[UnitScore]             # worst first, never overlapping `top`
    backlog: list[UnitScore]            # largest backlog first (only units with backlog)

    @property
    def client(self) -> Client:
        return self.attendance.instagram.client

    @property
    def period(self) -> Period:
        return self.attendance.instagram.period

    @property
    def has_tasks(self) -> bool:
        return self.attendance.has_tasks

    @property
    def total(self) -> Tally:
        return self.attendance.instagram.tally + self.attendance.tiktok.tally


def _has_satkers(report: AttendanceReport) -> bool:
    return len([s for s in report.satkers if s.tally.personnel]) > 1


def top_and_bottom(ranked: list, n: int = 5) -> tuple[list, list]:
    """The best n of a ranked list, and the worst n (worst first) that are not among the best."""
    return ranked[:n], list(reversed(ranked[max(n, len(ranked) - n):]))


def combined_recap(attendance: CombinedAttendance, *, top_n: int = 5, backlog_n: int = 10) -> CombinedRecap:
    by_satker = _has_satkers(attendance.instagram)
    units = satker_units(attendance) if by_satker else division_units(attendance)
    ranked = [u for u in units if not u.is_directorate and u.capaian is not None]
    top, bottom = top_and_bottom(ranked, top_n)
    backlog = sorted((u for u in units if u.combined.backlog), key=lambda u: (-u.combined.backlog, u.name))
    return CombinedRecap(attendance, "satker" if by_satker else "divisi", units, top, bottom, backlog[:backlog_n])


async def build_combined_recap(db: Executor, client: Client, period: Period, *,
                               rules: AttendanceRules | None = None) -> CombinedRecap:
    return combined_recap(await build_combined_attendance(db, client, period, rules=rules))


# --------------------------------------------------------------------------- ranking (22)

@dataclass(frozen=True)
class RankingRow:
    rank: int | None                    # None for the directorate's own row
    unit: UnitScore


@dataclass(frozen=True)
class EngagementRanking:
    attendance: CombinedAttendance
    rows: list[RankingRow]              # the directorate first, then satker ranked 1…n

    @property
    def period(self) -> Period:
        return self.attendance.instagram.period

    @property
    def client(self) -> Client:
        return self.attendance.instagram.client

    @property
    def total(self) -> UnitScore:
        ig, tt = self.attendance.instagram, self.attendance.tiktok
        return UnitScore("TOTAL", "TOTAL", False, ig.tally, tt.tally)


def engagement_ranking(attendance: CombinedAttendance) -> EngagementRanking:
    rows, n = [], 0
    for unit in satker_units(attendance):
        if not unit.is_directorate:
            n += 1
        rows.append(RankingRow(None if unit.is_directorate else n, unit))
    return EngagementRanking(attendance, rows)


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

    def band(self, capaian: float | None) -> str:
        if capaian is not None and capaian >= self.active_percent - 1e-9:
            return "aktif"
        if capaian is not None and capaian >= self.medium_percent - 1e-9:
            return "sedang"
        return "rendah"


@dataclass(frozen=True)
class SatkerCompliance:
    unit: UnitScore
    band: str                           # aktif | sedang | rendah


@dataclass(frozen=True)
class KasatkerReport:
    attendance: CombinedAttendance
    bands: KasatkerBands
    satkers: list[SatkerCompliance]     # by performance; the directorate's own staff are not under supervision

    @property
    def has_tasks(self) -> bool:
        return self.attendance.has_tasks

    def in_band(self, band: str) -> list[SatkerCompliance]:
        return [s for s in self.satkers if s.band == band]


def kasatker_report(attendance: CombinedAttendance, bands: KasatkerBands) -> KasatkerReport:
    units = satker_units(attendance)
    if len(units) > 1:
        units = [u for u in units if not u.is_directorate]
    return KasatkerReport(attendance, bands, [SatkerCompliance(u, bands.band(u.capaian)) for u in units])


async def build_kasatker_report(db: Executor, client: Client, period: Period, *, bands: KasatkerBands,
                                rules: AttendanceRules | None = None) -> KasatkerReport:
    both = await build_combined_attendance(db, client, period, rules=rules, scope=Scope.DIRECTORATE)
    return kasatker_report(both, bands)
