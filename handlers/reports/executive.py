"""Option 2: the executive summary of a directorate — posts, totals, shares per satker, best and worst, change.

    report = await build_executive_report(pool, client, Period.today(now), rules=rules)
    render_executive(report, now)              # the WhatsApp text
    executive_chart(report, target=90.0)       # the PNG (share per satker, sorted, target line)

The figures come from `summary.build_summary` — the dashboard's executive
summary — so the API and this text are one set: the period's and the previous
period's attendance of both platforms (`previous_period` of a day is the day
before, so "change" is against yesterday). The satker are ranked by
`recaps.engagement_ranking` (option 22's ranks, option 21's order), so the
best and worst satker here are option 21's first "tertinggi" and last ranked
satker, and rank n is option 22's rank n.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.clients import Client
from db.pool import Executor
from handlers.reports.attendance import (
    BELUM, CAPAIAN, PERSONNEL, TANPA_USERNAME, TASKS, AttendanceReport, AttendanceRules, CombinedAttendance, Period,
    Platform, Scope, Tally,
)
from handlers.reports.charts import chart_document, share_chart
from handlers.reports.formatting import greeting, safe_name, id_number, id_time, id_weekday_date
from handlers.reports.recaps import UnitScore, engagement_ranking
from handlers.reports.sections import Section, render_sections
from handlers.reports.summary import ExecutiveSummary, build_summary, count_change, point_change
from handlers.reports.text import capaian_text, figure_text, no_content_both_text, no_personnel_text, tally_line
from core.chat_port import Document
from core.clock import local_day

TITLE = "Ringkasan Eksekutif Tugas Sosial Media"


@dataclass(frozen=True)
class SatkerShare:
    """One satker's capaian tugas on both platforms, its option-22 rank and its change."""

    rank: int | None                    # None for the directorate's own staff
    unit: UnitScore
    previous: UnitScore | None          # the same satker in the previous period

    @property
    def capaian(self) -> float | None:
        return self.unit.capaian

    @property
    def change(self) -> str:
        """'+20,0 poin' against the previous period; '' when either period has no tasks to score."""
        return point_change(self.unit.capaian, self.previous.capaian if self.previous else None)


@dataclass(frozen=True)
class ExecutiveReport:
    summary: ExecutiveSummary
    own: SatkerShare | None             # the directorate's own staff (not ranked)
    satkers: list[SatkerShare]          # every satker in rank order (option 22), those without tasks last

    @property
    def client(self) -> Client:
        return self.summary.client

    @property
    def period(self) -> Period:
        return self.summary.period

    @property
    def has_tasks(self) -> bool:
        return self.summary.ig.has_tasks or self.summary.tt.has_tasks

    @property
    def total(self) -> Tally:
        return self.summary.tally

    @property
    def previous_total(self) -> Tally:
        return self.summary.previous_ig.tally + self.summary.previous_tt.tally

    @property
    def ranked(self) -> list[SatkerShare]:
        """The satker with a score, best first (option 21's ranking list)."""
        return [s for s in self.satkers if s.capaian is not None]

    @property
    def best(self) -> SatkerShare | None:
        return self.ranked[0] if self.ranked else None

    @property
    def worst(self) -> SatkerShare | None:
        return self.ranked[-1] if len(self.ranked) > 1 else None


def executive_report(summary: ExecutiveSummary) -> ExecutiveReport:
    """Satker shares of a summary, ranked as option 22 ranks them, each beside its previous period."""
    now = engagement_ranking(CombinedAttendance(summary.ig, summary.tt))
    before = {r.unit.key: r.unit for r in engagement_ranking(
        CombinedAttendance(summary.previous_ig, summary.previous_tt)).rows}
    own, satkers = None, []
    for row in now.rows:
        share = SatkerShare(row.rank, row.unit, before.get(row.unit.key))
        if row.rank is None:
            own = share
        else:
            satkers.append(share)
    return ExecutiveReport(summary, own, satkers)


async def build_executive_report(db: Executor, client: Client, period: Period, *,
                                 rules: AttendanceRules) -> ExecutiveReport:
    summary = await build_summary(db, client, period, rules=rules, scope=Scope.DIRECTORATE)
    return executive_report(summary)


# --------------------------------------------------------------------------- rendering (Bahasa Indonesia)

