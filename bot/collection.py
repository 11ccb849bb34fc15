"""Wiring of the collection: the one builder of the notify hook, the collector and its part.

    async with open_collector(settings, pool, clock, reporter, runner=…) as collector:
        await collector.collect(trigger="manual")

`cicero fetch`, the demo and the service (through `CollectionPart`) all build
their collector here, so every run — scheduled, from the CLI, from WhatsApp —
sends task notifications through the same `after_client` hook, tells the admins
about itself through the same `after_run` hook (`jobs.run_summary.RunNotifier`,
`[notify] admin_detail`) and runs its clients on the same runner.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator

import asyncpg

from core.boundary import report_safely
from core.clock import Clock
from core.reporting import Reporter
from core.settings import Settings
from jobs.collect_now import Collector
from jobs.fetch import abandon_stale_runs
from jobs.fetch_model import ClientRunner, CycleResult, fetch_deps
from jobs.run_summary import RunNotifier
from jobs.sources.rapidapi import missing_key_text, missing_keys


@asynccontextmanager
async def open_collector(settings: Settings, pool: asyncpg.Pool, clock: Clock, reporter: Reporter, *,
                         runner: ClientRunner | None = None) -> AsyncIterator[Collector]:
    """A Collector with its own HTTP client and the notify hook; closed on exit."""
    notifier = RunNotifier(pool, settings, clock, reporter)
    async with fetch_deps(settings, pool, clock, reporter=reporter, after_client=notifier.after_client) as deps:
        yield Collector(deps, runner=runner, after_run=notifier.after_run)


@dataclass
class CollectionPart:
    """The service's collector as a part: opened at start (before the chat and the scheduler), closed at stop."""

    settings: Settings
    pool: asyncpg.Pool
    clock: Clock
    reporter: Reporter
    runner: ClientRunner | None = None
    name: str = "collection"
    _cm: Any = None
    _collector: Collector | None = None

    async def start(self) -> None:
        await abandon_stale_runs(self.pool, self.clock.now())  # rows a dead process left `running`
        missing = missing_keys(self.settings)
        if missing:  # said once here, not as a failure of every client in every run
            await report_safely(self.reporter, "warning", "Kunci RapidAPI belum diatur, pengambilan data "
                                + ", ".join(missing) + " dilewati: " + "; ".join(missing_key_text(p) for p in missing))
        self._cm = open_collector(self.settings, self.pool, self.clock, self.reporter, runner=self.runner)
        self._collector = await self._cm.__aenter__()

    async def stop(self) -> None:
        if self._cm is not None:
            cm, self._cm, self._collector = self._cm, None, None
            await cm.__aexit__(None, None, None)

    async def collect(self, client_ids=None, **kwargs) -> CycleResult:
        """`Collector.collect`; raises RuntimeError before `start()` or after `stop()`."""
        if self._collector is None:
            raise RuntimeError("the collection part is not running")
        return await self._collector.collect(client_ids, **kwargs)
