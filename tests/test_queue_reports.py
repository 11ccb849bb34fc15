"""Heavy Excel exports as `build_report` tasks: built off the bot, stored in PostgreSQL, queued to the chat."""

from __future__ import annotations

import io
import secrets

import pytest
from openpyxl import load_workbook

from bot.adminlog import AdminLog
from bot.router import Router
from bot.whatsapp.fake import FakeGateway
from handlers import dirrequest
from handlers.reports.queued import REPORT_BUILDERS
from db import tasks as task_db
from core.clock import ManualClock
from jobs.queue.executor import Executor, wait_for_tasks
from jobs.queue.in_process import InProcessQueue
from jobs.queue.model import BACKEND_IN_PROCESS, BACKEND_RABBITMQ
from jobs.queue.rabbit import RabbitQueue, RabbitWorker, Topology
from jobs.queue.kinds import build_report_task, default_registry
from tests.support.chat import start_chat
from tests.support.dirrequest_world import TODAY_NOON, build_world
from tests.support.recording_reporter import RecordingReporter
from tests.support.workbook_checks import read_per_post_workbook
from tests.test_queue import RABBIT_URL, _rabbit_reachable, admin_messages, delete_topology, eventually, with_queue

ASKER = "6281234500001"
ASKER_ADMIN = "6281100000001"  # the admin number of the test settings


@pytest.fixture(params=[BACKEND_IN_PROCESS, BACKEND_RABBITMQ])
async def run_tasks(request, settings, pool):
    """Submit tasks to a started backend (with one consumer); yields `submit(task)`."""
    if request.param == BACKEND_RABBITMQ and not _rabbit_reachable():
        pytest.skip(f"no RabbitMQ reachable at {RABBIT_URL}")
    s = with_queue(settings, url=RABBIT_URL if request.param == BACKEND_RABBITMQ else "",
                   queue_name=f"cicero.test.{secrets.token_hex(4)}", delivery_limit=2)
    clock = ManualClock(TODAY_NOON)
    executor = Executor(pool=pool, registry=default_registry(), clock=clock,
                        reporter=AdminLog(pool=pool, settings=s, clock=clock), delivery_limit=2,
                        services={"settings": s, "report_builders": dict(REPORT_BUILDERS)}, worker="reports")
    if request.param == BACKEND_IN_PROCESS:
        queue, worker = InProcessQueue(executor, concurrency=1), None
    else:
        queue, worker = RabbitQueue(s.queue, pool), RabbitWorker(s.queue, executor)
        await worker.start()
    await queue.start()
    yield queue.submit
    if worker is not None:
        await worker.stop()
    await queue.stop()
    if request.param == BACKEND_RABBITMQ:
        await delete_topology(s.queue.url, Topology.from_settings(s.queue))


async def test_an_excel_export_is_stored_and_queued_to_the_person_who_asked(run_tasks, pool):
    await build_world(pool)
    task = build_report_task("attendance_excel", {"client_id": "DITBINMAS", "first": "2026-11-25",
                                                  "platform": "instagram"}, deliver_to=ASKER, requested_by=ASKER)

    await run_tasks(task)
    [record] = await wait_for_tasks(pool, [task.id], timeout=30)

    assert record.status == "done", record.error
    stored = await task_db.report_result(pool, task.id)
    assert stored.filename.endswith(".xlsx") and "DITBINMAS" in stored.filename
    assert stored.requested_by == ASKER
    wb = load_workbook(io.BytesIO(stored.data))
    assert len(wb.sheetnames) >= 2
    [row] = await pool.fetch("SELECT recipient, kind, filename, document FROM outbox WHERE kind = 'report'")
    assert (row["recipient"], row["filename"]) == (ASKER, stored.filename)
    assert bytes(row["document"]) == stored.data
    assert record.result == {"report": "attendance_excel", "filename": stored.filename, "bytes": len(stored.data),
                             "queued_to": ASKER}


