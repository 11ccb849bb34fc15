"""`cicero demo`: the whole product on one machine, with no WhatsApp, RapidAPI or database.

An embedded PostgreSQL in a data directory, the demo world (jobs/demo_data.py)
written into it, the fake RapidAPI serving that world's posts on loopback, one
collection cycle with its progress bars, then the normal service (HTTP API,
outbox, scheduler) with the console transport so the person chats as an admin
and sees every group notification.

`--fast-clock` replaces the clock with one that runs `speed` times faster from
06:00 WIB today, disables the real-time scheduler, and replays every fire time
of the day's schedule as the fast clock passes it; posts appear in the fake
API as their upload time passes, so hourly task lists, change messages and the
17:05 slot can be watched in a few minutes. When the replay has run the last
fire time, the clock goes on at real speed from that minute (menus no longer
expire within seconds, "hari ini" stays the replayed day) and says so.

Documents the bot sends are saved under `[whatsapp] console_files_dir` of the
person's configuration (default `var/outbox-files/`), not in the demo's
temporary directory, so they survive the demo.
"""

from __future__ import annotations

import asyncio
import logging
import time as systime
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

import asyncpg
from rich.console import Console
from rich.markup import escape
from pydantic import SecretStr
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from bot.adminlog import AdminLog
from bot.api.security import hash_password
from bot.app import run_service
from bot.collection import open_collector
from bot.commands.fetch_cmd import PHASE_TEXT, ProgressBars
from core.boundary import guarded
from core.clock import SystemClock, local_day
from core.settings import Settings, load_settings
from db.clients import upsert_client
from db.dashboard_accounts import account_for_login, create_account
from db.audit import Actor
from jobs.personnel_changes import save_personnel
from db.pool import open_database
from db.profiles import store_profile
from db.report_subscriptions import list_subscriptions
from handlers.reports.subscriptions.defaults import seed_defaults
from handlers.reports.subscriptions.delivery import run_due
from handlers.reports.subscriptions.timing import Triggers
from jobs.schedule import fire_times
from jobs.schedule_switch import fire_phase
from jobs.demo_data import DEMO_ADMIN_PHONE, DemoPost, DemoWorld, build_demo_world
from jobs.sources.fake_rapidapi import FakeAccount, FakePost, FakeRapidApi, Scenario

log = logging.getLogger(__name__)

DEMO_API_KEY = "demo-key"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo12345"


@dataclass
class FastClock:
    """A clock that starts at `start` and runs `speed` times faster than real time."""

    start: datetime
    speed: float
    tz: object = None
    _origin: float = field(default_factory=systime.monotonic)

    def __post_init__(self) -> None:
        self.tz = self.start.tzinfo

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(systime.monotonic() - self._origin) * self.speed)

    def run_at_real_speed(self, start: datetime) -> None:
        """From now on, advance one second per second, starting at `start`."""
        self.start, self._origin, self.speed = start, systime.monotonic(), 1.0


def demo_settings(base: Settings, data_dir: Path, api_port: int, fast: bool) -> Settings:
    """The demo's settings: embedded database, console chat, development API."""
    return load_settings(
        Path("/nonexistent/cicero-demo.toml"),
        general={"environment": "development", "timezone": base.general.timezone},
        database={"url": "", "data_dir": str(data_dir)},
        whatsapp={"transport": "console", "admins": [DEMO_ADMIN_PHONE], "send_interval_seconds": 0.2,
                  "console_files_dir": str(base.whatsapp.console_files_dir)},
        api={"host": "127.0.0.1", "port": api_port, "enabled": True},
        schedule={"enabled": not fast},
        queue={"url": ""},
    ).settings


def to_scenario(world: DemoWorld, visible_until: datetime | None) -> Scenario:
    """Fake RapidAPI accounts for the world's posts uploaded up to `visible_until`."""
    accounts = []
    for client in world.clients:
        for platform, handle in (("instagram", client.instagram), ("tiktok", client.tiktok)):
            if handle:
                accounts.append(FakeAccount(platform=platform, username=handle,
                                            posts=[_fake_post(p) for p in world.posts_of(client.id, platform)
                                                   if visible_until is None or p.posted_at <= visible_until]))
    return Scenario(accounts=accounts, api_key=DEMO_API_KEY)


def _fake_post(post: DemoPost) -> FakePost:
    return FakePost(id=post.post_id, posted_at=post.posted_at, caption=post.caption, engagers=list(post.engaged),
                    like_count=post.like_count, comment_count=post.comment_count)


