"""What a collection run takes and gives: phases, results, the dependencies, the runner protocol.

* `Phase` — "post_fetch" (posts + engagement) or "engagement_only".
* `FetchDeps` — what a cycle needs; `fetch_deps(settings, pool, clock)` builds one
  (an async context manager that owns the shared `httpx.AsyncClient`).
* `ClientResult` / `CycleResult` — one client's outcome (JSON-able, it travels
  through the task queue) and the whole run's.
* `ClientRunner` / `CyclePlan` — the pluggable per-client execution strategy
  (`jobs/fetch.py` has the in-process one, `jobs/queue/collect_runner.py` the
  queue's). A runner MUST call `await plan.may_start(client)` before starting
  each client (False = deadline passed: do not start it) and
  `await plan.finished(result)` once per finished client.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable, Literal, Protocol

import asyncpg
import httpx

from core.clock import Clock
from core.reporting import LoggingReporter, Reporter
from core.settings import Settings
from db.clients import Client
from jobs.quota import QuotaMeter
from jobs.sources.http_transport import CollectionHttp

Phase = Literal["post_fetch", "engagement_only", "late_sweep"]
PHASES: tuple[Phase, ...] = ("post_fetch", "engagement_only", "late_sweep")
Trigger = str  # "schedule" | "manual" (CLI) | "admin" (WhatsApp) | "queue"

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class PlatformCounts:
    """Counts for one client's posts of today (Asia/Jakarta) and their engagement."""

    instagram_posts: int = 0
    tiktok_posts: int = 0
    likes: int = 0  # engagement rows held on today's Instagram tasks
    comments: int = 0  # engagement rows held on today's TikTok tasks


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
    timed_out: bool = False  # the client deadline stopped it (then ok is False too)
    warnings: list[str] = field(default_factory=list)  # non-fatal: skipped items, distrusted deletions…
    before: PlatformCounts = field(default_factory=PlatformCounts)
    after: PlatformCounts = field(default_factory=PlatformCounts)
    instagram: PostChanges = field(default_factory=PostChanges)
    tiktok: PostChanges = field(default_factory=PostChanges)
    likes_written: int = 0  # distinct liker pairs the API listed (sent to the merge)
    comments_written: int = 0
    likes_new: int = 0  # of those, rows the merge really inserted
    comments_new: int = 0
    skipped_items: int = 0  # malformed payload items that were skipped
    api_calls: dict[str, int] = field(default_factory=dict)  # RapidAPI requests per platform
    duration_seconds: float = 0.0

    @property
    def status(self) -> str:
        """ok | failed | timeout: what the CLI, the admin summary and job_runs show for the client."""
        return "timeout" if self.timed_out else ("ok" if self.ok else "failed")

    def to_dict(self) -> dict[str, Any]:
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

    pool: asyncpg.Pool
    settings: Settings
    clock: Clock
    http: httpx.AsyncClient
    reporter: Reporter = field(default_factory=LoggingReporter)
    after_client: Callable[[ClientResult], Awaitable[None]] | None = None  # notify hook
    sleep: Sleep = asyncio.sleep  # backoff sleeping; tests inject a recorder
    quota: QuotaMeter | None = None  # RapidAPI requests per key; built from settings when not given

    def __post_init__(self) -> None:
        if self.quota is None:
            self.quota = QuotaMeter(self.settings)


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
    past_day: bool = False  # `now` is a past day (`cicero fetch --day`): engagement of that day only


class ClientRunner(Protocol):
    async def __call__(self, deps: FetchDeps, plan: CyclePlan) -> None: ...


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


@asynccontextmanager
async def fetch_deps(settings: Settings, pool: asyncpg.Pool, clock: Clock, *, reporter: Reporter | None = None,
                     after_client: Callable[[ClientResult], Awaitable[None]] | None = None,
                     sleep: Sleep = asyncio.sleep) -> AsyncIterator[FetchDeps]:
    """FetchDeps with a shared httpx.AsyncClient sized from settings (`jobs/sources/http_transport.py`); closes it on exit."""
    limits = httpx.Limits(
        max_connections=max(settings.instagram.max_connections, settings.tiktok.max_connections),
        max_keepalive_connections=max(settings.instagram.max_connections, settings.tiktok.max_connections),
    )
    async with CollectionHttp(limits) as http:
        yield FetchDeps(pool=pool, settings=settings, clock=clock, http=http,
                        reporter=reporter or LoggingReporter(), after_client=after_client, sleep=sleep)