def _before_phrase(report: ExecutiveReport, now: datetime) -> str:
    previous = report.summary.previous_period
    if previous.is_single_day and (local_day(now) - previous.first).days == 1:
        return "kemarin"
    return previous.label()


def _change_line(now_value: float | None, before_value: float | None, before: str) -> list[str]:
    change = point_change(now_value, before_value)
    if change:
        return [f"Perubahan {CAPAIAN.label.lower()} dibanding {before}: {change}"]
    if now_value is not None:
        return [f"Perubahan {CAPAIAN.label.lower()} dibanding {before}: - (pembanding tanpa tugas)"]
    return []


def _platform_lines(report: ExecutiveReport, platform: Platform, before: str) -> list[str]:
    s = report.summary
    r: AttendanceReport = s.report(platform)
    p: AttendanceReport = s.previous(platform)
    counted = count_change(r.task_count, p.task_count)
    tasks = f"{figure_text(TASKS, r.task_count)} ({before}: {id_number(p.task_count)}"
    tasks += f"; {counted})" if counted and p.task_count else ")"
    if not r.has_tasks:
        return [tasks, f"Belum ada konten {platform.label}."]
    t = r.tally
    return [tasks, capaian_text(t), figure_text(BELUM, t.belum),
            figure_text(TANPA_USERNAME, t.tanpa_username, platform),
            *_change_line(t.capaian, p.tally.capaian, before)]


def _satker_line(s: SatkerShare, before: str) -> str:
    line = tally_line(s.rank, s.unit.name, s.unit.combined)
    return f"{line} ({s.change} dibanding {before})" if s.change else line


def render_executive(report: ExecutiveReport, now: datetime) -> str:
    s = report.summary
    if not report.has_tasks:
        return no_content_both_text(report.client.name, report.period, now)
    if not s.ig.people:
        return no_personnel_text(report.client.name)
    before = _before_phrase(report, now)
    lines = [
        f"{greeting(now)}, mohon izin Komandan.",
        "",
        f"📊 *{TITLE}*",
        f"*{report.client.name}*",
        f"Periode: {report.period.label()}",
        f"Pembanding: {s.previous_period.label()}",
        f"Dibuat: {id_weekday_date(local_day(now))}, pukul {id_time(now)}",
    ]
    total = [figure_text(PERSONNEL, s.ig.tally.personnel), capaian_text(report.total),
             *_change_line(report.total.capaian, report.previous_total.capaian, before)]
    extremes = []
    if report.best:
        extremes.append(f"🔥 Tertinggi — {tally_line(report.best.rank, report.best.unit.name, report.best.unit.combined)}")
    if report.worst:
        extremes.append(f"❄️ Terendah — {tally_line(report.worst.rank, report.worst.unit.name, report.worst.unit.combined)}")
    shares = []
    if report.own is not None and report.own.unit.personnel:
        shares.append(f"Staf direktorat — {_satker_line(report.own, before)}")
    shares += [_satker_line(x, before) for x in report.satkers]
    lines += render_sections([
        Section(Platform.INSTAGRAM.label, _platform_lines(report, Platform.INSTAGRAM, before),
                suffix=f" ({Platform.INSTAGRAM.action})"),
        Section(Platform.TIKTOK.label, _platform_lines(report, Platform.TIKTOK, before),
                suffix=f" ({Platform.TIKTOK.action})"),
        Section("Gabungan Instagram dan TikTok", total, numbered=False),
        Section("Satker tertinggi dan terendah", extremes, suffix=f" ({CAPAIAN.label})"),
        Section("Capaian per satker", shares, suffix=f" (peringkat; {CAPAIAN.label})"),
    ])
    lines += ["", "Mohon arahan Komandan. Terima kasih."]
    return "\n".join(lines)


def executive_chart(report: ExecutiveReport, *, target: float | None, now: datetime) -> Document | None:
    """The ranked satker's capaian tugas as a PNG (None when no satker has a score)."""
    ranked = report.ranked
    if not ranked:
        return None
    png = share_chart(f"{CAPAIAN.label} per satker — {report.client.name}", [x.unit.name for x in ranked],
                      [x.capaian for x in ranked], target=target,
                      subtitle=f"{report.period.label()} · Instagram + TikTok · dibuat {id_time(now)}")
    return chart_document(png, f"Capaian_Satker_{safe_name(report.client.id)}_{report.period.slug()}.png",
                          f"{CAPAIAN.label} per satker {report.client.name}, {report.period.label()}")