async def test_a_report_with_bad_params_is_dead_and_the_admins_hear_of_it(run_tasks, pool):
    task = build_report_task("attendance_excel", {"client_id": "DITBINMAS", "first": "kemarin"})

    await run_tasks(task)
    [record] = await wait_for_tasks(pool, [task.id], timeout=30)

    assert (record.status, record.attempts) == ("dead", 1)
    assert "bad period" in record.error
    [message] = await eventually(lambda: admin_messages(pool), what="an admin message")
    assert "attendance_excel" in message
    assert await task_db.report_result(pool, task.id) is None


@pytest.fixture
async def rabbit_chat(settings, pool):
    """dirrequest through the router with the task queue on RabbitMQ and one worker consuming it."""
    if not _rabbit_reachable():
        pytest.skip(f"no RabbitMQ reachable at {RABBIT_URL}")
    s = with_queue(settings, url=RABBIT_URL, queue_name=f"cicero.test.{secrets.token_hex(4)}", delivery_limit=2)
    clock = ManualClock(TODAY_NOON)
    executor = Executor(pool=pool, registry=default_registry(), clock=clock,
                        reporter=AdminLog(pool=pool, settings=s, clock=clock), delivery_limit=2,
                        services={"settings": s, "report_builders": dict(REPORT_BUILDERS)}, worker="reports")
    queue, worker = RabbitQueue(s.queue, pool), RabbitWorker(s.queue, executor)
    await worker.start()
    await queue.start()
    gateway = FakeGateway()
    router = Router(settings=s, pool=pool, clock=clock, reporter=RecordingReporter(), gateway=gateway,
                    commands=dirrequest.COMMANDS, task_queue=queue)
    await start_chat(gateway, router)
    yield gateway
    await worker.stop()
    await queue.stop()
    await delete_topology(s.queue.url, Topology.from_settings(s.queue))


async def test_a_dirrequest_excel_option_is_built_by_a_worker_and_queued_to_the_chat(rabbit_chat, pool):
    await build_world(pool)
    for text in ("dirrequest", "DITBINMAS"):
        await rabbit_chat.inject(text, phone=ASKER_ADMIN)
    rabbit_chat.take()
    await rabbit_chat.inject("19", phone=ASKER_ADMIN)
    replies = [m.text for m in rabbit_chat.take() if m.text]
    assert replies[0] == "⏳ File Excel sedang dibuat oleh worker dan akan dikirim ke chat ini."
    rows = await eventually(lambda: pool.fetch("SELECT recipient, filename, document FROM outbox WHERE kind = 'report'"),
                            what="the worker's report in the outbox")
    [row] = rows
    assert row["recipient"] == f"{ASKER_ADMIN}@s.whatsapp.net" and row["filename"].endswith(".xlsx")
    wb = load_workbook(io.BytesIO(bytes(row["document"])))
    assert len(wb.sheetnames) >= 2  # one sheet per satker, as the inline option 19 builds it


async def test_a_per_post_workbook_is_built_by_the_worker(run_tasks, pool):
    """Options 28/29 with `[queue] url` set: the worker builds the same workbook the bot would."""
    await build_world(pool)
    task = build_report_task("per_post_excel", {"client_id": "DITBINMAS", "first": "2026-11-25",
                                                "platform": "tiktok"}, deliver_to=ASKER, requested_by=ASKER)
    await run_tasks(task)
    [record] = await wait_for_tasks(pool, [task.id], timeout=30)
    assert record.status == "done", record.error
    stored = await task_db.report_result(pool, task.id)
    assert stored.filename == "Rekap_Komentar_Per_Konten_TikTok_DITBINMAS_2026-11-25.xlsx"
    marks = read_per_post_workbook(stored.data)
    assert marks[("POLRES A", "AKP FAJAR")] == {"V1": 1, "V2": 1}
    assert marks[("POLRES B", "BRIPDA HADI")] == {"V1": 1, "V2": 0}
