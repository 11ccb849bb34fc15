"""The task kinds Cicero ships: `collect_client` and `build_report`.

A handler receives a `TaskContext` (jobs/queue/model.py) and returns a JSON-able
result that is stored in `tasks.result`. What a handler needs beyond the
database comes from `ctx.services`, filled by the wiring (`bot/worker.py`):

* `settings`       the Settings object;
* `fetch_deps`     what `jobs.fetch.collect_client` needs (RapidAPI clients…);
* `report_builders` report name → `async (ReportRequest) -> ReportFile`.

A finished report is stored in `report_results` and, when the task names a
`deliver_to` chat, queued in the WhatsApp outbox in the same transaction, so
only the bot process ever talks to WhatsApp.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable

import asyncpg

from db import tasks as task_db
from core.chat_port import Document
from db.clients import get_client
from jobs.collect_client import collect_client
from jobs.fetch_model import PHASES, only_platforms
from jobs.outbox import enqueue
from jobs.queue.model import PoisonTask, Task, TaskContext, TaskRegistry

COLLECT_CLIENT = "collect_client"
BUILD_REPORT = "build_report"


# --------------------------------------------------------------------------- collect_client


def collect_client_task(client_id: str, phase: str, now: datetime, *, job_run_id: int | None = None,
                        not_after: datetime | None = None, task_id: uuid.UUID | None = None,
                        platforms: tuple[str, ...] | None = None) -> Task:
    """One client's collection for one cycle (posts and/or engagement by `phase`, optionally one platform)."""
    payload = {"client_id": client_id, "phase": phase, "now": now.isoformat()}
    if platforms is not None:
        payload["platforms"] = list(platforms)
    return Task(
        kind=COLLECT_CLIENT,
        payload=payload,
        id=task_id or uuid.uuid4(),
        job_run_id=job_run_id,
        not_after=not_after,
    )


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, datetimes and sets as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and type(value).__module__ != "builtins" and hasattr(type(value), "__members__"):
        return value.value  # Enum
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


async def run_collect_client(ctx: TaskContext) -> Any:
    """Run `jobs.collect_client.collect_client` for the client in the payload; the result is its summary."""
    payload = ctx.task.payload
    client_id, phase, now_text = payload.get("client_id"), payload.get("phase"), payload.get("now")
    if not isinstance(client_id, str) or not isinstance(phase, str) or not isinstance(now_text, str):
        raise PoisonTask("collect_client needs client_id, phase and now")
    try:
        now = datetime.fromisoformat(now_text)
    except ValueError:
        raise PoisonTask(f"collect_client: now {now_text!r} is not an ISO time") from None
    client = await get_client(ctx.pool, client_id)
    if client is None:
        raise PoisonTask(f"client {client_id} does not exist")
    deps = ctx.services.get("fetch_deps")
    if deps is None:
        raise PoisonTask("this worker has no fetch dependencies (RapidAPI clients) configured")
    if phase not in PHASES:
        raise PoisonTask(f"collect_client: unknown phase {phase!r}")
    try:
        client = only_platforms(client, payload.get("platforms"))
    except ValueError as exc:
        raise PoisonTask(f"collect_client: {exc}") from None
    result = await collect_client(deps, client, phase, now=now)
    return result.to_dict() if hasattr(result, "to_dict") else to_jsonable(result)


# --------------------------------------------------------------------------- build_report


@dataclass(frozen=True)
class ReportRequest:
    """What a report builder receives."""

    report: str
    params: dict
    pool: asyncpg.Pool
    settings: Any
    now: datetime


@dataclass(frozen=True)
class ReportFile:
    """A built report: a file with a caption, or (no `data`) only a text such as "no content yet"."""

    data: bytes
    filename: str
    mimetype: str
    caption: str | None = None
    nothing_to_report: bool = False   # a text-only result saying the period has nothing (not a refusal)

    @classmethod
    def text_only(cls, text: str, *, nothing_to_report: bool = True) -> "ReportFile":
        return cls(data=b"", filename="", mimetype="", caption=text, nothing_to_report=nothing_to_report)

    @property
    def is_text(self) -> bool:
        return not self.data

    def document(self) -> Document | None:
        """The file as a chat document (None for a text-only result)."""
        if self.is_text:
            return None
        return Document(data=self.data, filename=self.filename, mimetype=self.mimetype, caption=self.caption)


ReportBuilder = Callable[[ReportRequest], Awaitable[ReportFile]]


def build_report_task(report: str, params: dict, *, deliver_to: str | None = None,
                      requested_by: str | None = None, task_id: uuid.UUID | None = None) -> Task:
    """A heavy report (Excel export); with `deliver_to` the file is also queued to that chat."""
    return Task(
        kind=BUILD_REPORT,
        payload={"report": report, "params": params, "deliver_to": deliver_to, "requested_by": requested_by},
        id=task_id or uuid.uuid4(),
    )


async def run_build_report(ctx: TaskContext) -> Any:
    """Build the report, store the bytes in `report_results`, optionally queue it to the requester."""
    payload = ctx.task.payload
    name, params = payload.get("report"), payload.get("params", {})
    builders: dict[str, ReportBuilder] = ctx.services.get("report_builders", {})
    if not isinstance(name, str) or name not in builders:
        raise PoisonTask(f"unknown report {name!r} (known: {', '.join(sorted(builders)) or 'none'})")
    if not isinstance(params, dict):
        raise PoisonTask("build_report: params is not an object")
    request = ReportRequest(report=name, params=params, pool=ctx.pool, settings=ctx.services.get("settings"),
                            now=ctx.clock.now())
    file = await builders[name](request)
    deliver_to = payload.get("deliver_to")
    async with ctx.pool.acquire() as conn, conn.transaction():
        await task_db.store_report_result(conn, task_id=ctx.task.id, report=name, filename=file.filename,
                                          mimetype=file.mimetype, data=file.data,
                                          requested_by=payload.get("requested_by"))
        if deliver_to:
            await enqueue_report(conn, deliver_to, file, ctx.task.id)
    return {"report": name, "filename": file.filename, "bytes": len(file.data), "queued_to": deliver_to}


async def enqueue_report(conn, recipient: str, file: ReportFile, task_id: uuid.UUID) -> bool:
    """Put the finished file (or its text) in the WhatsApp outbox for `recipient` (once per task)."""
    return await enqueue(conn, recipient=recipient, kind="report", body=file.caption or file.filename,
                         idempotency_key=f"report:{task_id}", document=file.document())


NOOP = "noop"


async def run_noop(ctx: TaskContext) -> Any:
    """Does nothing: a health check of the queue path, and the bench's measure of per-task overhead."""
    return {"pong": True, "worker": ctx.worker}


def default_registry() -> TaskRegistry:
    return TaskRegistry({COLLECT_CLIENT: run_collect_client, BUILD_REPORT: run_build_report, NOOP: run_noop})
