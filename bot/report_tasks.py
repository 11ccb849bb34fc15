"""Heavy Excel exports as `build_report` tasks: the builders a worker (or the in-process queue) runs.

Each builder takes a `jobs.queue_tasks.ReportRequest` whose `params` are plain
JSON (so they travel in a RabbitMQ message) and returns a `ReportFile`. They
reuse the dirrequest engine (`handlers/reports/attendance.py`, `recaps.py`)
and its Excel renderers (`handlers/reports/excel.py`); nothing here formats a
report itself.

Params: `client_id`, `first` and `last` (ISO dates, Asia/Jakarta days; `last`
defaults to `first`), and for `attendance_excel` a `platform`
(`instagram` | `tiktok`).

A handler that wants the export built off the bot process submits
`jobs.queue_tasks.build_report_task("attendance_excel", params, deliver_to=chat)`
to the task queue; the file is stored in `report_results` and queued in the
outbox for `deliver_to`.
"""

from __future__ import annotations

from datetime import date

from db.clients import get_client
from jobs.queue import PoisonTask
from jobs.queue_tasks import ReportFile, ReportRequest


def _params(request: ReportRequest):
    from handlers.reports.attendance import AttendanceRules, Period

    p = request.params
    client_id = p.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise PoisonTask(f"{request.report}: params.client_id is missing")
    try:
        first = date.fromisoformat(p["first"])
        last = date.fromisoformat(p.get("last") or p["first"])
        period = Period.range(first, last)
    except (KeyError, TypeError, ValueError) as exc:
        raise PoisonTask(f"{request.report}: bad period ({exc})") from None
    rules = AttendanceRules.from_settings(request.settings.attendance) if request.settings else AttendanceRules()
    return client_id, period, rules


async def _client(request: ReportRequest, client_id: str):
    client = await get_client(request.pool, client_id)
    if client is None:
        raise PoisonTask(f"{request.report}: client {client_id} does not exist")
    return client


def _file(document) -> ReportFile:
    return ReportFile(data=document.data, filename=document.filename, mimetype=document.mimetype,
                      caption=document.caption)


async def attendance_excel(request: ReportRequest) -> ReportFile:
    """Likes recap (Instagram) or comments recap (TikTok) workbook of one client and period."""
    from handlers.reports.attendance import Platform, build_attendance
    from handlers.reports.excel import attendance_workbook

    client_id, period, rules = _params(request)
    try:
        platform = Platform(request.params.get("platform", "instagram"))
    except ValueError:
        raise PoisonTask(f"attendance_excel: unknown platform {request.params.get('platform')!r}") from None
    report = await build_attendance(request.pool, await _client(request, client_id), period, platform, rules=rules)
    return _file(attendance_workbook(report, request.now))


async def ranking_excel(request: ReportRequest) -> ReportFile:
    """Instagram and TikTok engagement ranking of a directorate's satker."""
    from handlers.reports.excel import ranking_workbook
    from handlers.reports.recaps import build_engagement_ranking

    client_id, period, rules = _params(request)
    ranking = await build_engagement_ranking(request.pool, await _client(request, client_id), period, rules=rules)
    return _file(ranking_workbook(ranking, request.now))


REPORT_BUILDERS = {"attendance_excel": attendance_excel, "ranking_excel": ranking_excel}
