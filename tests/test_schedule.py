"""The collection schedule: the seed's fire times, the phase at each boundary, the scheduler part."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from core.settings import Settings, load_settings
from core.clock import JAKARTA
from jobs.schedule import fire_times, next_runs_after, phase_at, schedule_entries
from jobs.scheduler import SchedulerPart

ROOT = Path(__file__).resolve().parents[1]

SEED_POST_FETCH = [f"{h:02d}:{m:02d}" for h in range(6, 17) for m in (5, 30)] + ["17:05"]
SEED_ENGAGEMENT = ["17:30", "18:00", "18:30", "19:00", "19:30", "20:00", "20:30", "21:00", "21:30", "22:00"]


def test_fire_times_of_a_whole_day_equal_the_seed_list():
    times = fire_times(Settings(), date(2026, 2, 17))
    assert [(f.time, f.phase) for f in times] == (
        [(t, "post_fetch") for t in SEED_POST_FETCH] + [(t, "engagement_only") for t in SEED_ENGAGEMENT]
        + [("23:30", "late_sweep")]  # the sweep of the previous day's likes/comments
    )
    assert len(times) == 34 == len({f.time for f in times})  # no two entries in the same minute
    assert {f.job_id for f in times} == {"post_fetch-0", "post_fetch-1", "engagement_only-0", "engagement_only-1",
                                         "late_sweep-0"}
    assert [f.time for f in times if f.job_id == "post_fetch-1"] == ["17:05"]


@pytest.mark.parametrize("hhmm, phase", [
    ("06:05", "post_fetch"), ("16:30", "post_fetch"), ("17:05", "post_fetch"),
    ("17:30", "engagement_only"), ("18:00", "engagement_only"), ("22:00", "engagement_only"),
    ("06:00", None), ("17:00", None), ("22:30", None), ("05:30", None),
])
def test_phase_at_each_boundary(hhmm, phase):
    h, m = map(int, hhmm.split(":"))
    assert phase_at(Settings(), datetime(2026, 2, 17, h, m, 40, tzinfo=JAKARTA)) == phase


def test_phase_is_read_in_jakarta_whatever_the_zone_of_the_instant():
    # 10:05 UTC is 17:05 WIB
    assert phase_at(Settings(), datetime(2026, 2, 17, 10, 5, tzinfo=timezone.utc)) == "post_fetch"
    assert phase_at(Settings(), datetime(2026, 2, 17, 10, 30, tzinfo=timezone.utc)) == "engagement_only"


def test_a_configured_schedule_replaces_the_seed(tmp_path):
    s = load_settings(tmp_path / "none.toml", schedule={"post_fetch": ["0 9 * * mon-fri"],
                                                        "engagement_only": ["0 20 * * *"], "late_sweep": ""}).settings
    assert [(f.time, f.phase) for f in fire_times(s, date(2026, 2, 17))] == [("09:00", "post_fetch"),
                                                                          ("20:00", "engagement_only")]
    assert [f.time for f in fire_times(s, date(2026, 2, 15))] == ["20:00"]  # a Sunday
    assert [e.job_id for e in schedule_entries(s)] == ["post_fetch-0", "engagement_only-0"]


def test_next_runs_after():
    runs = next_runs_after(Settings(), datetime(2026, 2, 17, 16, 50, tzinfo=JAKARTA), 3)
    assert [(r.at.strftime("%H:%M"), r.phase) for r in runs] == [
        ("17:05", "post_fetch"), ("17:30", "engagement_only"), ("18:00", "engagement_only")]


async def test_the_scheduler_part_registers_every_entry_and_runs_the_cycle(pool):
    s = Settings()
    calls = []

    async def collect(*, phase, trigger):
        calls.append((phase, trigger))

    part = SchedulerPart(settings=s, pool=pool, collect=collect)
    await part.start()
    try:
        jobs = part._scheduler.get_jobs()
        assert sorted(j.id for j in jobs) == ["engagement_only-0", "engagement_only-1", "late_sweep-0", "post_fetch-0",
                                              "post_fetch-1"]
        for j in jobs:
            assert j.coalesce and j.max_instances == 1 and j.misfire_grace_time == 15 * 60
            assert str(j.trigger.timezone) == "Asia/Jakarta"
        assert len(part.next_runs(5)) == 5
        assert part.health()["status"] == "ok"
        await part._fire("engagement_only", "engagement_only-0")
        assert calls == [("engagement_only", "schedule")]
    finally:
        await part.stop()
    assert part.health() == {"status": "not_running"}


@pytest.mark.slow
def test_cicero_schedule_json(tmp_path, database_url):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[database]\nurl = "{database_url}"\n')  # the listing reads the phase switches
    env = {**os.environ, "CICERO_DATABASE__URL": database_url}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(cfg), "schedule", "--date", "2026-02-17",
                          "--json"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["time"] for r in rows] == SEED_POST_FETCH + SEED_ENGAGEMENT + ["23:30"]
    assert {r["phase"] for r in rows} == {"post_fetch", "engagement_only", "late_sweep"}
    # without a config file the warning goes to stderr and stdout is still JSON
    bare = subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "none.toml"), "schedule",
                           "--json"], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert bare.returncode == 0 and len(json.loads(bare.stdout)) == 34 and "not found" in bare.stderr
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(cfg), "schedule", "--date", "17-02-2026"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stdout


async def test_other_scheduled_jobs_run_with_their_slot_and_a_failure_is_reported():
    from jobs.scheduler import ScheduledJob
    from tests.support.recording_reporter import RecordingReporter

    fired = []

    async def reminder(at):
        fired.append(at)

    async def broken(at):
        raise RuntimeError("report builder broke")

    reporter = RecordingReporter()

    async def collect(**kw):
        return None

    part = SchedulerPart(settings=Settings(), pool=None, collect=collect, reporter=reporter, jobs=[
        ScheduledJob("reminder-0", "5 17 * * *", reminder, label="pengingat 17.05"),
        ScheduledJob("report-1", "20 18 * * *", broken, label="laporan 18.20"),
    ])
    await part.start()
    try:
        jobs = {j.id: j for j in part._scheduler.get_jobs()}
        assert {"reminder-0", "report-1"} <= set(jobs)
        assert [r.job_id for r in part.next_runs(10)] == sorted(
            [r.job_id for r in part.next_runs(10)], key=lambda i: jobs[i].next_run_time)  # collection only
        assert all(not r.job_id.startswith(("reminder", "report")) for r in part.next_runs(10))
        await part._fire_job(ScheduledJob("reminder-0", "5 17 * * *", reminder))
        await part._fire_job(ScheduledJob("report-1", "20 18 * * *", broken, label="laporan 18.20"))
    finally:
        await part.stop()
    [at] = fired
    assert (at.hour, at.minute) == (17, 5) and at.tzinfo is not None
    assert reporter.texts("error") == ["Jadwal laporan 18.20 gagal dijalankan: RuntimeError: report builder broke"]


async def test_stopping_while_a_job_runs_ends_it_with_one_line_not_a_traceback(caplog):
    """The service stops during the minute tick (or a collection run): the job is cancelled quietly."""
    import asyncio
    import logging

    import time_machine

    from jobs.scheduler import ScheduledJob

    started, cancelled = asyncio.Event(), []

    async def slow_tick(at):
        started.set()
        try:
            await asyncio.Event().wait()  # until cancelled
        except asyncio.CancelledError:
            cancelled.append(at)
            raise

    async def collect(**kw):
        return None

    caplog.set_level(logging.INFO)
    with time_machine.travel(datetime(2026, 2, 17, 13, 59, 59, 800_000, tzinfo=JAKARTA), tick=True):
        part = SchedulerPart(settings=Settings(), pool=None, collect=collect,
                             jobs=[ScheduledJob("report-subscriptions", "* * * * *", slow_tick, label="laporan")])
        await part.start()
        await asyncio.wait_for(started.wait(), timeout=10)  # APScheduler fired it at 14:00
        await part.stop()
        await asyncio.sleep(0)  # let the cancelled job task finish
        await asyncio.sleep(0)
    assert [(a.hour, a.minute) for a in cancelled] == [(14, 0)]
    assert "scheduled report-subscriptions was stopped by the shutdown before it finished" in caplog.text
    assert "raised an exception" not in caplog.text and "Traceback" not in caplog.text
