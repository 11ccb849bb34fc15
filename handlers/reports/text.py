"""WhatsApp text renderers for the reports (Bahasa Indonesia, WIB, Indonesian numbers).

Every function takes a typed result from a builder plus `now` (for the header
time) and returns one string; the chat layer splits long texts.
"""

from __future__ import annotations

from datetime import datetime

from handlers.reports.attendance import AttendanceReport, Category, PersonAttendance, Period, Platform, PostRef
from handlers.reports.completeness import CompletenessReport
from handlers.reports.formatting import greeting, id_number, id_percent, id_time, id_weekday_date
from handlers.reports.recaps import CombinedRecap, KasatkerReport, UnitScore
from handlers.reports.sorting import division_label
from core.clock import local_day

USERNAME_WORD = {Platform.INSTAGRAM: "Username Instagram", Platform.TIKTOK: "Username TikTok"}


def _n(value: int) -> str:
    return id_number(value)


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
    lines = [f"*Jumlah konten:* {_n(len(posts))}", "*Link konten:*"]
    lines += [f"{i}. {p.url}" for i, p in enumerate(posts, 1)]
    return lines


def _criteria(report: AttendanceReport) -> list[str]:
    r = report.rules
    if r.complete_percent >= 100 and r.partial_percent <= 0:
        return []
    return [f"_Kriteria: lengkap ≥ {id_number(r.complete_percent, 0)}% konten, "
            f"kurang > {id_number(r.partial_percent, 0)}%_"]


