"""POST /api/dashboard/komplain/insta and /komplain/tiktok: "sudah melaksanakan tetapi belum terdata".

The person (NRP, `nrp` or `user_id`) must be visible to the token. The
complaint is checked against the stored engagement of the person's tasks of the
day (`handlers/reports/complaint_check.py`, the recaps' engine), recorded, and
forwarded to the client's operator on WhatsApp through the outbox — the record
and the message commit together. The answer says whether the like/comment is
recorded now and when the client's data was last fetched.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from bot.api.deps import ApiDeps, get_deps, get_principal
from bot.api.errors import COMMON_ERRORS, ApiError
from bot.api.render import iso
from bot.api.routers.users import _visible_person
from bot.api.schemas_pages import ComplaintBody, ComplaintResponse
from bot.api.security import Principal
from core.formats import FormatError, clean_text, normalize_username
from db.clients import get_client
from db.complaints import ComplaintRecord, insert_complaint
from db.job_runs import last_run_of_client
from handlers.reports.attendance import Platform
from handlers.reports.complaint_check import ISSUE_DEFAULT, answer_text, check_complaint, operator_text
from jobs.outbox import enqueue

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"], responses=COMMON_ERRORS)

KIND = "complaint"
MAX_ISSUE_CHARS = 500


def _reported_username(body: ComplaintBody, platform: Platform) -> str | None:
    raw = (body.username_ig or body.instagram) if platform is Platform.INSTAGRAM else \
        (body.username_tiktok or body.tiktok)
    try:
        return normalize_username(raw or body.username)
    except FormatError as exc:
        raise ApiError(422, str(exc), "validation_error") from None


async def _complaint(body: ComplaintBody, platform: Platform, principal: Principal, deps: ApiDeps) -> dict:
    nrp = (body.nrp or body.user_id or "").strip()
    if not nrp:
        raise ApiError(422, "NRP wajib diisi", "validation_error")
    try:
        issue = clean_text(body.issue, field="kendala", max_chars=MAX_ISSUE_CHARS) or ISSUE_DEFAULT
    except FormatError as exc:
        raise ApiError(422, str(exc), "validation_error") from None
    person = await _visible_person(deps, principal, nrp)
    client = await get_client(deps.db, person.client_id)
    reported = _reported_username(body, platform)
    now = deps.clock.now()
    check = await check_complaint(deps.db, client, person.nrp, platform, now=now, rules=deps.rules,
                                  tz=deps.settings.tz)
    run = await last_run_of_client(deps.db, client.id)
    last_fetch = (run.finished_at or run.started_at) if run else None
    stored = person.instagram if platform is Platform.INSTAGRAM else person.tiktok
    name = f"{person.rank} {person.name}".strip() if person.rank else person.name
    reporter = principal.username or principal.actor
    operator = client.operator_phone
    async with deps.db.acquire() as conn, conn.transaction():
        complaint_id = await insert_complaint(conn, ComplaintRecord(
            platform.value, person.nrp, client.id, reported or stored, issue, reporter, now, check.tasks, check.done,
            last_fetch, operator))
        if operator:
            await enqueue(conn, recipient=operator, kind=KIND, client_id=client.id, now=now,
                          idempotency_key=f"complaint:{complaint_id}",
                          body=operator_text(check, nrp=person.nrp, name=name, username=reported or stored,
                                             issue=issue, reporter=reporter, last_fetch_at=last_fetch))
    message = answer_text(check, last_fetch, forwarded=bool(operator))
    if reported and stored and reported != stored:
        message = f"Username yang dilaporkan (@{reported}) berbeda dengan yang terdaftar (@{stored}). {message}"
    return {"success": True, "message": message, "data": {
        "complaint_id": complaint_id, "platform": platform.value, "nrp": person.nrp, "nama": name,
        "client_id": client.id, "username": stored, "recorded": check.recorded, "tasks": check.tasks,
        "done": check.done, "missing_links": [p.url for p in check.missing] if stored else [],
        "last_fetched_at": iso(last_fetch) if last_fetch else None, "forwarded_to_operator": bool(operator),
        "message": message,
    }}


@router.post("/komplain/insta", response_model=ComplaintResponse, summary="Instagram attendance complaint")
async def complaint_instagram(body: ComplaintBody, principal: Principal = Depends(get_principal),
                              deps: ApiDeps = Depends(get_deps)):
    return await _complaint(body, Platform.INSTAGRAM, principal, deps)


@router.post("/komplain/tiktok", response_model=ComplaintResponse, summary="TikTok attendance complaint")
async def complaint_tiktok(body: ComplaintBody, principal: Principal = Depends(get_principal),
                           deps: ApiDeps = Depends(get_deps)):
    return await _complaint(body, Platform.TIKTOK, principal, deps)
