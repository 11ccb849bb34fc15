"""Collecting now: the one path every "collect" request takes.

The scheduler, `cicero fetch`, the WhatsApp `fetch` command, dirrequest
options 12–16 and the demo's replay all call `Collector.collect(...)`, so they
share one `FetchDeps` (one HTTP client, the notify hook) and one runner (the
queue's `QueueRunner` when `[queue] url` is set, else in this process).

After every run that took place, `after_run(result)` (the admins' account of
the run, `jobs/run_summary.py`) runs inside the error boundary.

A request that is not scheduled is refused with `CollectionBusy` while another
such request of this process is still running (a person gets "wait for the
result" instead of a second run queued behind the first); across processes,
`jobs.fetch.run_cycle`'s advisory lock keeps runs apart.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

import logging
from typing import Awaitable, Callable

from core.boundary import guarded
from jobs.fetch import run_cycle
from jobs.fetch_model import ClientRunner, CycleProgress, CycleResult, FetchDeps, Phase

log = logging.getLogger(__name__)

TEXT_BUSY = "⏳ Pengambilan data yang diminta sebelumnya masih berjalan. Tunggu hasilnya dulu."


class CollectionBusy(Exception):
    """A requested collection is still running in this process; the message is for a person."""


@dataclass
class Collector:
    """Runs collection cycles on one FetchDeps with one runner; see the module docstring."""

    deps: FetchDeps
    runner: ClientRunner | None = None   # None: `jobs.fetch.in_process_runner`
    after_run: Callable[[CycleResult], Awaitable[None]] | None = None  # the admins' account of each run
    _busy: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def collect(self, client_ids: Sequence[str] | None = None, *, phase: Phase | None = None,
                      platforms: Sequence[str] | None = None, trigger: str = "admin",
                      progress: CycleProgress | None = None, day: date | None = None) -> CycleResult:
        """One cycle now. `phase` None: what the schedule runs at this minute (post_fetch off schedule)."""
        ids = list(client_ids) if client_ids else None
        plats = tuple(platforms) if platforms else None
        if trigger == "schedule":
            result = await run_cycle(self.deps, phase=phase, client_ids=ids, trigger=trigger, progress=progress,
                                     runner=self.runner, platforms=plats, day=day)
        else:
            if self._busy.locked():
                raise CollectionBusy(TEXT_BUSY)
            async with self._busy:
                result = await run_cycle(self.deps, phase=phase, client_ids=ids, trigger=trigger, progress=progress,
                                         runner=self.runner, platforms=plats, day=day)
        if self.after_run is not None:
            async with guarded("the after_run hook", log, job_run_id=result.job_run_id):
                await self.after_run(result)
        return result
