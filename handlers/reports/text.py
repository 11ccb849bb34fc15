"""WhatsApp text renderers for the reports (Bahasa Indonesia, WIB, Indonesian numbers).

Every function takes a typed result from a builder plus `now` (for the header
time) and returns one string; the chat layer splits long texts. Every figure is
written `Label: value` with the label of `attendance.definitions` (`figure_text`),
so a figure reads the same in every report and can be read back by tests.
"""

from __future__ import annotations

from datetime import datetime

from core.clock import local_day
from handlers.reports.attendance import (
    BELUM, CAPAIAN, KURANG, LENGKAP, PERSONNEL, SUDAH, TANPA_USERNAME, TASKS, USERNAME_FILLED, AttendanceReport,
    Category, Figure, PersonAttendance, Period, Platform, PostRef, Tally, division_label,
)
from handlers.reports.completeness import CompletenessCount, CompletenessReport
from handlers.reports.formatting import greeting, id_number, id_percent, id_time, id_weekday_date
from handlers.reports.recaps import CombinedRecap, KasatkerReport, UnitScore
from handlers.reports.sections import Section, render_sections

NO_VALUE = "-"


def _n(value: int) -> str:
    return id_number(value)


def percent_text(value: float | None) -> str:
    return NO_VALUE if value is None else id_percent(value)


def figure_value(figure: Figure, value) -> str:
    if figure.unit == "%":
        return percent_text(value)
    return f"{_n(value)} pers" if figure.unit == "pers" else _n(value)


def figure_text(figure: Figure, value, platform: Platform | None = None, *, bold: bool = False) -> str:
    """'Jumlah personel: 8 pers' (or '*Jumlah personel:* 8 pers')."""
    label = figure.label_for(platform)
    return f"*{label}:* {figure_value(figure, value)}" if bold else f"{label}: {figure_value(figure, value)}"


def capaian_text(t: Tally) -> str:
    """'Capaian tugas: 62,5% (5/8 tugas)' — tugas terlaksana / tugas personel in brackets."""
    return f"{figure_text(CAPAIAN, t.capaian)} ({_n(t.tasks_done)}/{_n(t.tasks_assigned)} tugas)"


def period_phrase(period: Period, now: datetime) -> str:
    """'hari ini' / 'kemarin' / 'periode …'."""
    today = local_day(now)
    if period.is_single_day and period.first == today:
        return "hari ini"
    if period.is_single_day and (today - period.first).days == 1:
        return "kemarin"
    return f"periode {period.label()}"


def no_content_text(report: AttendanceReport, now: datetime) -> str:
    account = report.client.instagram if report.platform is Platform.INSTAGRAM else report.client.tiktok
    who = f" (@{account})" if account else ""
    return (f"ℹ️ Belum ada konten {report.platform.label} dari akun resmi *{report.client.name}*{who} "
            f"{period_phrase(report.period, now)}.")


def no_content_both_text(client_name: str, period: Period, now: datetime) -> str:
    return f"ℹ️ Belum ada konten Instagram maupun TikTok dari akun resmi *{client_name}* {period_phrase(period, now)}."


def no_personnel_text(name: str) -> str:
    return f"ℹ️ Belum ada data personel aktif untuk *{name}*."


def _header(title: str, report: AttendanceReport, now: datetime) -> list[str]:
    return [
        "Mohon izin Komandan,",
        "",
        f"📋 *{title}*",
        f"*{report.client.name}*",
        f"Periode: {report.period.label()}",
        f"Dibuat: {id_weekday_date(local_day(now))}, pukul {id_time(now)}",
        *([f"Data likes/komentar per: {id_weekday_date(local_day(report.data_fetched_at))}, pukul "
           f"{id_time(report.data_fetched_at)}"] if report.data_fetched_at else []),
    ]


def _links(posts: list[PostRef]) -> list[str]:
    lines = [figure_text(TASKS, len(posts), bold=True), "*Link konten:*"]
    lines += [f"{i}. {p.url}" for i, p in enumerate(posts, 1)]
    return lines


