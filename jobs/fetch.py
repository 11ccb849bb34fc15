"""The collection cycle: every client's collection in one run (types in `jobs/fetch_model.py`,
one client's work in `jobs/collect_client.py`).

* `run_cycle(deps, phase=None, client_ids=None, trigger="schedule", progress=None,
  runner=None) -> CycleResult` — the whole cycle: advisory lock, job_runs record,
  bounded concurrency, deadline, per-client isolation, `deps.after_client` hook.
* `ClientRunner` / `CyclePlan` — the pluggable per-client execution strategy.
  The default `in_process_runner` runs `collect_client` in this process with
  `[fetch] client_concurrency`; the queue module substitutes one that publishes a
  task per client and waits for completion records. A runner MUST call
  `await plan.may_start(client)` before starting each client (False = deadline
  passed: do not start it) and `await plan.finished(result)` once per finished client.

`deps.after_client` (the notifications hook) is called by `run_cycle` for each
finished client, whatever the runner, in the process that runs the cycle.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg

from core.boundary import describe, guarded
from core.clock import local_day
from core.settings import Settings
from db import attendance_ledger
from db import clients as clients_db
from db import engagements as engagements_db
from db import job_runs as job_runs_db
from db.clients import Client
from jobs.collect_client import collect_client
from jobs.fetch_model import (
    PHASES, ClientResult, ClientRunner, CycleProgress, CyclePlan, CycleResult, FetchDeps, Phase,
    only_platforms,
)
from jobs.sources.rapidapi import missing_key_text, missing_keys
from jobs.schedule import phase_at, phase_for_manual_run

log = logging.getLogger(__name__)

LOCK_CLASS = 0x43494345  # "CICE": advisory-lock namespace of the collection cycle
LOCK_RUN = 1  # held by the running cycle
LOCK_QUEUE = 2  # held by the one manual/admin run waiting behind it
LOCK_WAIT_SLACK_SECONDS = 30.0
OWNER = f"{socket.gethostname()}:{os.getpid()}"  # recorded on each job_runs row this process starts


def lock_wait_seconds(settings: Settings) -> float:
    """How long a queued run waits for the one in flight: that run's own bound (run deadline, then
    the last started client's deadline), plus a little slack for its bookkeeping."""
    f = settings.fetch
    bound = (f.run_deadline_minutes + f.client_deadline_minutes) * 60.0
    return bound + min(LOCK_WAIT_SLACK_SECONDS, bound / 10)


async def in_process_runner(deps: FetchDeps, plan: CyclePlan) -> None:
    """The default runner: `collect_client` in this process, `[fetch] client_concurrency` at a time."""
    sem = asyncio.Semaphore(deps.settings.fetch.client_concurrency)

    async def one(client: Client) -> None:
        async with sem:
            if not await plan.may_start(client):
                return
            result = await collect_client(deps, client, plan.phase, now=plan.now)
            await plan.finished(result)

    await asyncio.gather(*(one(c) for c in plan.clients))


def job_name(phase: Phase) -> str:
    return {"post_fetch": "fetch_posts", "late_sweep": "fetch_late_sweep"}.get(phase, "fetch_engagement")


def resolve_phase(settings: Settings, now: datetime) -> Phase:
    """The scheduled phase at `now`, or for an unscheduled minute the phase of the day's latest fire time."""
    return phase_at(settings, now) or phase_for_manual_run(settings, now)


async def _cycle_clients(deps: FetchDeps, client_ids: list[str] | None) -> tuple[list[Client], list[str]]:
    if client_ids:
        wanted = list(dict.fromkeys(c.strip().upper() for c in client_ids if c.strip()))
        found = await clients_db.clients_by_ids(deps.pool, wanted)
        known = {c.id for c in found}
        return found, [c for c in wanted if c not in known]
    clients = await clients_db.active_clients(deps.pool)
    return [c for c in clients if c.fetches_instagram or c.fetches_tiktok], []


