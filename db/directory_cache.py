"""What recaps keep between requests: the report directory, valid while `directory_version` is unchanged.

The directory is what a report needs of personnel and clients — who is counted, their names, ranks,
divisions, usernames and clients — and it changes only when an import, an edit or a client change writes
(migration 0210 raises `directory_version` in that writer's transaction). A recap reads the version in
the same snapshot as the day's ledger counts and uses the directory it kept for that version; on any
other version it reads everything again in one snapshot and keeps the new directory.

The cache belongs to the pool the application opens (`db.pool.CiceroPool`): one per process, no global.
It is bounded by entries and by the people they hold, least recently used out first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Hashable
from uuid import UUID

if TYPE_CHECKING:   # db.pool builds its pool with this module's cache
    from db.pool import Executor

@dataclass(frozen=True)
class _Entry:
    version: UUID
    value: Any
    weight: int


class DirectoryCache:
    """Values derived from the directory, each valid at one `directory_version`.

    `weight` is what a value holds (people); a value heavier than `max_weight` is not kept. Not
    thread-safe (one event loop owns a pool)."""

    def __init__(self, *, max_entries: int = 16, max_weight: int = 120_000):
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._weight = 0

    def get(self, key: Hashable, version: UUID | None) -> Any | None:
        """The value kept for `key` if it was derived at `version`, else None (always for no version)."""
        entry = self._entries.get(key)
        if entry is None or version is None or entry.version != version:
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(self, key: Hashable, version: UUID | None, value: Any, weight: int) -> None:
        """Keep `value` (derived at `version`) for `key`, replacing what was kept, evicting the least recently
        used until the bounds hold. Without a version (the row is missing) nothing is kept."""
        self._drop(key)
        if version is None or weight > self.max_weight:
            return
        self._entries[key] = _Entry(version, value, weight)
        self._weight += weight
        while len(self._entries) > self.max_entries or self._weight > self.max_weight:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._weight -= entry.weight

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def weight(self) -> int:
        return self._weight


def directory_cache_of(db: Executor) -> DirectoryCache | None:
    """The directory cache of the application's pool; None for a bare connection or another pool."""
    return getattr(db, "directory_cache", None)


async def directory_version(db: Executor) -> UUID:
    return await db.fetchval("SELECT version FROM directory_version")


async def bump_directory_version(db: Executor) -> UUID:
    """A new version, for writers that bypass the triggers (a restored dump): every kept directory is stale."""
    return await db.fetchval("UPDATE directory_version SET version = gen_random_uuid() RETURNING version")