def _criteria(report: AttendanceReport) -> list[str]:
    r = report.rules
    if r.complete_percent >= 100 and r.partial_percent <= 0:
        return []
    return [f"_Kriteria: lengkap ≥ {id_number(r.complete_percent, 0)}% konten, "
            f"kurang > {id_number(r.partial_percent, 0)}%_"]


def totals_lines(t: Tally, platform: Platform, *, bold: bool = True) -> list[str]:
    """The totals block of an attendance report (personnel, sudah/lengkap/kurang, belum, no username, capaian)."""
    return [
        figure_text(PERSONNEL, t.personnel, bold=bold),
        "✅ " + figure_text(SUDAH, t.sudah, bold=bold),
        "- " + figure_text(LENGKAP, t.lengkap),
        "- " + figure_text(KURANG, t.kurang),
        "❌ " + figure_text(BELUM, t.belum, bold=bold),
        "⚠️ " + figure_text(TANPA_USERNAME, t.tanpa_username, platform, bold=bold),
        capaian_text(t),
    ]


def _early_exit(report: AttendanceReport, now: datetime) -> str | None:
    if not report.has_tasks:
        return no_content_text(report, now)
    if not report.people:
        return no_personnel_text(report.client.name)
    return None


def _person_line(p: PersonAttendance, *, with_count: bool = True) -> str:
    if not with_count:
        return f"- {p.display_name}"
    return f"- {p.display_name} — {p.done}/{p.tasks}"


def _title(report: AttendanceReport, kind: str) -> str:
    what = "Likes Instagram" if report.platform is Platform.INSTAGRAM else "Komentar TikTok"
    return f"{kind} {what}"


def _sections(platform: Platform) -> list[tuple[Category, str, str]]:
    """The four name lists: category, emoji, label."""
    return [(Category.LENGKAP, "✅", LENGKAP.label), (Category.KURANG, "⚠️", KURANG.label),
            (Category.BELUM, "❌", BELUM.label), (Category.TANPA_USERNAME, "⚠️❌", TANPA_USERNAME.label_for(platform))]


# --------------------------------------------------------------------------- options 5 / 10

def render_division_detail(report: AttendanceReport, now: datetime) -> str:
    """Per-division attendance with names (options 5 and 10)."""
    early = _early_exit(report, now)
    if early:
        return early
    lines = _header(_title(report, "Rekap Absensi"), report, now) + [""] + _links(report.posts) + [""]
    lines += totals_lines(report.tally, report.platform) + _criteria(report)
    for i, division in enumerate(report.divisions, 1):
        t = division.tally
        lines += ["", f"*{i}. {division_label(division.name)}*", figure_text(PERSONNEL, t.personnel), capaian_text(t)]
        for category, emoji, label in _sections(report.platform):
            members = division.of_category(category)
            if members:
                lines.append(f"{emoji} {label} ({_n(len(members))} pers):")
                lines += [_person_line(p) for p in members]
    lines += ["", "Terima kasih."]
    return "\n".join(lines)


# --------------------------------------------------------------------------- options 6 / 9

