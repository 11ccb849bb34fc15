"""The collection cycle: today's posts and their likers/commenters, per client.

Public API (stable; other modules code against it):

* `Phase` — "post_fetch" (posts + engagement) or "engagement_only".
* `FetchDeps` — what a cycle needs; `fetch_deps(settings, pool, clock)` builds one
  (an async context manager that owns the shared `httpx.AsyncClient`).
* `collect_client(deps, client, phase, now=…) -> ClientResult` — one client's work.
  A queue worker runs exactly this. It never raises for API or payload problems:
  they end up in `ClientResult.ok/error`.
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
import time
from contextlib import asynccontextmanager
from dataclasses import replace, dataclass, field
from datetime import datetime, timedelta
from typing import Any, AsyncIterator, Awaitable, Callable, Literal, Protocol

import httpx

from core.settings import Settings
from db import clients as clients_db
from db import engagements as engagements_db
from db import job_runs as job_runs_db
from db import posts as posts_db
from db.clients import Client, set_tiktok_secuid
from db.posts import PostRecord
from core.clock import Clock, day_range, local_day
from core.reporting import LoggingReporter, Reporter
from jobs.schedule import phase_at, phase_for_manual_run
from jobs.sources.instagram import InstagramPost, account_posts, post_likers
from jobs.sources.rapidapi import PostListing, RapidApiClient, RapidApiError
from jobs.sources.tiktok import TikTokPost, lookup_secuid, user_posts, video_commenters

log = logging.getLogger(__name__)

Phase = Literal["post_fetch", "engagement_only"]
PHASES: tuple[Phase, ...] = ("post_fetch", "engagement_only")
Trigger = str  # "schedule" | "manual" (CLI) | "admin" (WhatsApp) | "queue"

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class PlatformCounts:
    """Counts for one client's posts of today (Asia/Jakarta) and their engagement."""

    instagram_posts: int = 0
    tiktok_posts: int = 0
    likes: int = 0  # engagement rows on today's Instagram posts
    comments: int = 0  # engagement rows on today's TikTok posts


