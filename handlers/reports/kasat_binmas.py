"""Options 34 and 35: likes (Instagram) / comments (TikTok) of the personnel whose position is Kasat Binmas.

    recap = await build_kasat_binmas(pool, client, Period.this_week(now), Platform.INSTAGRAM, rules=rules)
    render_kasat_binmas(recap, now)

The people are those of the directorate's attendance report (`build_attendance`,
scope directorate: every person carrying the directorate's role, in every
satker) whose position matches Kasat Binmas; every figure is the engine's for
the chosen period (a week or a month adds up the period's tasks), counted with
`Tally.of` over those people. The original hard-wired DITBINMAS; here it is the
chosen client.

Position match (the original's rule): upper-case, punctuation → space, the
region words (POLRES, POLDA, POLRESTA, POLTABES, POLSEK, KOTA, KAB, KABUPATEN,
RESORT, WILAYAH) removed, spaces collapsed, then `^KASAT\\s*BINMAS\\b`: "Kasat
Binmas", "KASAT BINMAS POLRES X", "kasat. binmas" and "Kasat-Binmas" match;
"Kanit Binmas", "Wakasat Binmas" and "Kasat Intelkam" do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.clock import local_day
from db.clients import Client
from db.pool import Executor
from handlers.reports.attendance import (
    BELUM, KURANG, LENGKAP, PERSONNEL, TANPA_USERNAME, TASKS, AttendanceReport, AttendanceRules, Category,
    PersonAttendance, Period, Platform, Scope, Tally, build_attendance,
)
from handlers.reports.formatting import id_number, id_time, id_weekday_date
from handlers.reports.sections import Section, render_sections
from handlers.reports.text import capaian_text, figure_text, no_content_text

REGION_WORDS = ("POLRES", "POLDA", "POLRESTA", "POLTABES", "POLSEK", "KOTA", "KAB", "KABUPATEN", "RESORT", "WILAYAH")
MAX_POSITION = 200                  # characters of a position looked at (a position is a short title)
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_REGION = re.compile(rf"\b(?:{'|'.join(REGION_WORDS)})\b")
_KASAT_BINMAS = re.compile(r"^KASAT\s*BINMAS\b")


def normalise_position(position: str | None) -> str:
    """'Kasat. Binmas Polres X' → 'KASAT BINMAS X'."""
    text = _PUNCTUATION.sub(" ", (position or "")[:MAX_POSITION].upper())
    return " ".join(_REGION.sub(" ", " ".join(text.split())).split())


def is_kasat_binmas(position: str | None) -> bool:
    return bool(_KASAT_BINMAS.match(normalise_position(position)))


@dataclass(frozen=True)
class KasatBinmasRecap:
    report: AttendanceReport            # the directorate's whole attendance for the period
    people: list[PersonAttendance]      # the Kasat Binmas: tasks done (most first), then the one person order
    tally: Tally
    satkers_without: list[str]          # satker (not the directorate itself) with no Kasat Binmas in the data

    @property
    def client(self) -> Client:
        return self.report.client

    @property
    def platform(self) -> Platform:
        return self.report.platform

    @property
    def period(self) -> Period:
        return self.report.period

    @property
    def has_tasks(self) -> bool:
        return self.report.has_tasks

    def of_category(self, category: Category) -> list[PersonAttendance]:
        return [p for p in self.people if p.category is category]


def kasat_binmas_recap(report: AttendanceReport) -> KasatBinmasRecap:
    people = sorted((p for p in report.people if is_kasat_binmas(p.position)), key=lambda p: (-p.done, *p.sort_key))
    with_kasat = {p.client_id for p in people}
    without = [s.name for s in report.satkers if not s.is_directorate and s.client_id != report.client.id
               and s.client_id not in with_kasat]
    return KasatBinmasRecap(report, people, Tally.of(people), sorted(without))


async def build_kasat_binmas(db: Executor, client: Client, period: Period, platform: Platform, *,
                             rules: AttendanceRules) -> KasatBinmasRecap:
    report = await build_attendance(db, client, period, platform, rules=rules, scope=Scope.DIRECTORATE)
    return kasat_binmas_recap(report)


# --------------------------------------------------------------------------- rendering (Bahasa Indonesia)

def _what(platform: Platform) -> str:
    return "Likes Instagram" if platform is Platform.INSTAGRAM else "Komentar TikTok"


def _person(i: int, p: PersonAttendance) -> str:
    head = f"{i}. {p.display_name} ({p.client_name})"
    return head if p.category is Category.TANPA_USERNAME else f"{head} — {p.done}/{p.tasks} konten"


def render_kasat_binmas(recap: KasatBinmasRecap, now: datetime) -> str:
    """Shape H: totals of the Kasat Binmas, then one numbered section per status shown, then the satker without one."""
    if not recap.has_tasks:
        return no_content_text(recap.report, now)
    platform, t = recap.platform, recap.tally
    lines = [
        "Mohon izin Komandan,",
        "",
        f"📋 *Absensi {_what(platform)} Kasat Binmas*",
        f"*{recap.client.name}*",
        f"🗓️ Periode: {recap.period.label()}",
        f"Dibuat: {id_weekday_date(local_day(now))}, pukul {id_time(now)}",
        "",
        "📈 " + figure_text(TASKS, recap.report.task_count, bold=True),
        "👥 " + figure_text(PERSONNEL, t.personnel, bold=True) + " (Kasat Binmas)",
    ]
    if not recap.people:
        lines += ["", f"ℹ️ Belum ada personel dengan jabatan Kasat Binmas pada data {recap.client.name}."]
        return "\n".join(lines)
    lines += ["✅ " + figure_text(LENGKAP, t.lengkap), "⚠️ " + figure_text(KURANG, t.kurang),
              "❌ " + figure_text(BELUM, t.belum), "⚠️❌ " + figure_text(TANPA_USERNAME, t.tanpa_username, platform),
              capaian_text(t)]
    sections = [Section(f"{emoji} {figure.label_for(platform)}",
                        [_person(i, p) for i, p in enumerate(recap.of_category(category), 1)],
                        suffix=f" ({id_number(len(recap.of_category(category)))} pers)")
                for category, emoji, figure in ((Category.LENGKAP, "✅", LENGKAP), (Category.KURANG, "⚠️", KURANG),
                                                (Category.BELUM, "❌", BELUM),
                                                (Category.TANPA_USERNAME, "⚠️❌", TANPA_USERNAME))]
    sections.append(Section("Satker tanpa data Kasat Binmas",
                            [f"{i}. {name}" for i, name in enumerate(recap.satkers_without, 1)],
                            suffix=f" ({id_number(len(recap.satkers_without))} satker)"))
    lines += render_sections(sections)
    lines += ["", "Terima kasih."]
    return "\n".join(lines)