def reveal_posts(scenario: Scenario, world: DemoWorld, until: datetime) -> int:
    """Add the world's posts uploaded up to `until` to the fake; returns how many appeared."""
    added = 0
    by_handle = {(a.platform, a.username): a for a in scenario.accounts}
    for client in world.clients:
        for platform, handle in (("instagram", client.instagram), ("tiktok", client.tiktok)):
            account = by_handle.get((platform, handle))
            if account is None:
                continue
            known = {p.id for p in account.posts}
            for post in world.posts_of(client.id, platform):
                if post.post_id not in known and post.posted_at <= until:
                    account.posts.append(_fake_post(post))
                    added += 1
    return added


async def seed(pool: asyncpg.Pool, world: DemoWorld) -> None:
    """Write the demo clients, personnel and the dashboard login (idempotent)."""
    async with pool.acquire() as conn, conn.transaction():
        for client in sorted(world.clients, key=lambda c: c.parent_id is not None):
            await upsert_client(conn, client)
        await save_personnel(conn, Actor("demo", "system"), world.personnel, action="personnel.seed")
        for p in world.profiles:  # what a collection cycle stores (until it stores profiles itself)
            await store_profile(conn, p.client_id, p.platform, p.profile, day=p.day, fetched_at=p.fetched_at)
        if await account_for_login(conn, DEMO_USERNAME) is None:
            await create_account(conn, username=DEMO_USERNAME, password_hash=hash_password(DEMO_PASSWORD),
                                 role="ditbinmas", whatsapp=world.admin_phone,
                                 client_ids=[c.id for c in world.clients])
    await pool.execute("ANALYZE")  # fresh tables: give the planner real statistics before the first report


REPORTS_PHASE = "reports"


class DayReplay:
    """A part that runs every fire time of today's schedule as the fast clock passes it."""

    name = "demo-replay"

    def __init__(self, app, world: DemoWorld, scenario: Scenario, console: Console, clock: FastClock):
        self.app, self.world, self.scenario, self.console, self.clock = app, world, scenario, console, clock
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._replay())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _replay(self) -> None:
        clock = self.clock
        settings = self.app.settings
        pool = self.app.db.pool
        reporter = AdminLog(pool, settings, clock)
        today = local_day(clock.now(), settings.tz)
        last = clock.now()
        for when, phase in await self._timeline(today):
            last = when
            while clock.now() < when:
                await asyncio.sleep(0.2)
            if phase == REPORTS_PHASE:
                async with guarded("demo replay reports", log, at=f"{when:%H:%M}"):
                    tick = await run_due(pool, settings, when, reporter)  # built as at its time
                    self.console.print(f"⏱ {when:%H:%M} WIB — scheduled reports: {tick.fired} sent "
                                       f"({tick.queued} message(s)), {tick.empty} empty", style="dim",
                                       markup=False, highlight=False)
                continue
            appeared = reveal_posts(self.scenario, self.world, when)
            self.console.print(f"⏱ {when:%H:%M} WIB — {PHASE_TEXT.get(phase, phase)}"
                               f"{f', {appeared} new post(s) appeared' if appeared else ''}", style="dim",
                               markup=False, highlight=False)
            async with guarded("demo replay cycle", log, at=f"{when:%H:%M}"):
                async with open_collector(settings, pool, clock, reporter) as collector:
                    await fire_phase(pool, phase, f"demo-{phase}", collector.collect, now=when)
        clock.run_at_real_speed(last)  # back to the replay's last minute: "today" is the replayed day
        self.console.print(f"⏱ replay finished: the whole day's schedule has run. The demo clock now runs at "
                           f"real speed from {last:%H:%M} WIB, so menus stay open and \"hari ini\" is still "
                           f"{last:%d/%m/%Y}.", style="bold", markup=False, highlight=False)

    async def _timeline(self, today) -> list[tuple[datetime, str]]:
        """Today's collection fires and report-subscription slots, in order (collection first at a tie)."""
        settings = self.app.settings
        events = []
        for fire in fire_times(settings, today):
            if fire.phase != "late_sweep":  # the sweep is about yesterday
                hh, mm = (int(x) for x in fire.time.split(":"))
                events.append((datetime.combine(today, time(hh, mm), tzinfo=settings.tz), fire.phase))
        if settings.reports.enabled:
            replay_start = self.clock.start  # seeded as at 06:00, so the 06:45 recap is due however fast the clock
            await seed_defaults(self.app.db.pool, settings, replay_start)
            times = {t for s in await list_subscriptions(self.app.db.pool, active_only=True) for t in s.times}
            start = datetime.combine(today, time(0, 0), tzinfo=settings.tz)
            events += [(at, REPORTS_PHASE) for at in Triggers(settings).slots_between(
                times, max(start, replay_start), start + timedelta(days=1) - timedelta(seconds=1))]
        return sorted(events, key=lambda e: (e[0], e[1] == REPORTS_PHASE))


