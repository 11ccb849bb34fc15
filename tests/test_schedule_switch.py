"""The per-phase on/off switch: admins switch a collection phase from WhatsApp or the CLI, the change is
audited, the scheduler skips a switched-off phase at its fire time, and `jadwal`/`status`/`cicero schedule`
show it as nonaktif."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from core.clock import JAKARTA, ManualClock
from db.audit import audit_rows
from db.clients import Client, upsert_client
from db.job_runs import recent_runs
from db.schedule_switches import disabled_phases, phase_switches
from jobs.scheduler import SchedulerPart
from tests.support.console_chat import console_chat

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "6281100000001"
OPERATOR = "6281200000002"


def at(hour, minute=0, second=0, day=17):
    return datetime(2026, 2, day, hour, minute, second, tzinfo=JAKARTA)


async def make_chat(pool, settings, clock):
    return (await console_chat(pool, settings, clock)).gateway


async def ask(gateway, text, phone=ADMIN):
    await gateway.inject(text, phone=phone)
    return "\n".join(m.text for m in gateway.take() if m.text)


async def test_an_admin_switches_a_phase_off_and_on_from_whatsapp_and_every_change_is_audited(pool, settings):
    clock = ManualClock(at(9, 10))
    gateway = await make_chat(pool, settings, clock)

    reply = await ask(gateway, "jadwal off likes")
    assert reply.startswith("⏸️ Fase *perbarui likes/komentar* (engagement_only) dinonaktifkan")
    assert await disabled_phases(pool) == {"engagement_only"}
    switch = (await phase_switches(pool))["engagement_only"]
    assert (switch.enabled, switch.changed_by, switch.changed_at) == (False, ADMIN, at(9, 10))

    assert "sudah nonaktif; tidak ada yang diubah" in await ask(gateway, "jadwal off engagement-only")

    text = await ask(gateway, "jadwal")
    lines = text.splitlines()
    assert "▶ 09.30 — ambil posting + engagement" in lines
    assert "• 17.30 — perbarui likes/komentar (nonaktif)" in lines
    assert "• 22.00 — perbarui likes/komentar (nonaktif)" in lines
    assert "⏸️ Fase nonaktif: perbarui likes/komentar (engagement_only). Ketik *jadwal on FASE* untuk " \
           "menjalankannya lagi." in lines
    status = await ask(gateway, "status")
    assert "• perbarui likes/komentar: terakhir belum pernah; berikutnya nonaktif (ketik *jadwal on " \
           "engagement_only*)" in status
    assert "• ambil posting + engagement: terakhir belum pernah; berikutnya pukul 09.30 WIB" in status

    clock.advance(minutes=5)
    assert "diaktifkan kembali" in await ask(gateway, "JADWAL ON engagement_only")
    assert await disabled_phases(pool) == frozenset()
    assert "(nonaktif)" not in await ask(gateway, "jadwal")

    rows = await audit_rows(pool, entity="schedule_phase")
    assert [(r.action, r.actor, r.channel, r.entity_id, r.before, r.after) for r in reversed(rows)] == [
        ("schedule.phase_off", ADMIN, "whatsapp", "engagement_only", {"enabled": True}, {"enabled": False}),
        ("schedule.phase_on", ADMIN, "whatsapp", "engagement_only", {"enabled": False}, {"enabled": True}),
    ]  # the repeated "off" changed nothing and wrote nothing


async def test_bad_phase_words_get_an_indonesian_reply_and_change_nothing(pool, settings):
    gateway = await make_chat(pool, settings, ManualClock(at(9, 10)))
    assert await ask(gateway, "jadwal off panen") == (
        "❌ Fase *panen* tidak dikenal. Pilih salah satu: post_fetch, engagement_only, late_sweep.")
    assert (await ask(gateway, "jadwal off")).startswith("❌ Format: *jadwal*")
    assert (await ask(gateway, "jadwal matikan post_fetch")).startswith("❌ Format: *jadwal*")
    assert (await ask(gateway, "jadwal off " + "x" * 500)).startswith("❌ Format: *jadwal*")
    assert await phase_switches(pool) == {} and await audit_rows(pool, entity="schedule_phase") == []


async def test_a_non_admin_cannot_switch_a_phase(pool, settings):
    await upsert_client(pool, Client(id="POLRES_A", name="Polres A", type="org", operator_phone=OPERATOR))
    gateway = await make_chat(pool, settings, ManualClock(at(9, 10)))
    reply = await ask(gateway, "jadwal off post_fetch", phone=OPERATOR)
    assert reply == "❌ Anda tidak memiliki akses ke perintah *jadwal*."
    assert await phase_switches(pool) == {} and await audit_rows(pool, entity="schedule_phase") == []


async def test_the_scheduler_skips_a_switched_off_phase_at_its_fire_time_and_runs_it_once_back_on(pool, settings):
    """APScheduler itself fires the 06:05 and 06:30 entries: the wall clock is moved to just before each."""
    calls = []

    async def collect(*, phase, trigger):
        calls.append((phase, trigger))
        return None

    clock = ManualClock(at(6, 4, 59))
    gateway = await make_chat(pool, settings, clock)
    assert "dinonaktifkan" in await ask(gateway, "jadwal off post_fetch")

    async def fire_next(wall: datetime) -> None:
        """Start the scheduler with the wall clock at `wall` and wait for the job due right after it."""
        clock.set(wall)
        with time_machine.travel(wall.replace(microsecond=800_000), tick=True):
            part = SchedulerPart(settings=settings, pool=pool, collect=collect, clock=clock)
            await part.start()
            done = asyncio.Event()
            part._scheduler.add_listener(lambda event: done.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
            try:
                [nxt] = part.next_runs(1)
                assert timedelta(0) < nxt.at - wall <= timedelta(seconds=1)  # the cron entry is still there
                clock.set(nxt.at)
                await asyncio.wait_for(done.wait(), timeout=10)
            finally:
                await part.stop()

    await fire_next(at(6, 4, 59))
    assert calls == []  # switched off: not run
    [skipped] = await recent_runs(pool, limit=5)
    assert (skipped.phase, skipped.trigger, skipped.status, skipped.started_at) == (
        "post_fetch", "schedule", "skipped", at(6, 5))
    clock.set(at(6, 10))
    lines = (await ask(gateway, "jadwal")).splitlines()
    assert "✗ 06.05 — ambil posting + engagement — dilewati: fase nonaktif" in lines
    assert "• 06.30 — ambil posting + engagement (nonaktif)" in lines

    assert "diaktifkan kembali" in await ask(gateway, "jadwal on post_fetch")
    await fire_next(at(6, 29, 59))
    assert calls == [("post_fetch", "schedule")]  # back on: the next fire time runs it


def run_cli(args, database_url, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "CICERO_DATABASE__URL": database_url, "HOME": str(tmp_path),
           "XDG_RUNTIME_DIR": str(tmp_path), "USER": "operator1"}
    return subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "none.toml"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


async def test_cicero_schedule_on_off_lists_nonaktif_and_refuses_an_unknown_phase(pool, database_url, tmp_path):
    off = await asyncio.to_thread(run_cli, ["schedule", "off", "late-sweep"], database_url, tmp_path)
    assert off.returncode == 0, off.stderr
    assert "late_sweep switched off (nonaktif)" in off.stdout
    assert await disabled_phases(pool) == {"late_sweep"}
    [row] = await audit_rows(pool, entity="schedule_phase")
    assert (row.action, row.channel, row.actor.startswith("cli:")) == ("schedule.phase_off", "cli", True)

    listing = await asyncio.to_thread(run_cli, ["schedule", "--date", "2026-02-17"], database_url, tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "switched off (nonaktif): late_sweep" in listing.stdout
    rows = json.loads((await asyncio.to_thread(run_cli, ["schedule", "--date", "2026-02-17", "--json"],
                                               database_url, tmp_path)).stdout)
    assert {(r["phase"], r["enabled"]) for r in rows} == {("post_fetch", True), ("engagement_only", True),
                                                          ("late_sweep", False)}

    bad = await asyncio.to_thread(run_cli, ["schedule", "off", "harvest"], database_url, tmp_path)
    assert bad.returncode == 2 and "unknown phase 'harvest'" in bad.stdout + bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr
    missing = await asyncio.to_thread(run_cli, ["schedule", "on"], database_url, tmp_path)
    assert missing.returncode == 2 and "which phase?" in missing.stdout + missing.stderr

    back = await asyncio.to_thread(run_cli, ["schedule", "on", "late_sweep"], database_url, tmp_path)
    assert back.returncode == 0 and await disabled_phases(pool) == frozenset()
    assert len(await audit_rows(pool, entity="schedule_phase")) == 2


async def test_cicero_schedule_still_lists_the_day_when_the_switches_cannot_be_read(tmp_path):
    unreachable = "postgresql://postgres@127.0.0.1:9/cicero"  # nothing listens on port 9
    out = await asyncio.to_thread(run_cli, ["schedule", "--date", "2026-02-17"], unreachable, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "34 runs: 23 post-fetch" in out.stdout
    assert "phase on/off switches could not be read" in out.stderr and "Traceback" not in out.stderr
    switch = await asyncio.to_thread(run_cli, ["schedule", "off", "post_fetch"], unreachable, tmp_path)
    assert switch.returncode != 0 and "Traceback" not in switch.stdout + switch.stderr
