"""How many WhatsApp messages the admins get in a day: one summary per run that did something, errors
as they happen, nothing for a quiet run (`[notify] admin_detail`).

The day of `tests/test_notify_day.py` (3 clients with groups), through the real collector
(`jobs.collect_now.Collector` with `jobs.run_summary.RunNotifier`), the fake RapidAPI and the
real admin log, which queues each admin message in the outbox.
"""

from __future__ import annotations

from bot.adminlog import AdminLog
from db.outbox import messages_in_order
from jobs.collect_now import Collector
from jobs.run_summary import RunNotifier
from tests.support.day_sim import fire_times
from tests.support.factories import Factory
from tests.support.fetch_env import fetch_env
from tests.test_notify_cycle import ALL_CLIENTS, publish_until, scenario_for_clients
from tests.test_notify_day import DAY, GROUPS, wib

ADMIN = "6281100000001"


async def run_day(pool, database_url, tmp_path, detail: str, *, failing: str | None = None):
    """Every fire time of the day; per run time: (phase, task rows queued, admin messages queued)."""
    scenario = scenario_for_clients()
    async with fetch_env(pool, database_url, tmp_path, scenario, wib(2026, 2, 17, 6, 0),
                         whatsapp={"admins": [ADMIN], "transport": "console"},
                         notify={"admin_detail": detail}) as env:
        if failing:
            env.fake.fail("ig_posts", "429", key=failing, times=None)
        f = Factory(pool)
        for cid in ALL_CLIENTS:
            await f.client(cid, type="direktorat" if cid == "DITBINMAS" else "org", group_ids=GROUPS.get(cid, []))
        admin_log = AdminLog(pool, env.settings, env.clock)
        notifier = RunNotifier(pool, env.settings, env.clock, admin_log)
        env.deps.reporter, env.deps.after_client = admin_log, notifier.after_client
        collector = Collector(env.deps, after_run=notifier.after_run)
        runs: dict[str, tuple[str, int, list[str]]] = {}
        for when, phase in fire_times(env.settings, DAY):
            env.clock.set(when)
            publish_until(scenario, when)
            tasks_before = await count(pool, "kind LIKE 'task_%'")
            admin_before = [m.id for m in await messages_in_order(pool, recipient=ADMIN)]
            await collector.collect(phase=phase, trigger="schedule")
            new_admin = [m.body for m in await messages_in_order(pool, recipient=ADMIN) if m.id not in admin_before]
            runs[when.strftime("%H:%M")] = (phase, await count(pool, "kind LIKE 'task_%'") - tasks_before, new_admin)
    return runs


async def count(pool, where: str) -> int:
    return await pool.fetchval(f"SELECT count(*) FROM outbox WHERE {where}")


async def test_one_summary_per_run_that_sent_something_and_nothing_for_quiet_runs(pool, database_url, tmp_path):
    runs = await run_day(pool, database_url, tmp_path, "summary")
    busy = [t for t, (_, queued, _) in runs.items() if queued]
    assert len(runs) == 33 and len(busy) >= 12 and len(busy) < len(runs)  # lists 06–17, changes, quiet evenings
    for at, (_, queued, admin) in runs.items():
        assert len(admin) == (1 if queued else 0), (at, admin)
    bodies = [b for _, _, admin in runs.values() for b in admin]
    for body in bodies:
        assert body.startswith("✅ *Pengambilan data terjadwal* selesai pukul ") and "Dikirim ke grup:" in body
        assert "slot" not in body and "post_fetch" not in body and "engagement_only" not in body
    first = runs["06:05"][2][0]
    assert first.startswith("✅ *Pengambilan data terjadwal* selesai pukul 06.05 WIB — ambil posting + engagement")
    assert "• POLRES_A: daftar tugas pukul 06.00 WIB" in first  # the 06 slot, in words a person reads
    assert "• POLRES_B: daftar tugas pukul 06.00 WIB" in first and "• DITBINMAS: daftar tugas" in first
    assert len(bodies) < 41 / 2  # the newcomer's demo day had 41


async def test_a_failing_client_is_in_the_summary_and_a_run_that_only_failed_is_an_error(pool, database_url,
                                                                                      tmp_path):
    runs = await run_day(pool, database_url, tmp_path, "summary", failing="polresb")
    summary = runs["06:05"][2]
    assert len(summary) == 1 and summary[0].startswith("❌ *Pengambilan data terjadwal* selesai pukul 06.05 WIB")
    assert ("Gagal:\n• POLRES_B: Instagram: kuota RapidAPI habis atau terlalu banyak permintaan (HTTP 429), "
            "menyerah setelah 3 percobaan") in summary[0]
    assert "rate limited" not in summary[0] and "gave up" not in summary[0]  # no English in WhatsApp
    failed_only = runs["06:30"][2]
    assert runs["06:30"][1] == 0 and len(failed_only) == 1 and failed_only[0].startswith("❌ *GALAT*")
    assert "Pengambilan data terjadwal (ambil posting + engagement): 1 dari 4 client gagal" in failed_only[0]
    for at, (phase, queued, admin) in runs.items():
        if queued:
            assert len(admin) == 1, (at, admin)
        elif phase == "engagement_only":
            assert admin == [], (at, admin)  # no posts fetched, nothing failed, nothing sent: silence
        else:
            assert len(admin) <= 1, (at, admin)  # the same failure again is held back within 30 minutes


async def test_admin_detail_errors_sends_nothing_on_a_day_without_failures(pool, database_url, tmp_path):
    runs = await run_day(pool, database_url, tmp_path, "errors")
    assert sum(queued for _, queued, _ in runs.values()) > 0
    assert all(admin == [] for _, _, admin in runs.values())


async def test_admin_detail_each_tells_every_task_message(pool, database_url, tmp_path):
    runs = await run_day(pool, database_url, tmp_path, "each")
    for at, (_, queued, admin) in runs.items():
        assert all(b.startswith("ℹ️ *INFO*") and "Notifikasi tugas" in b for b in admin), admin
        assert (len(admin) > 0) == (queued > 0), at
    assert len(runs["06:05"][2]) == 3  # one per client with a group
    assert any("Notifikasi tugas POLRES_A: daftar tugas pukul 06.00 WIB" in b for b in runs["06:05"][2])
