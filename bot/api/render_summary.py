"""An `ExecutiveSummary` → the body of GET /api/clients/{id}/summary (what the executive-summary page reads).

The page reads `summaryMetrics[]` (label, value, suffix, change), `highlights[]`,
`engagementByChannel[]` (channel, reach, engagementRate), `contentTable[]`,
`platformAnalytics.platforms[]` and the `*Narrative` texts
(`cicero-dashboard/app/executive-summary/normalizers.js`). "engagementRate" is
the channel's capaian tugas; "reach" is not collected and reads 0; there is no
audience data, so `audienceComposition` is empty.
"""

from __future__ import annotations

from bot.api.render import iso
from handlers.reports.attendance import AttendanceReport, Platform
from handlers.reports.summary import (
    ExecutiveSummary, highlights, overview_narrative, platform_narrative, units_narrative, user_insight_narrative,
)

MAX_CONTENT_ROWS = 50
IG, TT = Platform.INSTAGRAM, Platform.TIKTOK


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _channel(report: AttendanceReport) -> dict:
    t = report.tally
    return {"channel": report.platform.label, "reach": 0, "engagementRate": _rate(t.capaian),
            "posts": report.task_count, "likes": sum(p.like_count for p in report.posts),
            "comments": sum(p.comment_count for p in report.posts), "tasksDone": t.tasks_done,
            "tasksAssigned": t.tasks_assigned}


def _content(s: ExecutiveSummary) -> list[dict]:
    rows = []
    for report in (s.ig, s.tt):
        for p in report.posts:
            title = " ".join((p.caption or "").split())[:120] or "Konten"
            rows.append({"id": p.post_id, "platform": report.platform.label, "title": title,
                         "format": "Video" if report.platform is TT else "Post", "publishedAt": iso(p.posted_at),
                         "likes": p.like_count, "comments": p.comment_count,
                         "totalInteractions": p.like_count + p.comment_count, "permalink": p.url})
    rows.sort(key=lambda r: (-r["totalInteractions"], r["publishedAt"], r["id"]))
    return rows[:MAX_CONTENT_ROWS]


def _platform(s: ExecutiveSummary, platform: Platform) -> dict:
    report = s.report(platform)
    t = report.tally
    stored = s.profiles.get(platform.value)
    return {"key": platform.value, "label": platform.label,
            "followers": stored.profile.followers if stored else None,
            "following": stored.profile.following if stored else None,
            "posts": report.task_count, "likes": sum(p.like_count for p in report.posts),
            "comments": sum(p.comment_count for p in report.posts), "personnel": t.personnel,
            "lengkap": t.lengkap, "kurang": t.kurang, "belum": t.belum, "tanpa_username": t.tanpa_username,
            "tasks_done": t.tasks_done, "tasks_assigned": t.tasks_assigned, "capaian": _rate(t.capaian)}


def summary_payload(s: ExecutiveSummary) -> dict:
    period = s.period
    month_key = f"{period.first:%Y-%m}" if period.kind == "month" else period.slug()
    return {"success": True, "data": {
        "client_id": s.client.id, "client_name": s.client.name, "monthKey": month_key, "monthLabel": period.label(),
        "periode": period.kind, "start_date": period.first.isoformat(), "end_date": period.last.isoformat(),
        "previous_start_date": s.previous_period.first.isoformat(),
        "previous_end_date": s.previous_period.last.isoformat(),
        "summaryMetrics": [{"key": m.key, "label": m.label, "value": m.value, "suffix": m.suffix, "change": m.change}
                           for m in s.metrics()],
        "highlights": highlights(s),
        "engagementByChannel": [_channel(s.ig), _channel(s.tt)],
        "audienceComposition": [],
        "contentTable": _content(s),
        "platformAnalytics": {"platforms": [_platform(s, IG), _platform(s, TT)]},
        "units": [{"name": u.name, "client_id": u.client_id, "personnel": u.personnel, "capaian": _rate(u.tally.capaian),
                   "tasks_done": u.tally.tasks_done, "tasks_assigned": u.tally.tasks_assigned} for u in s.units],
        "overviewNarrative": overview_narrative(s),
        "dashboardNarrative": units_narrative(s),
        "userInsightNarrative": user_insight_narrative(s),
        "instagramNarrative": platform_narrative(s, IG),
        "tiktokNarrative": platform_narrative(s, TT),
        # the original backend's summary fields
        "user_count": s.ig.tally.personnel, "insta_post_count": s.ig.task_count, "tiktok_post_count": s.tt.task_count,
        "total_insta_likes": s.ig.tally.tasks_done, "total_tiktok_comments": s.tt.tally.tasks_done,
    }}