def render_simple_lists(report: AttendanceReport, now: datetime) -> str:
    """Totals and four flat name lists (options 6 and 9)."""
    early = _early_exit(report, now)
    if early:
        return early
    lines = _header(_title(report, "Absensi"), report, now) + [""] + _links(report.posts) + [""]
    lines += totals_lines(report.tally, report.platform) + _criteria(report)
    for category, emoji, label in _sections(report.platform):
        members = sorted(report.of_category(category), key=lambda p: p.sort_key)
        lines += ["", f"{emoji} *{label} ({_n(len(members))} pers):*"]
        lines += [_person_line(p, with_count=category is Category.KURANG) for p in members] or ["-"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- options 7 / 8

def render_satker_summary(report: AttendanceReport, now: datetime) -> str:
    """Per-satker totals for a directorate (options 7 and 8): the directorate first, then by performance."""
    early = _early_exit(report, now)
    if early:
        return early
    lines = _header(_title(report, "Rekap Akumulasi"), report, now) + [""] + _links(report.posts) + [""]
    lines += totals_lines(report.tally, report.platform) + _criteria(report)
    for i, s in enumerate(report.satkers, 1):
        t = s.tally
        lines += ["", f"*{i}. {s.name}*"]
        if not t.personnel:
            lines.append("Belum ada data personel.")
            continue
        lines += [figure_text(PERSONNEL, t.personnel), figure_text(LENGKAP, t.lengkap), figure_text(KURANG, t.kurang),
                  figure_text(BELUM, t.belum), figure_text(TANPA_USERNAME, t.tanpa_username, report.platform),
                  capaian_text(t)]
    lines += ["", "Terima kasih."]
    return "\n".join(lines)


# --------------------------------------------------------------------------- options 1 / 3

def _completeness_block(c: CompletenessCount) -> list[str]:
    return [figure_text(PERSONNEL, c.personnel)] + [
        figure_text(fig, value(p), p)
        for fig, value in ((USERNAME_FILLED, c.username_filled), (TANPA_USERNAME, c.tanpa_username))
        for p in Platform
    ]


def render_completeness_recap(report: CompletenessReport, now: datetime) -> str:
    """Option 1: username completeness per satker."""
    lines = [
        f"{greeting(now)},",
        "",
        f"Mohon izin Komandan, melaporkan kelengkapan data personel *{report.client.name}* "
        f"per {id_weekday_date(local_day(now))}, pukul {id_time(now)}:",
        "",
    ]
    if not report.total.personnel:
        return "\n".join(lines + [no_personnel_text(report.client.name)])
    lines += ["*Total*"] + _completeness_block(report.total)
    lines += ["", "*Satker yang sudah input data:*"]
    for i, s in enumerate(report.satkers, 1):
        lines += ["", f"*{i}. {s.name}*"] + _completeness_block(s.count)
    if report.satkers_without_data:
        lines += ["", "*Satker yang belum input data:*"]
        lines += [f"{i}. {name}" for i, name in enumerate(report.satkers_without_data, 1)]
    return "\n".join(lines)


def render_missing_data(report: CompletenessReport, now: datetime) -> str:
    """Option 3: personnel with missing usernames, per division."""
    head = [
        f"{greeting(now)},",
        "",
        f"Mohon izin Komandan, melaporkan personel *{report.client.name}* yang datanya belum lengkap "
        f"per {id_weekday_date(local_day(now))}, pukul {id_time(now)}:",
    ]
    if not report.total.personnel:
        return "\n".join(head + ["", no_personnel_text(report.client.name)])
    if not report.missing_by_division:
        return "\n".join(head + ["", f"✅ Semua {_n(report.total.personnel)} personel sudah mengisi username "
                                     "Instagram dan TikTok. Tidak ada data yang kurang."])
    lines = head + [f"Total belum lengkap: {_n(report.missing_count)} dari {_n(report.total.personnel)} personel."]
    lines += [figure_text(TANPA_USERNAME, report.total.tanpa_username(p), p) for p in Platform]
    for d in report.missing_by_division:
        lines += ["", f"*{division_label(d.name)}* ({_n(len(d.people))})"]
        for p in d.people:
            gaps = [f"{platform.label} kosong" for platform in Platform if not p.username(platform)]
            lines.append(f"- {p.display_name}: {', '.join(gaps)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- option 21

def tally_line(i: int | None, name: str, t: Tally) -> str:
    """'1. POLRES A: 100,0% (4/4 tugas)' — a unit's capaian tugas ('-' without tasks); no number for i=None."""
    head = f"{i}. {name}" if i is not None else name
    if t.capaian is None:
        return f"{head}: {NO_VALUE}"
    return f"{head}: {percent_text(t.capaian)} ({_n(t.tasks_done)}/{_n(t.tasks_assigned)} tugas)"


def unit_line(i: int, u: UnitScore) -> str:
    """The unit's capaian tugas on both platforms."""
    return tally_line(i, u.name, u.combined)


def render_combined_recap(recap: CombinedRecap, now: datetime) -> str:
    """Option 21: Instagram and TikTok together, links, top/bottom, backlog."""
    ig, tt = recap.attendance.instagram, recap.attendance.tiktok
    if not recap.has_tasks:
        return no_content_both_text(recap.client.name, recap.period, now)
    if not ig.people:
        return no_personnel_text(recap.client.name)
    lines = [
        f"{greeting(now)}, mohon izin Komandan.",
        "",
        "📊 *Rekap Gabungan Pelaksanaan Tugas Sosial Media*",
        f"*{recap.client.name}*",
        f"Periode: {recap.period.label()}",
        f"Dibuat: pukul {id_time(now)}",
    ]
    sections = []
    for rep in (ig, tt):
        body = [f"Belum ada konten {rep.platform.label} {period_phrase(rep.period, now)}."] if not rep.has_tasks \
            else [figure_text(TASKS, len(rep.posts)), *(f"- {p.url}" for p in rep.posts), *totals_lines(rep.tally, rep.platform)]
        sections.append(Section(rep.platform.label, body, suffix=f" ({rep.platform.action})"))
    unit = recap.unit_kind
    sections += [
        Section("Gabungan Instagram dan TikTok", [capaian_text(recap.total)], numbered=False),
        Section(f"🔥 {len(recap.top)} {unit} tertinggi", [unit_line(i, u) for i, u in enumerate(recap.top, 1)],
                suffix=f" ({CAPAIAN.label})"),
        Section(f"❄️ {len(recap.bottom)} {unit} terendah", [unit_line(i, u) for i, u in enumerate(recap.bottom, 1)],
                suffix=f" ({CAPAIAN.label})"),
        Section("Sisa tugas:", [f"{i}. {u.name}: {_n(u.combined.backlog)} tugas" for i, u in enumerate(recap.backlog, 1)],
                suffix=f" {_n(recap.total.backlog)} tugas", always=True),
    ]
    lines += render_sections(sections)
    lines += ["", "Mohon arahan Komandan agar personel segera melaksanakan likes dan komentar. Terima kasih."]
    return "\n".join(lines)


# --------------------------------------------------------------------------- option 30

def render_kasatker(report: KasatkerReport, now: datetime) -> str:
    ig = report.attendance.instagram
    if not report.has_tasks:
        return no_content_both_text(ig.client.name, ig.period, now)
    b = report.bands
    lines = [
        "*KEPADA YTH.* Para Kasatker jajaran",
        f"*DARI:* {ig.client.name}",
        "*PERIHAL:* Laporan kepatuhan pelaksanaan likes dan komentar",
        "",
        f"Periode {ig.period.label()} (dibuat pukul {id_time(now)}).",
        f"Nilai kepatuhan = {CAPAIAN.label}: likes Instagram dan komentar TikTok yang terlaksana dibanding "
        "tugas personel yang sudah mengisi username.",
        f"Kriteria: aktif ≥ {id_number(b.active_percent, 0)}%, sedang ≥ {id_number(b.medium_percent, 0)}%, "
        f"rendah < {id_number(b.medium_percent, 0)}%.",
    ]
    for band, label in (("aktif", "KEPATUHAN AKTIF"), ("sedang", "KEPATUHAN SEDANG"), ("rendah", "KEPATUHAN RENDAH")):
        members = report.in_band(band)
        lines += ["", f"*{label}* ({_n(len(members))} satker)"]
        if not members:
            lines.append("-")
        for i, s in enumerate(members, 1):
            u = s.unit
            if not u.personnel:
                note = " (belum ada data personel)"
            elif u.capaian is None:
                note = " (belum mengisi username)"
            elif u.combined.tasks_done == 0:
                note = " (belum ada pelaksanaan)"
            else:
                note = ""
            lines.append(f"{unit_line(i, u)}{note}")
    lines += ["", "Mohon Kasatker dengan kepatuhan sedang dan rendah menindaklanjuti agar personel "
                  "melaksanakan tugas likes dan komentar. Terima kasih."]
    return "\n".join(lines)
