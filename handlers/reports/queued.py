"""Heavy Excel exports as `build_report` tasks: the builders a worker (or the in-process queue) runs.

Each builder takes a `jobs.queue.kinds.ReportRequest` whose `params` are plain
JSON (so they travel in a RabbitMQ message) and returns a `ReportFile`. They
reuse the dirrequest engine (`handlers/reports/attendance/`, `recaps.py`)
and its Excel renderers (`handlers/reports/excel.py`); nothing here formats a
report itself.

Params: `client_id`, `first` and `last` (ISO dates, Asia/Jakarta days; `last`
defaults to `first`), and for `attendance_excel` and `per_post_excel` a `platform`
(`instagram` | `tiktok`) and optionally a `scope` (`client` | `directorate`; default: the engine's own).

With `[queue] url` set, the dirrequest Excel options (19, 20, 22) submit
`build_report_task(name, params, deliver_to=chat)` instead of building the
file in the bot (`handlers/dirrequest/actions.py`); a worker builds it, stores
it in `report_results` and queues it in the outbox for `deliver_to`, so only
the bot process talks to WhatsApp. `cicero worker` and the in-process queue
register `REPORT_BUILDERS`.
"""

from __future__ import annotations

from datetime import date

from db.clients import get_client
from handlers.reports import text
from handlers.reports.attendance import AttendanceRules, Period, Platform, Scope, build_attendance
from handlers.reports.excel import attendance_workbook, ranking_workbook
from handlers.reports.per_post_excel import per_post_workbook, too_large_text
from handlers.reports.recaps import build_engagement_ranking
from jobs.queue.kinds import ReportFile, ReportRequest
from jobs.queue.model import PoisonTask


PERIOD_KINDS = ("day", "week", "month", "range", "all")


def period_params(period: Period) -> dict:
    """A Period as builder params (plain JSON, so it travels in a queue message)."""
    return {"kind": period.kind, "first": period.first.isoformat(), "last": period.last.isoformat()}


def _params(request: ReportRequest):
    p = request.params
    client_id = p.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise PoisonTask(f"{request.report}: params.client_id is missing")
    try:
        first = date.fromisoformat(p["first"])
        last = date.fromisoformat(p.get("last") or p["first"])
        kind = p.get("kind")
        if kind is not None and kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {kind!r}")
        period = Period(kind, first, last) if kind else Period.range(first, last)
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


def _platform_scope(request: ReportRequest) -> tuple[Platform, Scope | None]:
    try:
        platform = Platform(request.params.get("platform", "instagram"))
        scope = Scope(request.params["scope"]) if request.params.get("scope") else None
    except ValueError:
        raise PoisonTask(f"{request.report}: unknown platform or scope in {request.params!r}") from None
    return platform, scope


async def attendance_excel(request: ReportRequest) -> ReportFile:
    """Likes recap (Instagram) or comments recap (TikTok) workbook of one client and period."""
    client_id, period, rules = _params(request)
    platform, scope = _platform_scope(request)
    report = await build_attendance(request.pool, await _client(request, client_id), period, platform, rules=rules,
                                    scope=scope, with_post_ids=platform is Platform.TIKTOK)
    if not report.has_tasks:
        return ReportFile.text_only(text.no_content_text(report, request.now))
    return _file(attendance_workbook(report, request.now))


async def ranking_excel(request: ReportRequest) -> ReportFile:
    """Instagram and TikTok engagement ranking of a directorate's satker."""
    client_id, period, rules = _params(request)
    client = await _client(request, client_id)
    ranking = await build_engagement_ranking(request.pool, client, period, rules=rules)
    if not ranking.attendance.has_tasks:
        return ReportFile.text_only(text.no_content_both_text(client.name, period, request.now))
    return _file(ranking_workbook(ranking, request.now))


async def per_post_excel(request: ReportRequest) -> ReportFile:
    """Options 28/29: 1/0 per person and post (a sheet per satker for a directorate); too large: a text."""
    client_id, period, rules = _params(request)
    platform, scope = _platform_scope(request)
    report = await build_attendance(request.pool, await _client(request, client_id), period, platform, rules=rules,
                                    scope=scope, with_post_ids=True)
    if not report.has_tasks:
        return ReportFile.text_only(text.no_content_text(report, request.now))
    if not report.people:
        return ReportFile.text_only(text.no_personnel_text(report.client.name))
    refused = too_large_text(report)
    if refused:
        return ReportFile.text_only(refused, nothing_to_report=False)  # said even by a skip-if-empty schedule
    return _file(per_post_workbook(report, request.now))


REPORT_BUILDERS = {"attendance_excel": attendance_excel, "ranking_excel": ranking_excel,
                   "per_post_excel": per_post_excel}
