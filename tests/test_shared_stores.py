"""The shared stores every capability writes: the audit log and the account profiles; the error boundary."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from core.boundary import guarded, report_safely
from db.audit import Actor, audit_rows, record_change
from db.profiles import Profile, latest_profile, profile_history, store_profile
from tests.support.factories import Factory, wib
from tests.support.recording_reporter import RecordingReporter


async def test_audit_keeps_only_the_changed_fields_and_skips_a_no_op(pool):
    await Factory(pool).client("POLRES_A")
    who = Actor("6281100000001", "whatsapp")
    row_id = await record_change(pool, who, action="personnel.update", entity="personnel", entity_id="75010001",
                                 client_id="POLRES_A", before={"instagram": "old", "name": "BUDI"},
                                 after={"instagram": "new", "name": "BUDI"})
    assert row_id is not None
    assert await record_change(pool, who, action="personnel.update", entity="personnel", entity_id="75010001",
                               before={"name": "BUDI"}, after={"name": "BUDI"}) is None
    rows = await audit_rows(pool, client_id="POLRES_A")
    assert [(r.actor, r.channel, r.before, r.after) for r in rows] == [
        ("6281100000001", "whatsapp", {"instagram": "old"}, {"instagram": "new"})]


async def test_audit_refuses_an_unknown_channel(pool):
    with pytest.raises(ValueError):
        await record_change(pool, Actor("x", "telegram"), action="a", entity="e", entity_id="1")  # type: ignore[arg-type]


async def test_profiles_keep_one_row_per_day_and_the_latest_figures(pool):
    await Factory(pool).client("POLRES_A")
    await store_profile(pool, "POLRES_A", "instagram", Profile("polresa", followers=10), day=date(2026, 12, 1),
                        fetched_at=wib(2026, 12, 1, 6, 5))
    await store_profile(pool, "POLRES_A", "instagram", Profile("polresa", followers=12), day=date(2026, 12, 2),
                        fetched_at=wib(2026, 12, 2, 6, 5))
    await store_profile(pool, "POLRES_A", "instagram", Profile("polresa", followers=15), day=date(2026, 12, 2),
                        fetched_at=wib(2026, 12, 2, 9, 5))
    # an older answer arriving late does not overwrite a newer one
    await store_profile(pool, "POLRES_A", "instagram", Profile("polresa", followers=11), day=date(2026, 12, 2),
                        fetched_at=wib(2026, 12, 2, 7, 5))
    latest = await latest_profile(pool, "POLRES_A", "instagram")
    assert latest is not None and latest.profile.followers == 15
    history = await profile_history(pool, "POLRES_A", "instagram", date(2026, 11, 30), date(2026, 12, 2))
    assert [(h.day, h.profile.followers) for h in history] == [(date(2026, 12, 1), 10), (date(2026, 12, 2), 15)]
    assert await latest_profile(pool, "POLRES_A", "tiktok") is None


async def test_guarded_logs_reports_and_swallows_an_error(caplog):
    reporter = RecordingReporter()
    with caplog.at_level(logging.ERROR):
        async with guarded("scheduled collection", reporter=reporter, report="Jadwal gagal", job="post_fetch-3") as g:
            raise RuntimeError("database went away")
    assert g.failed and isinstance(g.error, RuntimeError)
    assert "scheduled collection failed (job=post_fetch-3): RuntimeError: database went away" in caplog.text
    assert [(level, text) for level, text, _ in reporter.records] == [
        ("error", "Jadwal gagal: RuntimeError: database went away")]


async def test_guarded_lets_cancellation_through():
    import asyncio

    with pytest.raises(asyncio.CancelledError):
        async with guarded("work"):
            raise asyncio.CancelledError()


async def test_report_safely_survives_a_broken_reporter(caplog):
    class Broken:
        async def error(self, text, **context):
            raise OSError("disk full")

    assert await report_safely(Broken(), "error", "x") is False
    assert "could not report" in caplog.text


async def test_an_exception_request_is_open_once_and_decided_once(pool):
    from db.exception_requests import RequestAlreadyOpen, decide, open_request, pending_requests
    from db.personnel import Personnel, upsert_personnel

    await Factory(pool).client("POLRES_A")
    await upsert_personnel(pool, [Personnel(nrp="75010001", name="BUDI", client_id="POLRES_A")])
    asked = await open_request(pool, nrp="75010001", client_id="POLRES_A", exception=True, reason="cuti panjang",
                               requested_by="6281200000002", at=wib(2026, 12, 2, 9))
    with pytest.raises(RequestAlreadyOpen):
        await open_request(pool, nrp="75010001", client_id="POLRES_A", exception=True, reason="lagi",
                           requested_by="6281200000002", at=wib(2026, 12, 2, 9, 5))
    assert [r.id for r in await pending_requests(pool, ["POLRES_A"])] == [asked.id]
    assert await pending_requests(pool, ["POLRES_B"]) == []
    done = await decide(pool, asked.id, approved=True, decided_by="6281100000001", at=wib(2026, 12, 2, 10))
    assert done is not None and done.decision == "approved"
    assert await decide(pool, asked.id, approved=False, decided_by="x", at=wib(2026, 12, 2, 11)) is None
    assert await pending_requests(pool) == []