async def run_cycle(
    deps: FetchDeps,
    *,
    phase: Phase | None = None,
    client_ids: list[str] | None = None,
    trigger: str = "schedule",
    progress: CycleProgress | None = None,
    runner: ClientRunner | None = None,
    platforms: tuple[str, ...] | None = None,
    day: date | None = None,
) -> CycleResult:
    """Run one collection cycle now.

    * `day` (a past Jakarta day, `cicero fetch --day`): refresh the likes/comments of
      that day's tasks (engagement only, no task notifications).
    * `phase` "late_sweep": likes/comments of the `[schedule] late_sweep_days` days
      before today (the daily sweep after the last evening run; no notifications).

    * `phase` None: the phase scheduled at the clock's minute (or, off schedule, the
      phase of the day's latest fire time; post_fetch before the first).
    * `client_ids` None: every active client with an active Instagram or TikTok account.
    * A PostgreSQL advisory lock keeps cycles apart across processes. A "schedule" run
      that finds it held is recorded as a skipped job run and returns `lock_skipped`.
      Any other trigger waits for the run in flight — but only one waits: a further
      request while one is already waiting returns `lock_skipped` with a note.
    * No client starts after `[fetch] run_deadline_minutes`; those are `skipped_clients`.
    * `deps.after_client(result)` runs for every finished client (its failures are logged).
    """
    settings = deps.settings
    runner = runner or in_process_runner
    requested_at = deps.clock.now()
    if day is not None:
        if day > local_day(requested_at, settings.tz):
            raise ValueError(f"day {day.isoformat()} is in the future")
        phase = "engagement_only"
    phase = phase or resolve_phase(settings, requested_at)
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    job = job_name(phase)
    async with deps.pool.acquire() as lock_conn:
        got = await lock_conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", LOCK_CLASS, LOCK_RUN)
        queued = False
        if not got:
            if trigger == "schedule":
                note = "another collection run holds the lock; this scheduled run is skipped"
                log.info("%s (%s)", note, phase)
                run_id = await job_runs_db.record_skipped_run(deps.pool, job=job, phase=phase, trigger=trigger,
                                                              at=requested_at, note=note)
                return CycleResult(run_id, phase, trigger, "skipped", lock_skipped=True, note=note)
            if not await lock_conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", LOCK_CLASS, LOCK_QUEUE):
                note = "a run is in flight and another is already queued behind it; this request joins that one"
                log.info("%s (%s, %s)", note, phase, trigger)
                run_id = await job_runs_db.record_skipped_run(deps.pool, job=job, phase=phase, trigger=trigger,
                                                              at=requested_at, note=note)
                return CycleResult(run_id, phase, trigger, "skipped", lock_skipped=True, note=note)
            wait = lock_wait_seconds(settings)
            try:
                log.info("a collection run is in flight; the %s run waits for it (at most %.0f s)", trigger, wait)
                await lock_conn.execute("SELECT pg_advisory_lock($1, $2)", LOCK_CLASS, LOCK_RUN, timeout=wait)
            except TimeoutError:
                note = (f"the run in flight did not finish within {wait / 60:g} min (its own deadline); "
                        "this request was not run")
                log.warning("%s (%s, %s)", note, phase, trigger)
                run_id = await job_runs_db.record_skipped_run(deps.pool, job=job, phase=phase, trigger=trigger,
                                                              at=requested_at, note=note)
                return CycleResult(run_id, phase, trigger, "skipped", lock_skipped=True, note=note)
            finally:
                await lock_conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, LOCK_QUEUE)
            queued = True
        try:
            return await _locked_cycle(deps, phase, client_ids, trigger, progress, runner, queued, platforms, day)
        finally:
            await lock_conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, LOCK_RUN)


async def fold_closed_days(pool: asyncpg.Pool, through: date) -> None:
    """Fold the attendance ledger's days up to `through` into its monthly totals before the run writes, so
    the run's own marks (today's) are daily rows only. Not folding changes no figure (only how many daily
    rows a month's recap adds), so a busy ledger or a failure is logged and the run goes on."""
    try:
        async with pool.acquire() as conn:
            if not await attendance_ledger.fold_days(conn, through):
                log.info("attendance ledger busy: days up to %s not folded into the monthly totals this run", through)
    except (asyncpg.PostgresError, OSError) as exc:
        log.warning("attendance ledger: folding the days up to %s failed: %s", through, describe(exc))


