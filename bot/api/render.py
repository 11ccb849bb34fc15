"""Typed data → the JSON shapes of the dashboard contract (§3). No queries here.

The rekap payload is rendered from an `AttendanceReport` built by the attendance
engine; every counter is a figure of `handlers.reports.attendance.definitions`
(the engine's `Tally`), so the API and the WhatsApp recaps agree. `summary.figures`
carries every group figure under its definition key (`Figure.key`).
"""

from __future__ import annotations

from datetime import datetime, timezone

from db.api_queries import DirectoryRow, InstagramPostRow, TiktokPostRow
from db.clients import Client
from handlers.reports.attendance import (
    BACKLOG, BELUM, CAPAIAN, KURANG, LENGKAP, LENGKAP_SHARE, PERSONNEL, SUDAH, TANPA_TUGAS, TANPA_USERNAME,
    TASKS_ASSIGNED, TASKS_DONE, USERNAME_FILLED, AttendanceReport, PersonAttendance, Platform, Tally, post_url,
)

SUMMARY_FIGURES = (PERSONNEL, SUDAH, LENGKAP, KURANG, BELUM, TANPA_USERNAME, USERNAME_FILLED, TANPA_TUGAS,
                   TASKS_ASSIGNED, TASKS_DONE, BACKLOG, CAPAIAN, LENGKAP_SHARE)


def tally_figures(tally: Tally, tasks: int) -> dict:
    """Every group figure of the definitions, keyed by `Figure.key` (percentages rounded to 0.1, or null)."""
    out = {"tasks": tasks}
    for figure in SUMMARY_FIGURES:
        value = tally.value(figure)
        out[figure.key] = round(value, 1) if figure.unit == "%" and value is not None else value
    return out


# Cicero has no paid tiers: every client gets every page. The dashboard hides its date selectors and the
# Anev page below this tier (cicero-dashboard/utils/premium.ts), so every client reports it.
DASHBOARD_TIER = "tier1"


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as the dashboard's `new Date()` expects."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def client_type_label(client: Client) -> str:
    return "DIREKTORAT" if client.is_directorate else "ORG"


def client_profile(client: Client) -> dict:
    return {
        "client_id": client.id,
        "nama": client.name,
        "nama_client": client.name,
        "client_name": client.name,
        "client_type": client_type_label(client),
        "client_status": client.active,
        "regional_id": client.regional_id,
        "parent_client_id": client.parent_id,
        "client_insta": client.instagram,
        "client_insta_status": bool(client.instagram_active and client.instagram),
        "client_tiktok": client.tiktok,
        "client_tiktok_status": bool(client.tiktok_active and client.tiktok),
        "client_amplify_status": False,
        "premium_status": True,
        "premium_tier": DASHBOARD_TIER,
        "premium_expires_at": None,
    }


def user_row(r: DirectoryRow) -> dict:
    return {
        "user_id": r.nrp, "nama": r.name, "title": r.rank, "divisi": r.division, "jabatan": r.position,
        "insta": r.instagram, "tiktok": r.tiktok, "email": None, "whatsapp": r.whatsapp, "status": r.active,
        "exception": r.exception, "roles": list(r.roles), "client_id": r.client_id, "client_name": r.client_name,
        "nama_client": r.client_name, "regional_id": r.regional_id,
    }


def _rekap_row(p: PersonAttendance, count_key: str) -> dict:
    return {
        "user_id": p.nrp, "nama": p.name, "title": p.rank, "divisi": p.division, "jabatan": p.position,
        "username": p.username or "", "client_id": p.client_id, "client_name": p.client_name,
        "nama_client": p.client_name, "exception": p.exception, "total_posts": p.tasks,
        "status": p.category.api_status, count_key: p.done,
    }


def rekap_payload(report: AttendanceReport) -> dict:
    """The rekap-likes / rekap-komentar body: rows in `data`, counters at the root and in `summary`."""
    instagram = report.platform is Platform.INSTAGRAM
    count_key = "jumlah_like" if instagram else "jumlah_komentar"
    tally = report.tally
    total_posts = report.task_count
    summary = {
        "totalPosts": total_posts,
        "totalUsers": tally.personnel,
        ("totalLikes" if instagram else "totalComments"): tally.tasks_done,
        "distribution": {"sudah": tally.lengkap, "kurang": tally.kurang, "belum": tally.belum,
                         "noUsername": tally.tanpa_username, "noPosts": tally.tanpa_tugas},
        "figures": tally_figures(tally, total_posts),
    }
    body = {
        "success": True,
        "platform": report.platform.value,
        "client_id": report.client.id,
        "client_name": report.client.name,
        "scope": report.scope.value,
        "periode": report.period.kind,
        "start_date": report.period.first.isoformat(),
        "end_date": report.period.last.isoformat(),
        "period_label": report.period.label(),
        "data": [_rekap_row(p, count_key) for p in report.people],
        "posts": [
            {"id": p.post_id, "permalink": p.url, "url": p.url, "created_at": iso(p.posted_at), "caption": p.caption,
             "like_count": p.like_count, "comment_count": p.comment_count}
            for p in report.posts
        ],
        "totalPosts": total_posts,
        "usersCount": tally.personnel,
        "sudahUsersCount": tally.lengkap,
        "kurangUsersCount": tally.kurang,
        "belumUsersCount": tally.belum,
        "noUsernameUsersCount": tally.tanpa_username,
        "summary": summary,
    }
    if not instagram:
        body["usersWithCommentsCount"] = tally.sudah
        body["usersWithoutCommentsCount"] = tally.belum
    return body


def instagram_post(r: InstagramPostRow) -> dict:
    url = post_url(Platform.INSTAGRAM, r.shortcode, None)
    return {
        "id": r.shortcode, "shortcode": r.shortcode, "client_id": r.client_id, "caption": r.caption,
        "created_at": iso(r.posted_at), "like_count": r.like_count, "comment_count": r.comment_count,
        "recorded_likes": r.recorded_likes, "is_video": r.is_video, "is_carousel": r.is_carousel,
        "thumbnail_url": r.thumbnail_url or r.image_url, "permalink": url, "url": url,
    }


def tiktok_post(r: TiktokPostRow, account: str | None) -> dict:
    url = post_url(Platform.TIKTOK, r.video_id, account)
    return {
        "id": r.video_id, "video_id": r.video_id, "client_id": r.client_id, "caption": r.caption, "desc": r.caption,
        "created_at": iso(r.posted_at), "like_count": r.like_count, "digg_count": r.like_count,
        "comment_count": r.comment_count, "recorded_comments": r.recorded_comments, "share_count": r.share_count,
        "view_count": r.view_count, "thumbnail": r.cover_url, "share_url": url, "url": url,
    }