async def run_demo(base: Settings, console: Console, *, data_dir: Path, api_port: int, fast: bool,
                   speed: float) -> int:
    settings = demo_settings(base, data_dir, api_port, fast)
    real_now = SystemClock(settings.tz).now()
    clock = FastClock(datetime.combine(real_now.date(), time(6, 0), tzinfo=settings.tz), speed) if fast else \
        SystemClock(settings.tz)
    today = local_day(clock.now(), settings.tz)
    if fast:
        world = build_demo_world(today)
    else:  # today's posts so far: uploaded in the hours before now, whatever the hour
        since, until = posting_window(real_now)
        world = build_demo_world(today, since=since, until=until)
    scenario = to_scenario(world, visible_until=clock.now())
    fake = FakeRapidApi(scenario, record=False)
    base_url = await fake.start()
    settings = settings.model_copy(update={
        "instagram": settings.instagram.model_copy(update={"base_url": base_url}),
        "tiktok": settings.tiktok.model_copy(update={"base_url": base_url}),
    })
    settings.instagram.key = SecretStr(DEMO_API_KEY)
    settings.tiktok.key = SecretStr(DEMO_API_KEY)
    try:
        async with open_database(settings) as db:
            console.print(f"demo database: {db.description}", markup=False)
            await seed(db.pool, world)
            console.print(f"seeded {len(world.clients)} clients and {len(world.personnel)} personnel; "
                          f"fake RapidAPI at {base_url}", markup=False)
            if not fast:
                reporter = AdminLog(db.pool, settings, clock)
                async with open_collector(settings, db.pool, clock, reporter) as collector:
                    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  TimeElapsedColumn(), console=console) as progress:
                        result = await collector.collect(phase="post_fetch", trigger="manual",
                                                         progress=ProgressBars(progress))
                ok = sum(1 for c in result.clients if c.ok)
                console.print(f"collection cycle: {ok}/{len(result.clients)} clients ok")
                await db.pool.execute("ANALYZE")
        console.print(_welcome(world, settings, fast, speed))
        stop = asyncio.Event()
        options = {"transport": "console", "console_as": world.admin_phone, "on_eof": stop.set}
        extra = (lambda app: [DayReplay(app, world, scenario, console, clock)]) if fast else None
        return await run_service(settings, console, options=options, stop_event=stop, clock=clock,
                                 extra_parts=extra)
    finally:
        await fake.stop()


def posting_window(now: datetime) -> tuple[time, time]:
    """(since, until) of today's demo uploads: the last ten hours before `now`, within today."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    until = max(now - timedelta(minutes=2), midnight + timedelta(minutes=2))
    since = max(now - timedelta(hours=10), midnight + timedelta(minutes=1))
    return since.time(), until.time()


def _welcome(world: DemoWorld, settings: Settings, fast: bool, speed: float) -> str:
    lines = [
        "",
        "[bold]Cicero demo[/]",
        f"  You are chatting as admin {world.admin_phone}. Type [bold]dirrequest[/], pick a client, "
        "then a report number; [bold]help[/] lists every command; [bold]batal[/] leaves a menu.",
        f"  HTTP API: http://{settings.api.host}:{settings.api.port}/docs — dashboard login "
        f"{DEMO_USERNAME} / {DEMO_PASSWORD}, or POST /api/auth/login with "
        f"client_id=POLRES_BLITAR, client_operator=081100000020",
        "  Messages the bot sends to WhatsApp groups appear below with their recipient; documents (Excel) are "
        f"saved in {escape(str(settings.whatsapp.console_files_dir))}/ and their path is printed.",
    ]
    if fast:
        lines.append(f"  Fast clock: the day replays from 06:00 WIB at {speed:g}× speed "
                     "(hourly task lists, the 17:05 slot, engagement-only runs); after the last run the "
                     "clock goes on at real speed.")
    lines.append("  End with Ctrl-D (end of input) or Ctrl-C.")
    return "\n".join(lines)
