"""A complaint "sudah melaksanakan tetapi belum terdata", checked against what Cicero has recorded.

    check = await check_complaint(db, client, nrp, Platform.INSTAGRAM, now=now, rules=rules, tz=tz)
    answer_text(check, last_fetch_at)      # for the person who complained (the dashboard)
    operator_text(check, issue, ...)       # forwarded to the client's operator on WhatsApp

The person's tasks of the day and which of them are recorded as done come from
`build_attendance` (Scope.CLIENT, with post ids) — the numbers of the recaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import JAKARTA
from db.clients import Client
from db.pool import Executor
from handlers.reports.attendance import (
    AttendanceRules, Period, PersonAttendance, Platform, PostRef, Scope, build_attendance,
)
from handlers.reports.formatting import id_time, id_weekday_date

ISSUE_DEFAULT = "sudah melaksanakan tetapi belum terdata"
MAX_LINKS = 10


@dataclass(frozen=True)
class ComplaintCheck:
    client: Client
    platform: Platform
    period: Period
    person: PersonAttendance | None      # None: the person is not counted by the client's recap (inactive)
    posts: list[PostRef]

    @property
    def tasks(self) -> int:
        return self.person.tasks if self.person else len(self.posts)

    @property
    def done(self) -> int:
        return self.person.done if self.person else 0

    @property
    def recorded(self) -> bool:
        """Every task of the day is recorded as done (and there is at least one)."""
        return self.person is not None and self.tasks > 0 and self.done >= self.tasks

    @property
    def missing(self) -> list[PostRef]:
        if self.person is None or not self.person.username:
            return list(self.posts)
        done = self.person.done_post_ids or frozenset()
        return [p for p in self.posts if p.post_id not in done]


async def check_complaint(db: Executor, client: Client, nrp: str, platform: Platform, *, now: datetime,
                          rules: AttendanceRules, tz) -> ComplaintCheck:
    period = Period.today(now)
    report = await build_attendance(db, client, period, platform, rules=rules, scope=Scope.CLIENT,
                                    with_post_ids=True, tz=tz)
    person = next((p for p in report.people if p.nrp == nrp), None)
    return ComplaintCheck(client, platform, period, person, report.posts)


def _fetched(last_fetch_at: datetime | None) -> str:
    if last_fetch_at is None:
        return "Data belum pernah diambil untuk client ini."
    day = last_fetch_at.astimezone(JAKARTA).date()
    return f"Data terakhir diambil {id_weekday_date(day)} pukul {id_time(last_fetch_at)}."


def status_text(c: ComplaintCheck) -> str:
    """One sentence: what the stored engagement says about the person's tasks of the day."""
    action = "like" if c.platform is Platform.INSTAGRAM else "komentar"
    if c.person is None:
        return "Personel ini tidak aktif atau tidak dihitung dalam rekap client."
    if not c.person.username:
        return f"Username {c.platform.label} personel ini belum diisi, sehingga {action} tidak dapat terdata."
    if c.tasks == 0:
        return f"Belum ada konten {c.platform.label} yang menjadi tugas hari ini."
    if c.recorded:
        return f"Sudah terdata: {action} @{c.person.username} tercatat pada semua {c.tasks} konten hari ini."
    return (f"Tercatat {c.done} dari {c.tasks} konten hari ini untuk @{c.person.username}; "
            f"{len(c.missing)} konten belum terdata.")


def _links(c: ComplaintCheck) -> list[str]:
    missing = c.missing if c.person is not None and c.person.username else []
    lines = [f"• {p.url}" for p in missing[:MAX_LINKS]]
    if len(missing) > MAX_LINKS:
        lines.append(f"• … dan {len(missing) - MAX_LINKS} konten lain")
    return lines


def answer_text(c: ComplaintCheck, last_fetch_at: datetime | None, *, forwarded: bool) -> str:
    """The reply shown to whoever filed the complaint."""
    parts = [status_text(c), _fetched(last_fetch_at)]
    if not c.recorded and c.person is not None and c.person.username and c.tasks:
        parts.append("Engagement yang baru dilakukan akan terdata pada pengambilan data berikutnya.")
    parts.append("Komplain diteruskan ke operator client." if forwarded
                 else "Komplain tercatat (client belum punya nomor operator).")
    return " ".join(parts)


def operator_text(c: ComplaintCheck, *, nrp: str, name: str, username: str | None, issue: str,
                  reporter: str, last_fetch_at: datetime | None) -> str:
    """The WhatsApp message to the client's operator."""
    lines = [f"📣 *Komplain absensi {c.platform.label}* — {c.client.name}",
             f"NRP {nrp} — {name}",
             f"Username: {'@' + username if username else '-'}",
             f"Kendala: {issue}",
             f"Dilaporkan oleh: {reporter}",
             "",
             f"Cek sistem: {status_text(c)}",
             _fetched(last_fetch_at)]
    links = _links(c)
    if links:
        lines += ["Konten yang belum terdata:", *links]
    return "\n".join(lines)
