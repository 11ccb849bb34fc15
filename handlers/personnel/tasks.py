"""A person's tasks of today: per post, whether their like/comment is recorded (`cek tugas saya`, reminders).

Figures come from the attendance engine (`build_attendance`, the person's client,
`Scope.CLIENT`, with the done post ids): a person's tasks are their client's
posts of the day; done as the engine counts it (username among the likers or
commenters; an exception person with a username has every task done). The
labels are the attendance definitions' (`TASKS`, `DONE`, `MISSING`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from db.clients import Client
from db.job_runs import client_last_collected_at
from db.pool import Executor
from handlers.personnel.common import OPTION_INSTAGRAM, OPTION_TIKTOK
from handlers.personnel.fields import EXAMPLES
from handlers.reports.attendance import (
    DONE, MISSING, TASKS, AttendanceRules, Period, PersonAttendance, Platform, PostRef, Scope, build_attendance,
)
from handlers.reports.formatting import id_time, id_weekday_date
from handlers.reports.text import figure_text, no_content_both_text

USERNAME_OPTION = {Platform.INSTAGRAM: OPTION_INSTAGRAM, Platform.TIKTOK: OPTION_TIKTOK}


@dataclass(frozen=True)
class PlatformTasks:
    """One person's tasks on one platform today."""

    platform: Platform
    posts: list[PostRef]
    attendance: PersonAttendance

    @property
    def has_username(self) -> bool:
        return self.attendance.username is not None

    @property
    def done_ids(self) -> frozenset[str]:
        return self.attendance.done_post_ids or frozenset()

    @property
    def open_posts(self) -> list[PostRef]:
        return [p for p in self.posts if p.post_id not in self.done_ids]

    @property
    def finished(self) -> bool:
        """Nothing left to do on this platform (no posts, or every post done)."""
        return not self.posts or (self.has_username and self.attendance.missing == 0)


@dataclass(frozen=True)
class PersonalTasks:
    client: Client
    period: Period
    platforms: list[PlatformTasks]          # Instagram, TikTok
    last_collected_at: datetime | None

    @property
    def has_tasks(self) -> bool:
        return any(t.posts for t in self.platforms)

    @property
    def finished(self) -> bool:
        return all(t.finished for t in self.platforms)


async def personal_tasks(db: Executor, client: Client, nrps: Iterable[str], now: datetime,
                         rules: AttendanceRules) -> dict[str, PersonalTasks]:
    """Today's tasks of each of `nrps` (active personnel of `client`); one engine run per platform."""
    wanted = set(nrps)
    period = Period.today(now)
    per_person: dict[str, list[PlatformTasks]] = {nrp: [] for nrp in wanted}
    for platform in Platform:
        report = await build_attendance(db, client, period, platform, rules=rules, scope=Scope.CLIENT,
                                        with_post_ids=True)
        for person in report.people:
            if person.nrp in wanted:
                per_person[person.nrp].append(PlatformTasks(platform, report.posts, person))
    start, _ = period.bounds()
    collected = await client_last_collected_at(db, client.id, since=start)
    return {nrp: PersonalTasks(client, period, platforms, collected)
            for nrp, platforms in per_person.items() if len(platforms) == len(Platform)}


def set_username_hint(platform: Platform, *, in_menu: bool) -> str:
    """Exactly what to do when the platform's username is missing."""
    where = (f"pilih *{USERNAME_OPTION[platform]}* di menu ini" if in_menu
             else f"ketik *menu* lalu pilih *{USERNAME_OPTION[platform]}*")
    return (f"⚠️ Username {platform.label} Anda belum diisi, jadi {platform.action} Anda belum bisa tercatat. "
            f"Untuk mengisinya {where}, lalu kirim username {platform.label} Anda (contoh: {EXAMPLES[platform]}).")


def collected_line(tasks: PersonalTasks) -> str:
    if tasks.last_collected_at is None:
        return "Data likes/komentar hari ini belum diambil."
    return f"Data likes/komentar terakhir diambil pukul {id_time(tasks.last_collected_at)}."


def _platform_block(t: PlatformTasks, *, in_menu: bool) -> list[str]:
    handle = f" (@{t.attendance.username})" if t.has_username else ""
    lines = [f"*{t.platform.label}*{handle} — {t.platform.action}"]
    if not t.posts:
        return lines + [f"Belum ada konten {t.platform.label} hari ini."]
    lines.append(figure_text(TASKS, len(t.posts)))
    if not t.has_username:
        lines.append(set_username_hint(t.platform, in_menu=in_menu))
        return lines + [f"{i}. {p.url}" for i, p in enumerate(t.posts, 1)]
    lines += [figure_text(DONE, t.attendance.done), figure_text(MISSING, t.attendance.missing)]
    if t.attendance.exception:
        lines.append("_Anda personel pengecualian: semua konten dihitung sudah._")
    lines += [f"{i}. {'✅' if p.post_id in t.done_ids else '❌'} {p.url}" for i, p in enumerate(t.posts, 1)]
    return lines


def render_my_tasks(tasks: PersonalTasks, name: str, now: datetime) -> str:
    """`cek tugas saya`: every post of today with ✅ (recorded) or ❌, per platform."""
    head = ["📋 *Tugas Saya Hari Ini*", f"{name} — {tasks.client.name}", id_weekday_date(tasks.period.first)]
    if not tasks.has_tasks:
        return "\n".join(head + ["", no_content_both_text(tasks.client.name, tasks.period, now)])
    lines = head + [collected_line(tasks)]
    for t in tasks.platforms:
        lines += [""] + _platform_block(t, in_menu=True)
    if tasks.finished:
        lines += ["", "✅ Semua tugas hari ini sudah tercatat. Terima kasih."]
    elif any(t.has_username and t.open_posts for t in tasks.platforms):
        lines += ["", "❌ = belum tercatat. Data diambil beberapa kali sehari, jadi like/komentar baru "
                      "muncul setelah pengambilan data berikutnya."]
    return "\n".join(lines)


def render_reminder(tasks: PersonalTasks, name: str) -> str:
    """The personal reminder: only what is still open."""
    lines = [f"⏰ *Pengingat tugas* — {id_weekday_date(tasks.period.first)}",
             f"Yth. {name}, tugas hari ini yang belum tercatat:"]
    for t in tasks.platforms:
        if t.finished:
            continue
        lines += ["", f"*{t.platform.label}* ({t.platform.action})"]
        if not t.has_username:
            lines.append(set_username_hint(t.platform, in_menu=False))
        lines += [f"- {p.url}" for p in t.open_posts]
    lines += ["", collected_line(tasks), "Ketik *notifwa off* untuk berhenti menerima pengingat."]
    return "\n".join(lines)
