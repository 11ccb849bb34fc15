"""An `Anev` → the body of GET /api/dashboard/anev, in the keys the Anev page reads.

`aggregates.totals` (total_users, likes, comments, expected_actions,
completion_rate, posts per platform), `aggregates.timeline`, `platforms`,
`tasks` (per satker/satfung), `compliance_per_pelaksana` (per person),
`user_per_satfung`, `instagram.likes_per_satfung`, `tiktok.per_satfung`, the
`*_engagement` breakdowns (at the root) and the personnel `directory`. "likes"/"comments" are
the tasks personnel did (the recaps' tugas terlaksana), not the posts' public
counts; every rate is a capaian tugas in percent.
"""

from __future__ import annotations

from bot.api.page_periods import TIME_RANGES
from handlers.reports.anev import Anev, PersonLine, Unit
from handlers.reports.attendance import AttendanceReport, Platform, Tally


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _totals(anev: Anev) -> dict:
    ig, tt, both = anev.ig.tally, anev.tt.tally, anev.tally
    return {"total_users": ig.personnel, "users": ig.personnel, "likes": ig.tasks_done, "total_likes": ig.tasks_done,
            "comments": tt.tasks_done, "total_comments": tt.tasks_done, "expected_actions": both.tasks_assigned,
            "completed_actions": both.tasks_done, "completion_rate": _rate(both.capaian),
            "posts": {"instagram": anev.ig.task_count, "tiktok": anev.tt.task_count},
            "instagram_posts": anev.ig.task_count, "tiktok_posts": anev.tt.task_count}


def _timeline(anev: Anev) -> list[dict]:
    return [{"date": b.period.first.isoformat(), "start_date": b.period.first.isoformat(),
             "end_date": b.period.last.isoformat(), "label": b.period.label(), "instagram_posts": b.ig_tasks,
             "tiktok_posts": b.tt_tasks, "posts": b.ig_tasks + b.tt_tasks, "likes": b.ig.tasks_done,
             "comments": b.tt.tasks_done, "interactions": b.ig.tasks_done + b.tt.tasks_done,
             "completion_rate": _rate((b.ig + b.tt).capaian)} for b in anev.timeline]


def _platform(report: AttendanceReport) -> dict:
    t = report.tally
    instagram = report.platform is Platform.INSTAGRAM
    return {"platform": report.platform.value, "label": report.platform.label, "posts": report.task_count,
            "likes": t.tasks_done if instagram else 0, "comments": 0 if instagram else t.tasks_done,
            "engagement": t.tasks_done, "personnel": t.personnel, "lengkap": t.lengkap, "kurang": t.kurang,
            "belum": t.belum, "tanpa_username": t.tanpa_username, "tasks_assigned": t.tasks_assigned,
            "tasks_done": t.tasks_done, "completion_rate": _rate(t.capaian)}


def _unit_row(u: Unit) -> dict:
    t = u.tally
    return {"name": u.name, "satfung": u.name, "client_id": u.client_id, "personnel": u.personnel,
            "assigned": t.tasks_assigned, "completed": t.tasks_done, "completion_rate": _rate(t.capaian)}


def _person_row(p: PersonLine) -> dict:
    name = f"{p.rank} {p.name}".strip() if p.rank else p.name
    return {"user_id": p.nrp, "nama": name, "pelaksana": name, "client_id": p.client_id, "client_name": p.client_name,
            "satfung": p.division, "likes": p.ig_done, "comments": p.tt_done, "total_actions": p.completed,
            "assigned": p.assigned, "completed": p.completed, "completion_rate": _rate(p.capaian)}


def _unit_engagement(name: str, tally: Tally, posts: int, instagram: bool) -> dict:
    return {"satfung": name, "posts": posts, "likes": tally.tasks_done if instagram else 0,
            "comments": 0 if instagram else tally.tasks_done, "engagement": tally.tasks_done,
            "engagement_rate": _rate(tally.capaian)}


def _engagement(anev: Anev, report: AttendanceReport) -> dict:
    instagram = report.platform is Platform.INSTAGRAM
    t = report.tally
    per_user = [{"user_id": p.nrp, "username": p.username, "platform": report.platform.value, "satfung": p.division,
                 "posts": p.tasks, "likes": p.done if instagram else 0, "comments": 0 if instagram else p.done,
                 "engagement": p.done} for p in report.people if p.username]
    per_unit = [_unit_engagement(u.name, u.ig if instagram else u.tt, report.task_count, instagram)
                for u in anev.units]
    return {"totals": {"total_posts": report.task_count, "total_likes": t.tasks_done if instagram else 0,
                       "total_comments": 0 if instagram else t.tasks_done, "completion_rate": _rate(t.capaian)},
            "per_user": per_user, "per_satfung": per_unit}


def _directory(anev: Anev) -> list[dict]:
    return [{"user_id": p.nrp, "username": p.instagram or p.tiktok or "",
             "full_name": f"{p.rank} {p.name}".strip() if p.rank else p.name, "satfung": p.division,
             "division": p.division, "client_id": p.client_id, "client_name": p.client_name,
             "instagram": p.instagram, "tiktok": p.tiktok} for p in anev.people]


def anev_payload(anev: Anev, *, time_range: str, role: str | None, regional_id: str | None) -> dict:
    ig_engagement, tt_engagement = _engagement(anev, anev.ig), _engagement(anev, anev.tt)
    return {"success": True, "data": {
        "filters": {"time_range": time_range, "start_date": anev.period.first.isoformat(),
                    "end_date": anev.period.last.isoformat(), "client_id": anev.client.id, "role": role,
                    "scope": "direktorat" if anev.by_satker else "org", "regional_id": regional_id,
                    "permitted_time_ranges": list(TIME_RANGES)},
        "aggregates": {
            "totals": _totals(anev), "timeline": _timeline(anev),
            "platforms": [_platform(anev.ig), _platform(anev.tt)],
            "tasks": [_unit_row(u) for u in anev.units],
            "compliance_per_pelaksana": [_person_row(p) for p in anev.people],
            "user_per_satfung": [{"satfung": u.name, "count": u.personnel} for u in anev.units],
        },
        "instagram": {"likes_per_satfung": ig_engagement["per_satfung"]},
        "tiktok": {"per_satfung": tt_engagement["per_satfung"]},
        # the page reads these at the root first (utils/api.ts getDashboardAnev), so they are sent once
        "instagram_engagement": ig_engagement, "tiktok_engagement": tt_engagement,
        "directory": _directory(anev),
    }}