def _totals(report: AttendanceReport) -> list[str]:
    t = report.tally
    return [
        f"*Jumlah total personel:* {_n(t.personnel)} pers",
        f"✅ *Sudah melaksanakan:* {_n(t.sudah)} pers",
        f"- Lengkap: {_n(t.lengkap)} pers",
        f"- Kurang lengkap: {_n(t.kurang)} pers",
        f"❌ *Belum melaksanakan:* {_n(t.belum_total)} pers",
        f"⚠️ *Belum mengisi {USERNAME_WORD[report.platform]}:* {_n(t.tanpa_username)} pers",
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


# --------------------------------------------------------------------------- options 5 / 10

def render_division_detail(report: AttendanceReport, now: datetime) -> str:
    """Per-division attendance with names (options 5 and 10)."""
    early = _early_exit(report, now)
    if early:
        return early
    lines = _header(_title(report, "Rekap Absensi"), report, now) + [""] + _links(report.posts) + [""]
    lines += _totals(report) + _criteria(report)
    sections = [
        (Category.LENGKAP, "✅ Melaksanakan lengkap"),
        (Category.KURANG, "⚠️ Melaksanakan kurang lengkap"),
        (Category.BELUM, "❌ Belum melaksanakan"),
        (Category.TANPA_USERNAME, f"⚠️ Belum mengisi {USERNAME_WORD[report.platform]}"),
    ]
    for i, division in enumerate(report.divisions, 1):
        t = division.tally
        lines += ["", f"*{i}. {division_label(division.name)}*",
                  f"Akumulasi pelaksanaan: {_n(t.actions)} dari {_n(t.expected)} tugas ({id_percent(t.percent)})",
                  f"Jumlah personel: {_n(t.personnel)} pers"]
        for category, label in sections:
            members = division.of_category(category)
            if members:
                lines.append(f"{label} ({_n(len(members))} pers):")
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
    lines += _totals(report) + _criteria(report)
    sections = [
        (Category.LENGKAP, "✅ *Melaksanakan lengkap"),
        (Category.KURANG, "⚠️ *Melaksanakan kurang lengkap"),
        (Category.BELUM, "❌ *Belum melaksanakan"),
        (Category.TANPA_USERNAME, f"⚠️❌ *Belum mengisi {USERNAME_WORD[report.platform]}"),
    ]
    for category, label in sections:
        members = sorted(report.of_category(category), key=lambda p: p.sort_key)
        lines += ["", f"{label} ({_n(len(members))} pers):*"]
        lines += [_person_line(p, with_count=category is Category.KURANG) for p in members] or ["-"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- options 7 / 8

def render_satker_summary(report: AttendanceReport, now: datetime) -> str:
    """Per-satker totals for a directorate (options 7 and 8)."""
    if not report.has_tasks:
        return no_content_text(report, now)
    if not report.people:
        return no_personnel_text(report.client.name)
    lines = _header(_title(report, "Rekap Akumulasi"), report, now) + [""] + _links(report.posts) + [""]
    lines += _totals(report) + _criteria(report)
    for i, s in enumerate(report.satkers, 1):
        t = s.tally
        lines += ["", f"*{i}. {s.name}*"]
        if not t.personnel:
            lines.append("Belum ada data personel.")
            continue
        lines += [
            f"Jumlah personel: {_n(t.personnel)} pers",
            f"Sudah melaksanakan: {_n(t.sudah)} pers (lengkap {_n(t.lengkap)}, kurang {_n(t.kurang)})",
            f"Belum melaksanakan: {_n(t.belum_total)} pers",
            f"Belum mengisi username: {_n(t.tanpa_username)} pers",
            f"Capaian: {id_percent(t.percent)}",
        ]
    lines += ["", "Terima kasih."]
    return "\n".join(lines)


# --------------------------------------------------------------------------- options 1 / 3

def render_completeness_recap(report: CompletenessReport, now: datetime) -> str:
    """Option 1: username completeness per satker."""
    t = report.total
    lines = [
        f"{greeting(now)},",
        "",
        f"Mohon izin Komandan, melaporkan kelengkapan data personel *{report.client.name}* "
        f"per {id_weekday_date(local_day(now))}, pukul {id_time(now)}:",
        "",
    ]
    if not t.total:
        return "\n".join(lines + [no_personnel_text(report.client.name)])

    def block(c) -> list[str]:
        return [
            f"Jumlah personel: {_n(c.total)}",
            f"Sudah mengisi Instagram: {_n(c.instagram_filled)}",
            f"Sudah mengisi TikTok: {_n(c.tiktok_filled)}",
            f"Belum mengisi Instagram: {_n(c.instagram_missing)}",
            f"Belum mengisi TikTok: {_n(c.tiktok_missing)}",
        ]

    lines += ["*Total*"] + block(t)
    lines += ["", "*Satker yang sudah input data:*"]
    for i, s in enumerate(report.satkers, 1):
        lines += ["", f"*{i}. {s.name}*"] + block(s.count)
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
    if not report.total.total:
        return "\n".join(head + ["", no_personnel_text(report.client.name)])
    if not report.missing_by_division:
        return "\n".join(head + ["", f"✅ Semua {_n(report.total.total)} personel sudah mengisi username "
                                     "Instagram dan TikTok. Tidak ada data yang kurang."])
    lines = head + [f"Total belum lengkap: {_n(report.missing_count)} dari {_n(report.total.total)} personel."]
    for d in report.missing_by_division:
        lines += ["", f"*{division_label(d.name)}* ({_n(len(d.people))})"]
        for p in d.people:
            gaps = []
            if not p.instagram:
                gaps.append("Instagram kosong")
            if not p.tiktok:
                gaps.append("TikTok kosong")
            lines.append(f"- {p.display_name}: {', '.join(gaps)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- option 21

def _unit_line(i: int, u: UnitScore) -> str:
    return f"{i}. {u.name} — {id_percent(u.percent)} ({_n(u.actions)}/{_n(u.expected)})"


def render_combined_recap(recap: CombinedRecap, now: datetime) -> str:
    """Option 21: Instagram and TikTok together, links, top/bottom, backlog."""
    ig, tt = recap.attendance.instagram, recap.attendance.tiktok
    if not recap.has_tasks:
        return (f"ℹ️ Belum ada konten Instagram maupun TikTok dari akun resmi *{recap.client.name}* "
                f"{period_phrase(recap.period, now)}.")
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
    for number, rep in ((1, ig), (2, tt)):
        t = rep.tally
        lines += ["", f"*{number}. {rep.platform.label}* ({rep.platform.action})"]
        if not rep.has_tasks:
            lines.append(f"Belum ada konten {rep.platform.label} {period_phrase(rep.period, now)}.")
            continue
        lines += [f"Jumlah konten: {_n(len(rep.posts))}"]
        lines += [f"- {p.url}" for p in rep.posts]
        lines += [
            f"Personel: {_n(t.personnel)} | Lengkap: {_n(t.lengkap)} | Kurang: {_n(t.kurang)} | "
            f"Belum: {_n(t.belum)} | Tanpa username: {_n(t.tanpa_username)}",
            f"Capaian: {_n(t.actions)} dari {_n(t.expected)} tugas ({id_percent(t.percent)})",
        ]
    unit = recap.unit_kind
    if recap.top:
        lines += ["", f"*3. 🔥 {len(recap.top)} {unit} tertinggi*"]
        lines += [_unit_line(i, u) for i, u in enumerate(recap.top, 1)]
    if recap.bottom:
        lines += ["", f"*4. ❄️ {len(recap.bottom)} {unit} terendah*"]
        lines += [_unit_line(i, u) for i, u in enumerate(recap.bottom, 1)]
    lines += ["", f"*5. Sisa tugas belum dikerjakan:* {_n(recap.total_backlog)}"]
    lines += [f"{i}. {u.name} — {_n(u.backlog)} tugas" for i, u in enumerate(recap.backlog, 1)]
    lines += ["", "Mohon arahan Komandan agar personel segera melaksanakan likes dan komentar. Terima kasih."]
    return "\n".join(lines)


# --------------------------------------------------------------------------- option 30

def render_kasatker(report: KasatkerReport, now: datetime) -> str:
    ig = report.attendance.instagram
    if not report.has_tasks:
        return (f"ℹ️ Belum ada konten Instagram maupun TikTok dari akun resmi *{ig.client.name}* "
                f"{period_phrase(ig.period, now)}.")
    b = report.bands
    lines = [
        "*KEPADA YTH.* Para Kasatker jajaran",
        f"*DARI:* {ig.client.name}",
        "*PERIHAL:* Laporan kepatuhan pelaksanaan likes dan komentar",
        "",
        f"Periode {ig.period.label()} (dibuat pukul {id_time(now)}).",
        "Nilai kepatuhan = rata-rata persentase personel yang sudah melaksanakan likes Instagram "
        "dan komentar TikTok.",
        f"Kriteria: aktif ≥ {id_number(b.active_percent, 0)}%, sedang ≥ {id_number(b.medium_percent, 0)}%, "
        f"rendah < {id_number(b.medium_percent, 0)}%.",
    ]
    for band, label in (("aktif", "KEPATUHAN AKTIF"), ("sedang", "KEPATUHAN SEDANG"), ("rendah", "KEPATUHAN RENDAH")):
        members = report.in_band(band)
        lines += ["", f"*{label}* ({_n(len(members))} satker)"]
        if not members:
            lines.append("-")
        for i, s in enumerate(members, 1):
            if not s.personnel:
                note = " (belum ada data personel)"
            elif s.score == 0:
                note = " (belum ada pelaksanaan)"
            else:
                note = ""
            lines.append(f"{i}. {s.name}: {id_percent(s.score)}{note}")
    lines += ["", "Mohon Kasatker dengan kepatuhan sedang dan rendah menindaklanjuti agar personel "
                  "melaksanakan tugas likes dan komentar. Terima kasih."]
    return "\n".join(lines)
