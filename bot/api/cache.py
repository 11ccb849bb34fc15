"""A short-lived, single-flight cache of rendered API payloads (rekap endpoints).

The dashboard polls; fifty browsers asking for the same recap within seconds
should cost one engine run, not fifty. Entries live `ttl_seconds` by the
injectable clock; concurrent misses for one key share a single computation.
Values are whatever the caller computes (here: encoded JSON bytes).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Hashable

from core.clock import Clock

MAX_ENTRIES = 256


@dataclass
class ResultCache:
    clock: Clock
    ttl_seconds: float = 15.0
    _entries: dict[Hashable, tuple[datetime, object]] = field(default_factory=dict)
    _pending: dict[Hashable, asyncio.Future] = field(default_factory=dict)

    async def get_or_compute(self, key: Hashable, compute: Callable[[], Awaitable[object]]) -> object:
        if self.ttl_seconds <= 0:
            return await compute()
        now = self.clock.now()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            value = await compute()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved when nobody else waits
            raise
        else:
            future.set_result(value)
            self._store(key, value)
            return value
        finally:
            self._pending.pop(key, None)

    def _store(self, key: Hashable, value: object) -> None:
        now = self.clock.now()
        if len(self._entries) >= MAX_ENTRIES:
            for k in [k for k, (exp, _) in self._entries.items() if exp <= now] or list(self._entries)[: MAX_ENTRIES // 4]:
                self._entries.pop(k, None)
        self._entries[key] = (now + timedelta(seconds=self.ttl_seconds), value)

    def clear(self) -> None:
        self._entries.clear()