@dataclass
class PostChanges:
    """Post ids that this run added, changed or marked removed, per platform."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class ClientResult:
    """The outcome of `collect_client` for one client (JSON-able via `to_dict`)."""

    client_id: str
    phase: Phase
    ok: bool = True
    error: str | None = None  # the fatal problems ("; "-joined, English, for operators), None when ok
    warnings: list[str] = field(default_factory=list)  # non-fatal: skipped items, distrusted deletions…
    before: PlatformCounts = field(default_factory=PlatformCounts)
    after: PlatformCounts = field(default_factory=PlatformCounts)
    instagram: PostChanges = field(default_factory=PostChanges)
    tiktok: PostChanges = field(default_factory=PostChanges)
    likes_written: int = 0  # liker rows sent to the merge (new + refreshed)
    comments_written: int = 0
    skipped_items: int = 0  # malformed payload items that were skipped
    duration_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ClientResult":
        """Rebuild a result from `to_dict()` output (e.g. a queue task's stored result)."""
        data = dict(data)
        for key in ("before", "after"):
            data[key] = PlatformCounts(**(data.get(key) or {}))
        for key in ("instagram", "tiktok"):
            data[key] = PostChanges(**(data.get(key) or {}))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class CycleResult:
    """The outcome of `run_cycle`."""

    job_run_id: int | None
    phase: Phase
    trigger: str
    status: str  # ok | partial | failed | skipped (job_runs.status)
    clients: list[ClientResult] = field(default_factory=list)
    skipped_clients: list[str] = field(default_factory=list)  # not started: deadline passed
    unknown_clients: list[str] = field(default_factory=list)  # asked for by id but not in `clients`
    lock_skipped: bool = False  # another cycle held the lock and this one did not run
    queued: bool = False  # this (manual/admin) run waited for the one in flight, then ran
    note: str | None = None

    @property
    def failed_clients(self) -> list[ClientResult]:
        return [c for c in self.clients if not c.ok]


@dataclass
class FetchDeps:
    """Everything a cycle needs. Build with `fetch_deps(...)` or by hand in tests."""

    pool: Any  # asyncpg.Pool
    settings: Settings
    clock: Clock
    http: httpx.AsyncClient
    reporter: Reporter = field(default_factory=LoggingReporter)
    after_client: Callable[[ClientResult], Awaitable[None]] | None = None  # notify hook
    sleep: Sleep = asyncio.sleep  # backoff sleeping; tests inject a recorder


class CycleProgress(Protocol):
    """Optional observer of a cycle (the CLI progress bars)."""

    def planned(self, client_ids: list[str]) -> None: ...

    def client_started(self, client_id: str) -> None: ...

    def client_finished(self, result: ClientResult) -> None: ...


@dataclass
class CyclePlan:
    """What a runner executes: the clients of one cycle and the callbacks it must use."""

    clients: list[Client]
    phase: Phase
    now: datetime  # the cycle's reference instant ("today" is its Jakarta date)
    job_run_id: int | None
    deadline: datetime  # no client may start after this
    may_start: Callable[[Client], Awaitable[bool]]
    finished: Callable[[ClientResult], Awaitable[None]]
    platforms: tuple[str, ...] | None = None  # None: every active platform of each client


class ClientRunner(Protocol):
    async def __call__(self, deps: FetchDeps, plan: CyclePlan) -> None: ...


# --------------------------------------------------------------------------- one client

ENGAGEMENT_CONCURRENCY = 3  # likers/comments calls in flight per client
LOCK_CLASS = 0x43494345  # "CICE": advisory-lock namespace of the collection cycle
LOCK_RUN = 1  # held by the running cycle
LOCK_QUEUE = 2  # held by the one manual/admin run waiting behind it
LOCK_WAIT_TIMEOUT_SECONDS = 6 * 3600.0
MAX_ERROR_CHARS = 1000


@dataclass
class _Collected:
    """What one platform produced for a client."""

    changes: PostChanges = field(default_factory=PostChanges)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (post_id, username)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_items: int = 0


def _api(deps: FetchDeps, platform: str) -> RapidApiClient:
    section = deps.settings.instagram if platform == "instagram" else deps.settings.tiktok
    return RapidApiClient.from_settings(platform, deps.http, section, sleep=deps.sleep)


def _ig_record(p: InstagramPost) -> PostRecord:
    return PostRecord(p.shortcode, p.taken_at, p.caption, p.like_count, p.comment_count, extra={
        "is_video": p.is_video, "is_carousel": p.is_carousel, "thumbnail_url": p.thumbnail_url,
        "image_url": p.image_url, "video_url": p.video_url})


def _tt_record(p: TikTokPost) -> PostRecord:
    return PostRecord(p.video_id, p.created_at, p.caption, p.like_count, p.comment_count, extra={
        "share_count": p.share_count, "view_count": p.view_count, "cover_url": p.cover_url})


async def _store_posts(deps: FetchDeps, platform: str, client: Client, listing: PostListing,
                       records: list[PostRecord], start: datetime, end: datetime, seen_at: datetime,
                       out: _Collected) -> None:
    """Upsert today's listed posts; mark missing ones removed only on a complete, plausible answer."""
    ratio = deps.settings.fetch.shrink_guard_ratio
    async with deps.pool.acquire() as conn:
        stored = set(await posts_db.day_post_ids(conn, platform, client.id, start, end, source="api"))
        outcome = await posts_db.upsert_posts(conn, platform, client.id, records, seen_at=seen_at)
        out.changes.new, out.changes.updated = outcome.new, outcome.updated
        listed = {r.post_id for r in records}
        missing = sorted(stored - listed)
        if not missing:
            return
        if not listing.complete:
            out.warnings.append(f"{platform}: {len(missing)} stored post(s) not listed, not marked removed: "
                                f"answer incomplete ({listing.reason or 'unknown'})")
            return
        if len(listed) < ratio * len(stored):
            out.warnings.append(f"{platform}: answer lists {len(listed)} of {len(stored)} stored posts of today "
                                f"(below shrink_guard_ratio {ratio:g}); nothing marked removed")
            return
        out.changes.removed = await posts_db.mark_removed(conn, platform, client.id, missing, at=seen_at)


async def _engagers(api: RapidApiClient, platform: str, post_ids: list[str], out: _Collected) -> None:
    fetch_one = post_likers if platform == "instagram" else video_commenters
    sem = asyncio.Semaphore(ENGAGEMENT_CONCURRENCY)

    async def one(post_id: str) -> None:
        async with sem:
            try:
                found = await fetch_one(api, post_id)
            except RapidApiError as exc:
                if exc.status == 404:
                    out.warnings.append(f"{platform} {post_id}: post not found by the API (engagement not refreshed)")
                else:
                    out.errors.append(str(exc))
                return
        out.skipped_items += found.skipped
        if not found.complete:
            out.warnings.append(f"{platform} {post_id}: engagement partial ({found.reason})")
        out.pairs.extend((post_id, name) for name in found.usernames)

    await asyncio.gather(*(one(pid) for pid in post_ids))


async def _tiktok_listing(deps: FetchDeps, api: RapidApiClient, client: Client, start: datetime) -> PostListing:
    """Today's TikTok videos; the secUid is looked up (and stored) when missing, and looked
    up again once when the stored one is refused (an account can change it)."""
    stored = client.tiktok_secuid
    secuid = stored or await lookup_secuid(api, client.tiktok)
    if secuid != stored:
        async with deps.pool.acquire() as conn:
            await set_tiktok_secuid(conn, client.id, secuid)
    try:
        return await user_posts(api, secuid, since=start, label=client.tiktok)
    except RapidApiError as exc:
        if not stored or exc.status not in (400, 404):
            raise
        fresh = await lookup_secuid(api, client.tiktok)
        if fresh == stored:
            raise
        log.info("%s: TikTok secUid of %s changed; stored the new one", client.id, client.tiktok)
        async with deps.pool.acquire() as conn:
            await set_tiktok_secuid(conn, client.id, fresh)
        return await user_posts(api, fresh, since=start, label=client.tiktok)


async def _collect_platform(deps: FetchDeps, platform: str, client: Client, phase: Phase, start: datetime,
                            end: datetime, seen_at: datetime) -> _Collected:
    out = _Collected()
    api = _api(deps, platform)
    try:
        if phase == "post_fetch":
            if platform == "instagram":
                listing = await account_posts(api, client.instagram, since=start)
                records = [_ig_record(p) for p in listing.posts if p.taken_at < end]
            else:
                listing = await _tiktok_listing(deps, api, client, start)
                records = [_tt_record(p) for p in listing.posts if p.created_at < end]
            out.skipped_items += listing.skipped
            await _store_posts(deps, platform, client, listing, records, start, end, seen_at, out)
    except RapidApiError as exc:
        out.errors.append(str(exc))
        return out
    async with deps.pool.acquire() as conn:
        targets = await posts_db.day_post_ids(conn, platform, client.id, start, end)
    await _engagers(api, platform, targets, out)
    return out


async def _counts(deps: FetchDeps, client_id: str, start: datetime, end: datetime) -> PlatformCounts:
    c = await posts_db.client_day_counts(deps.pool, client_id, start, end)
    return PlatformCounts(c.instagram_posts, c.tiktok_posts, c.likes, c.comments)


async def collect_client(deps: FetchDeps, client: Client, phase: Phase, *, now: datetime) -> ClientResult:
    """One client's collection for `phase`; "today" is `now`'s date in the configured zone.

    post_fetch: today's Instagram/TikTok posts are upserted (removals only on a
    complete, plausible answer), then likers/commenters of today's live posts are
    merged. engagement_only: only the likers/commenters. Each platform is isolated:
    an Instagram failure does not stop TikTok. API and payload problems end up in
    `ok`/`error`/`warnings`; the function raises only for programming errors in hooks.
    Personnel flagged `exception` are not written as likes (attendance counts them).
    """
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    began = time.monotonic()
    result = ClientResult(client_id=client.id, phase=phase)
    tz = deps.settings.tz
    start, end = day_range(local_day(now, tz), tz)
    seen_at = deps.clock.now()
    errors: list[str] = []
    try:
        result.before = await _counts(deps, client.id, start, end)
        platforms = [p for p, on in (("instagram", client.fetches_instagram), ("tiktok", client.fetches_tiktok)) if on]
        collected = await asyncio.gather(
            *(_collect_platform(deps, p, client, phase, start, end, seen_at) for p in platforms),
            return_exceptions=True,
        )
        for platform, got in zip(platforms, collected):
            if isinstance(got, BaseException):
                if not isinstance(got, Exception):
                    raise got
                log.error("collecting %s of %s failed", platform, client.id, exc_info=got)
                errors.append(f"{platform}: unexpected {got.__class__.__name__}: {got}")
                continue
            setattr(result, platform, got.changes)
            errors.extend(got.errors)
            result.warnings.extend(got.warnings)
            result.skipped_items += got.skipped_items
            if got.pairs:
                async with deps.pool.acquire() as conn:
                    merged = await engagements_db.merge_engagements(conn, platform, got.pairs, seen_at=seen_at)
                if platform == "instagram":
                    result.likes_written = merged.written
                else:
                    result.comments_written = merged.written
        if not platforms:
            result.warnings.append("client has no active Instagram or TikTok account")
        result.after = await _counts(deps, client.id, start, end)
    except Exception as exc:  # DB trouble or a bug: this client fails, the cycle goes on
        log.exception("collecting %s failed", client.id)
        errors.append(f"unexpected {exc.__class__.__name__}: {exc}")
    if result.skipped_items:
        result.warnings.append(f"{result.skipped_items} malformed payload item(s) skipped")
    if errors:
        result.ok = False
        text = "; ".join(errors)
        result.error = text[:MAX_ERROR_CHARS] + ("…" if len(text) > MAX_ERROR_CHARS else "")
    result.duration_seconds = round(time.monotonic() - began, 3)
    return result


# --------------------------------------------------------------------------- the cycle


PLATFORMS = ("instagram", "tiktok")


def only_platforms(client: Client, platforms: tuple[str, ...] | list[str] | None) -> Client:
    """`client` with the platforms outside `platforms` switched off (None keeps both)."""
    if platforms is None:
        return client
    unknown = set(platforms) - set(PLATFORMS)
    if unknown:
        raise ValueError(f"unknown platform(s): {', '.join(sorted(unknown))}")
    return replace(client, instagram_active=client.instagram_active and "instagram" in platforms,
                   tiktok_active=client.tiktok_active and "tiktok" in platforms)


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
    return "fetch_posts" if phase == "post_fetch" else "fetch_engagement"


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
) -> CycleResult:
    """Run one collection cycle now.

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
            try:
                log.info("a collection run is in flight; the %s run waits for it", trigger)
                await lock_conn.execute("SELECT pg_advisory_lock($1, $2)", LOCK_CLASS, LOCK_RUN,
                                        timeout=LOCK_WAIT_TIMEOUT_SECONDS)
            finally:
                await lock_conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, LOCK_QUEUE)
            queued = True
        try:
            return await _locked_cycle(deps, phase, client_ids, trigger, progress, runner, queued, platforms)
        finally:
            await lock_conn.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_CLASS, LOCK_RUN)


async def _locked_cycle(deps: FetchDeps, phase: Phase, client_ids: list[str] | None, trigger: str,
                        progress: CycleProgress | None, runner: ClientRunner, queued: bool,
                        platforms: tuple[str, ...] | None = None) -> CycleResult:
    settings = deps.settings
    now = deps.clock.now()
    job = job_name(phase)
    clients, unknown = await _cycle_clients(deps, client_ids)
    clients = [only_platforms(c, platforms) for c in clients]
    run_id = await job_runs_db.start_run(deps.pool, job=job, phase=phase, trigger=trigger, started_at=now,
                                         note="queued behind a run in flight" if queued else None)
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
        try:
            await job_runs_db.record_client(deps.pool, run_id, result.client_id, result.to_dict())
        except Exception:
            log.exception("could not record the result of %s in job run %s", result.client_id, run_id)
        if progress is not None:
            progress.client_finished(result)
        if deps.after_client is not None:
            try:
                await deps.after_client(result)
            except Exception as exc:
                log.exception("after_client hook failed for %s", result.client_id)
                run_errors.append({"client_id": result.client_id, "error": f"after_client: {exc}"})

    plan = CyclePlan(clients=clients, phase=phase, now=now, job_run_id=run_id, deadline=deadline,
                     may_start=may_start, finished=finished, platforms=platforms)
    try:
        await runner(deps, plan)
    except Exception as exc:
        log.exception("collection run %s: the runner failed", run_id)
        run_errors.append({"client_id": None, "error": f"runner: {exc.__class__.__name__}: {exc}"})
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
    notes = []
    if queued:
        notes.append("queued behind a run in flight")
    if cycle.skipped_clients:
        notes.append(f"{len(cycle.skipped_clients)} client(s) not started: deadline passed")
    cycle.note = "; ".join(notes) or None
    await job_runs_db.finish_run(deps.pool, run_id, status=cycle.status, finished_at=deps.clock.now(),
                                 errors=run_errors, note=cycle.note)
    try:
        await engagements_db.refresh_statistics(deps.pool)
    except Exception:  # statistics are an optimisation; the run itself succeeded
        log.warning("could not refresh planner statistics after run %s", run_id, exc_info=True)
    log.info("collection run %s finished: %s (%d ok, %d failed, %d skipped)", run_id, cycle.status,
             len(cycle.clients) - len(failed), len(failed), len(cycle.skipped_clients))
    if failed or cycle.skipped_clients or unknown:
        lines = [f"{e['client_id'] or '-'}: {e['error']}" for e in run_errors][:10]
        try:
            await deps.reporter.error(
                f"Pengambilan data ({phase}) selesai dengan masalah: {len(failed)} client gagal, "
                f"{len(cycle.skipped_clients)} tidak sempat diproses.\n" + "\n".join(lines),
                job_run_id=run_id,
            )
        except Exception:
            log.exception("could not report collection run %s", run_id)
    return cycle


@asynccontextmanager
async def fetch_deps(settings: Settings, pool, clock: Clock, *, reporter: Reporter | None = None,
                     after_client: Callable[[ClientResult], Awaitable[None]] | None = None,
                     sleep: Sleep = asyncio.sleep) -> AsyncIterator[FetchDeps]:
    """FetchDeps with a shared httpx.AsyncClient sized from settings; closes it on exit."""
    limits = httpx.Limits(
        max_connections=max(settings.instagram.max_connections, settings.tiktok.max_connections),
        max_keepalive_connections=max(settings.instagram.max_connections, settings.tiktok.max_connections),
    )
    async with httpx.AsyncClient(limits=limits) as http:
        yield FetchDeps(pool=pool, settings=settings, clock=clock, http=http,
                        reporter=reporter or LoggingReporter(), after_client=after_client, sleep=sleep)