async def _locked_cycle(deps: FetchDeps, phase: Phase, client_ids: list[str] | None, trigger: str,
                        progress: CycleProgress | None, runner: ClientRunner, queued: bool,
                        platforms: tuple[str, ...] | None = None, day: date | None = None) -> CycleResult:
    settings = deps.settings
    now = deps.clock.now()
    job = job_name(phase)
    # the instant whose Jakarta day the clients work on: a past day is its noon
    about = datetime.combine(day, time(12), tzinfo=settings.tz) if day else now
    notify = day is None and phase != "late_sweep"  # task notifications are about today only
    clients, unknown = await _cycle_clients(deps, client_ids)
    clients = [only_platforms(c, platforms) for c in clients]
    run_id = await job_runs_db.start_run(deps.pool, job=job, phase=phase, trigger=trigger, started_at=now,
                                         note="queued behind a run in flight" if queued else None, owner=OWNER)
    await fold_closed_days(deps.pool, local_day(now, settings.tz) - timedelta(days=1))
    cycle = CycleResult(run_id, phase, trigger, "running", queued=queued, unknown_clients=unknown)
    run_errors: list[dict[str, Any]] = [{"client_id": cid, "error": "unknown client"} for cid in unknown]
    deadline = now + timedelta(minutes=settings.fetch.run_deadline_minutes)
    started: set[str] = set()
    log.info("collection run %s started: %s, %s, %d client(s)", run_id, phase, trigger, len(clients))
    if progress is not None:
        progress.planned([c.id for c in clients])

    async def may_start(client: Client) -> bool:
        if deps.clock.now() >= deadline:
            return False
        started.add(client.id)
        if progress is not None:
            progress.client_started(client.id)
        return True

    async def finished(result: ClientResult) -> None:
        cycle.clients.append(result)
        if not result.ok:
            run_errors.append({"client_id": result.client_id, "error": result.error})
        async with guarded("recording a client result", log, client_id=result.client_id, job_run_id=run_id):
            await job_runs_db.record_client(deps.pool, run_id, result.client_id, result.to_dict())
        if progress is not None:
            progress.client_finished(result)
        if deps.after_client is not None and notify:
            async with guarded("the after_client hook", log, client_id=result.client_id) as hook:
                await deps.after_client(result)
            if hook.failed:
                run_errors.append({"client_id": result.client_id, "error": f"after_client: {hook.error}"})

    plan = CyclePlan(clients=clients, phase=phase, now=about, job_run_id=run_id, deadline=deadline,
                     may_start=may_start, finished=finished, platforms=platforms, past_day=day is not None)
    try:
        async with guarded("the collection runner", log, job_run_id=run_id) as g:
            await runner(deps, plan)
    except asyncio.CancelledError:  # shutdown mid-run: the row must not stay `running` for ever
        await asyncio.shield(job_runs_db.finish_run(deps.pool, run_id, status="cancelled",
                                                    finished_at=deps.clock.now(), errors=run_errors,
                                                    note="stopped before the run finished (shutdown)"))
        raise
    if g.failed:
        run_errors.append({"client_id": None, "error": f"runner: {describe(g.error)}"})
    done = {r.client_id for r in cycle.clients}
    cycle.skipped_clients = [c.id for c in clients if c.id not in started and c.id not in done]
    lost = [c.id for c in clients if c.id in started and c.id not in done]
    for cid in lost:
        run_errors.append({"client_id": cid, "error": "started but no result came back"})
    for cid in cycle.skipped_clients:
        run_errors.append({"client_id": cid, "error": "not started: run deadline passed"})
    failed = [r for r in cycle.clients if not r.ok]
    if not clients:
        cycle.status = "ok" if not unknown else "failed"
    elif not cycle.clients or len(failed) == len(cycle.clients) == len(clients):
        cycle.status = "failed"
    elif failed or cycle.skipped_clients or lost or unknown:
        cycle.status = "partial"
    else:
        cycle.status = "ok"
    notes = [f"{p} not collected: {missing_key_text(p)}" for p in missing_keys(settings)
             if any(getattr(c, f"fetches_{p}") for c in clients)]
    if day is not None:
        notes.append(f"likes/comments of {day.isoformat()}")
    if queued:
        notes.append("queued behind a run in flight")
    if cycle.skipped_clients:
        notes.append(f"{len(cycle.skipped_clients)} client(s) not started: deadline passed")
    cycle.note = "; ".join(notes) or None
    await job_runs_db.finish_run(deps.pool, run_id, status=cycle.status, finished_at=deps.clock.now(),
                                 errors=run_errors, note=cycle.note)
    # statistics are an optimisation; the run itself succeeded
    async with guarded("refreshing planner statistics", log, level="warning", job_run_id=run_id):
        await engagements_db.refresh_statistics(deps.pool)
    log.info("collection run %s finished: %s (%d ok, %d failed, %d skipped)", run_id, cycle.status,
             len(cycle.clients) - len(failed), len(failed), len(cycle.skipped_clients))
    # the admins hear about failed and skipped clients from the collector's after_run (jobs/run_summary.py)
    return cycle


async def abandon_stale_runs(pool: asyncpg.Pool, now: datetime) -> list[int]:
    """At start-up: close `running` rows left by a process that died, when no cycle is running anywhere.

    A running cycle holds the advisory lock, so getting the lock proves every
    `running` row is stale; if another process holds it, nothing is touched.
    """
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", LOCK_CLASS, LOCK_RUN):
            return []
        try:
            ids = await job_runs_db.abandon_running_runs(conn, at=now, note="the process running it stopped")
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, LOCK_RUN)
    if ids:
        log.warning("collection run(s) %s were left running by a stopped process; marked abandoned",
                    ", ".join(map(str, ids)))
    return ids
