"""The attendance ledger: who did which of a client's tasks, per day — derived, kept on write, rebuildable.

One row per (task client, platform, day, person) with the ids of that client's
tasks of that day the person engaged with (distinct, in code-point order — `COLLATE "C"` whatever the
database's collation, so the collector can send rows it sorted itself). A person is
matched by the stored normalised username (`personnel.instagram_handle` /
`tiktok_handle`); the day is the task's `client_posts.posted_at` in the
ledger's zone (`attendance_ledger_state.zone`). Raw engagement stays the source
of truth: `rebuild` recomputes any part from it.

Kept on write, in the writer's transaction (call these on its connection):
- `record_merged` — after an engagement merge, with what it inserted per post
  (`jobs/collect_engagement.py: store_engagement`);
- `refresh_people` — after personnel rows changed a username or were created
  (`jobs/personnel_changes.save_personnel`, the one personnel write path), and
  `rename_person` when an NRP changes (`rename_personnel`);
- `add_tasks` — after posts became live tasks of a client (`db/posts.py`), and
  `refresh_tasks` after a post was taken off a client's list, added by hand or
  moved to another day (`db/posts.py`, `db/client_posts.py`).
Monthly totals (`attendance_ledger_monthly`, for periods of whole months) cover the days up to
`attendance_ledger_state.folded_through` and follow every change of those days' rows by database
triggers (migrations 0101, 0221), so no writer has to keep them; `fold_days` moves the edge (a collection
run moves it to yesterday first, so the day's own writes touch daily rows only).
Client, active and exception flags are not in the ledger: a recap applies them
when it reads (it reads personnel anyway for names), so they never go stale here.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Sequence
from uuid import UUID

import asyncpg

from db.directory_cache import DirectoryCache, directory_version
from db.pool import Executor, copy_text

PLATFORMS = ("instagram", "tiktok")
DEFAULT_ZONE = "Asia/Jakarta"
_HANDLE = {"instagram": "instagram_handle", "tiktok": "tiktok_handle"}
# the ledger's zone as a one-row relation `z` (the default when the state row is missing, e.g. after a TRUNCATE)
ZONE_SQL = f"(SELECT coalesce(max(zone), '{DEFAULT_ZONE}') AS zone FROM attendance_ledger_state) z"
# the last day the monthly totals cover, as a scalar subquery ('infinity': all of them)
FOLDED_SQL = "(SELECT coalesce(max(folded_through), 'infinity'::date) FROM attendance_ledger_state)"


class LedgerZoneMismatch(RuntimeError):
    """The ledger's days are in another zone than the one asked for (the configured zone changed)."""


def _check(platform: str) -> str:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r} (expected instagram or tiktok)")
    return _HANDLE[platform]


def _upsert(marks_sql: str) -> str:
    """INSERT the (client_id, platform, day, nrp, post_ids) rows of `marks_sql`, merging into existing rows."""
    return f"""
        INSERT INTO attendance_ledger AS l (client_id, platform, day, nrp, post_ids)
        {marks_sql}
        ON CONFLICT (client_id, platform, day, nrp) DO UPDATE
        SET post_ids = ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(l.post_ids || EXCLUDED.post_ids) x ORDER BY 1)
        WHERE NOT l.post_ids @> EXCLUDED.post_ids
    """


def _marks(handle: str, source: str, where: str) -> str:
    """Marks of the live tasks `cp` × engagements `e` (or a pair list) × personnel `p`, grouped per ledger row.

    `source` joins `cp`, `e` (post_id, username) and `p`; `where` filters; $1 is the platform.
    """
    return f"""
        SELECT cp.client_id, $1::text, (cp.posted_at AT TIME ZONE z.zone)::date, p.nrp,
               array_agg(cp.post_id ORDER BY cp.post_id COLLATE "C")   -- (client, post, person) is unique in every source
        FROM {ZONE_SQL}, {source}
        WHERE cp.platform = $1 AND cp.removed_at IS NULL AND p.{handle} IS NOT NULL AND ({where})
        GROUP BY 1, 3, 4
    """


_TASKS_ENGAGEMENTS_PEOPLE = """
    client_posts cp
    JOIN engagements e ON e.platform = cp.platform AND e.post_id = cp.post_id
    JOIN personnel p ON p.{handle} = e.username
"""


def _tasks_engagements_people(handle: str) -> str:
    return _TASKS_ENGAGEMENTS_PEOPLE.format(handle=handle)


async def record_merged(conn: asyncpg.Connection, platform: str, new_by_post: dict[str, list[str]], *,
                        cache: DirectoryCache | None = None) -> None:
    """Add the marks of newly merged usernames per post (`MergeOutcome.new_by_post`; idempotent).
    `cache`: the pool's (`db.directory_cache`), to look the usernames up in a map kept between merges."""
    _check(platform)
    if not new_by_post:
        return
    # the posts' live tasks and the directory's version in one read, then who is behind the usernames
    # (most likers are not personnel): the ledger rows are made here and sent whole, so PostgreSQL
    # neither groups pairs nor parses a parameter per pair (asyncpg encodes a list element by element)
    version, fresh, tasks = await _live_tasks(conn, platform, sorted(new_by_post))
    if not tasks:
        return
    holders = await username_holders(conn, platform, new_by_post.values(), cache, version=version)
    rows = ledger_marks(tasks, new_by_post, holders)
    if not rows or (fresh and await _copy_fresh_rows(conn, platform, rows)):
        return
    await conn.execute(_upsert("""
        SELECT r.c, $1::text, r.d, r.n, r.p
        FROM json_to_recordset($2::text::json) AS r(c text, d date, n text, p text[])"""),
        platform, json.dumps([{"c": c, "d": d, "n": n, "p": p} for c, d, n, p in rows], separators=(",", ":")))


async def _live_tasks(conn: asyncpg.Connection, platform: str,
                      post_ids: list[str]) -> tuple[UUID | None, bool, list[tuple[str, str, str]]]:
    """The directory's version, whether the ledger holds no row yet of the tasks' clients and days (the
    first merge of a client's day), and the live tasks (client id, post id, ISO day) of these posts."""
    version, fresh, clients, posts, days = await conn.fetchrow(
        f"""SELECT (SELECT version FROM directory_version),
                   bool_and(NOT EXISTS (SELECT 1 FROM attendance_ledger l WHERE l.client_id = cp.client_id
                                        AND l.platform = $1 AND l.day = t.day)),
                   array_agg(cp.client_id), array_agg(cp.post_id), array_agg(t.day::text)
            FROM {ZONE_SQL}, client_posts cp CROSS JOIN LATERAL (SELECT (cp.posted_at AT TIME ZONE z.zone)::date) t(day)
            WHERE cp.platform = $1 AND cp.post_id = ANY($2::text[]) AND cp.removed_at IS NULL""",
        platform, post_ids)
    return version, bool(fresh), list(zip(clients or (), posts or (), days or ()))


LedgerMarks = tuple[str, str, str, list[str]]   # a ledger row to write: client, ISO day, NRP, post ids

# values COPY's text format and an array literal both take as they are (no quoting, never NULL)
_PLAIN = re.compile(r"[A-Za-z0-9_.:@-]+")


def _plain(value: str) -> bool:
    return _PLAIN.fullmatch(value) is not None and value.lower() != "null"


def _copy_text(platform: str, rows: list[LedgerMarks]) -> bytes | None:
    """The ledger rows in COPY's text format; None when a value would need quoting."""
    values = {r[0] for r in rows} | {r[2] for r in rows} | set().union(*(r[3] for r in rows))
    if not all(map(_plain, values)):
        return None
    return "".join(f"{c}\t{platform}\t{d}\t{n}\t{{{','.join(p)}}}\n" for c, d, n, p in rows).encode()


async def _copy_fresh_rows(conn: asyncpg.Connection, platform: str, rows: list[LedgerMarks]) -> bool:
    """COPY rows that no ledger row holds yet (about a third of an upsert's cost, as for the engagement
    rows); False when a value needs quoting or a concurrent writer got there first (the upsert then
    merges them)."""
    text = _copy_text(platform, rows)
    if text is None:
        return False
    try:
        async with conn.transaction():   # a savepoint: a unique violation leaves the merge intact
            await copy_text(conn, "attendance_ledger", ["client_id", "platform", "day", "nrp", "post_ids"], text)
    except asyncpg.UniqueViolationError:
        return False
    return True


def ledger_marks(tasks: Iterable[tuple[str, str, str]], new_by_post: Mapping[str, list[str]],
                 holders: Mapping[str, tuple[str, ...]]) -> list[LedgerMarks]:
    """The ledger rows (client, ISO day, NRP, post ids in code-point order) of the tasks' new usernames,
    one per (client, day, person)."""
    by_day: dict[tuple[str, str], list[str]] = defaultdict(list)
    for client_id, post_id, day in tasks:
        by_day[client_id, day].append(post_id)
    matched: dict[str, list[tuple[str, ...]]] = {}    # post id -> the holders of its new usernames
    rows: list[LedgerMarks] = []
    for (client_id, day), post_ids in by_day.items():
        marks: dict[str, list[str]] = defaultdict(list)
        for post_id in sorted(post_ids):
            held = matched.get(post_id)
            if held is None:   # the set operation looks each name up in C: most likers are the public
                held = matched[post_id] = list(map(holders.__getitem__, holders.keys() & new_by_post[post_id]))
            for nrps in held:
                for nrp in nrps:
                    marks[nrp].append(post_id)
        rows += [(client_id, day, nrp, ids) for nrp, ids in marks.items()]
    return rows


# A kept username map is weighed as a third of a person of a directory per username (a short string and
# an NRP tuple against a directory's whole person).
_HOLDER_WEIGHT = 3


async def username_holders(conn: asyncpg.Connection, platform: str, listings: Iterable[list[str]],
                           cache: DirectoryCache | None, *,
                           version: UUID | None = None) -> Mapping[str, tuple[str, ...]]:
    """Username → the NRPs of the people holding it, for (at least) the usernames in `listings`.

    With a cache: every stored username of the platform, read once per `directory_version` (usernames
    change only with personnel, which raises it) and kept — a merge then costs one small read instead
    of an index lookup per liker (13 ms for a client's 10,000 likers). Read in one statement, so the map
    is of exactly the version it is kept under. Without a cache (or a map too large to keep): the
    usernames of `listings` looked up. `version`: the directory's, when the caller has just read it.
    """
    handle = _HANDLE[platform]
    if cache is not None:
        key = ("username holders", platform)
        held = cache.get(key, version if version is not None else await directory_version(conn))
        if held is not None:
            return held
        version, names, nrps = await conn.fetchrow(
            f"""SELECT (SELECT version FROM directory_version), array_agg({handle}), array_agg(nrp)
                FROM personnel WHERE {handle} IS NOT NULL""")
        held = _holders(zip(names or (), nrps or ()))
        cache.put(key, version, held, weight=len(held) // _HOLDER_WEIGHT)
        return held
    # the set is built in C (a first cycle brings millions of names)
    return _holders(await conn.fetch(f"SELECT {handle}, nrp FROM personnel WHERE {handle} = ANY($1::text[])",
                                     list(set().union(*listings))))


def _holders(pairs: Iterable[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    held: dict[str, tuple[str, ...]] = {}
    for name, nrp in pairs:
        held[name] = held.get(name, ()) + (nrp,)
    return held


async def refresh_people(conn: asyncpg.Connection, nrps: list[str]) -> None:
    """Recompute every mark of these people (their usernames changed, or they are new)."""
    if not nrps:
        return
    await conn.execute("DELETE FROM attendance_ledger WHERE nrp = ANY($1::text[])", nrps)
    for platform, handle in _HANDLE.items():
        await conn.execute(_upsert(_marks(handle, _tasks_engagements_people(handle), "p.nrp = ANY($2::text[])")),
                           platform, nrps)


async def refresh_tasks(conn: asyncpg.Connection, platform: str, post_ids: list[str], *,
                        client_id: str | None = None, any_day: bool = False) -> None:
    """Recompute the marks of these posts for the clients whose tasks they are (or were).

    The marks are first taken off the rows of the post's current day (`any_day`:
    every day of those clients — for a post whose time moved), then added back
    for the tasks still live. `client_id` limits it to one client's task rows.
    """
    handle = _check(platform)
    if not post_ids:
        return
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as c, c.transaction():
            return await refresh_tasks(c, platform, post_ids, client_id=client_id, any_day=any_day)
    ids = sorted(set(post_ids))
    # the ledger rows that can hold these posts, by primary-key prefix: (holder client, platform, task day),
    # or every day of the holder clients for a post whose time moved
    day = "NULL::date" if any_day else "(t.posted_at AT TIME ZONE z.zone)::date"
    holders = f"""holders AS (
        SELECT DISTINCT t.client_id, {day} AS day FROM {ZONE_SQL}, client_posts t
        WHERE t.platform = $1 AND t.post_id = ANY($2::text[]) AND ($3::text IS NULL OR t.client_id = $3))"""
    match = "l.client_id = h.client_id AND l.platform = $1 AND (h.day IS NULL OR l.day = h.day)" if any_day else \
        "l.client_id = h.client_id AND l.platform = $1 AND l.day = h.day"
    await conn.execute(f"""WITH {holders} DELETE FROM attendance_ledger l USING holders h
                           WHERE {match} AND l.post_ids <@ $2::text[]""", platform, ids, client_id)
    await conn.execute(
        f"""WITH {holders} UPDATE attendance_ledger l
            SET post_ids = ARRAY(SELECT x FROM unnest(l.post_ids) x WHERE x <> ALL($2::text[]) ORDER BY x COLLATE "C")
            FROM holders h WHERE {match} AND l.post_ids && $2::text[]""",
        platform, ids, client_id,
    )
    await _add_task_marks(conn, handle, platform, ids, client_id)


async def add_tasks(conn: asyncpg.Connection, platform: str, post_ids: list[str], client_id: str) -> None:
    """Add the marks of posts that have just become live tasks of `client_id` (new on its list, or listed
    again after a removal). They hold no marks of that client yet — a removal takes its marks off — so
    nothing is taken off first: one statement instead of `refresh_tasks`' three, for every post a
    collection run lists."""
    handle = _check(platform)
    if post_ids:
        await _add_task_marks(conn, handle, platform, sorted(set(post_ids)), client_id)


async def _add_task_marks(conn: asyncpg.Connection, handle: str, platform: str, ids: list[str],
                          client_id: str | None) -> None:
    await conn.execute(
        _upsert(_marks(handle, _tasks_engagements_people(handle),
                       "cp.post_id = ANY($2::text[]) AND ($3::text IS NULL OR cp.client_id = $3)")),
        platform, ids, client_id,
    )


async def rename_person(conn: asyncpg.Connection, old_nrp: str, new_nrp: str) -> None:
    """Move a person's marks to their new NRP (the monthly totals follow by trigger)."""
    await conn.execute("UPDATE attendance_ledger SET nrp = $2 WHERE nrp = $1", old_nrp, new_nrp)


@dataclass(frozen=True)
class RebuildOutcome:
    zone: str
    deleted: int
    written: int


async def rebuild(conn: asyncpg.Connection, *, zone: str = DEFAULT_ZONE, client_id: str | None = None,
                  since: date | None = None) -> RebuildOutcome:
    """Recompute the ledger from raw engagement: all of it, one client's tasks, and/or the days from `since`.

    A changed `zone` needs the whole ledger (every day moves), so it is refused with a client or a date.
    """
    async with conn.transaction():
        await conn.execute("INSERT INTO attendance_ledger_state DEFAULT VALUES ON CONFLICT DO NOTHING")
        current = await conn.fetchval("SELECT zone FROM attendance_ledger_state FOR UPDATE")
        if current != zone:
            if client_id is not None or since is not None:
                raise LedgerZoneMismatch(f"the ledger's days are in {current}, not {zone}: rebuild it whole "
                                         "(without --client/--since) to change the zone")
            await conn.execute("UPDATE attendance_ledger_state SET zone = $1", zone)
        deleted = await conn.fetchval(
            """WITH gone AS (DELETE FROM attendance_ledger WHERE ($1::text IS NULL OR client_id = $1)
                             AND ($2::date IS NULL OR day >= $2) RETURNING 1)
               SELECT count(*) FROM gone""",
            client_id, since,
        )
        written = 0
        for platform, handle in _HANDLE.items():
            status = await conn.execute(
                _upsert(_marks(handle, _tasks_engagements_people(handle),
                               "($2::text IS NULL OR cp.client_id = $2) AND "
                               "($3::date IS NULL OR cp.posted_at >= ($3::date)::timestamp AT TIME ZONE z.zone)")),
                platform, client_id, since,
            )
            written += int(status.split()[-1])
        await conn.execute("UPDATE attendance_ledger_state SET rebuilt_at = now()")
    return RebuildOutcome(zone, deleted, written)


FOLD_LOCK_TIMEOUT_SECONDS = 5.0


async def fold_days(conn: asyncpg.Connection, through: date, *,
                    lock_timeout: float = FOLD_LOCK_TIMEOUT_SECONDS) -> bool:
    """Make the monthly totals cover the days up to `through` (`folded_through`, migration 0221): the days
    between the old edge and the new one are added to them (or taken off, for an edge moved back).

    Takes the ledger's SHARE ROW EXCLUSIVE lock, so it waits for the writers in flight and the next ones
    wait for it (readers do not); after `lock_timeout` seconds of waiting it gives up and returns False,
    leaving the edge where it was — the figures are the same either way, only a month's read has more
    daily rows to add.
    """
    if await folded_through(conn) == through:
        return True   # the usual case of a run after the day's first: no lock, no writer kept waiting
    async with conn.transaction():
        await conn.execute(f"SET LOCAL lock_timeout = {max(int(lock_timeout * 1000), 1)}")
        try:
            await conn.execute("LOCK TABLE attendance_ledger IN SHARE ROW EXCLUSIVE MODE")
        except asyncpg.LockNotAvailableError:
            return False
        await conn.execute("INSERT INTO attendance_ledger_state DEFAULT VALUES ON CONFLICT DO NOTHING")
        old = await conn.fetchval("SELECT folded_through FROM attendance_ledger_state")   # date.max: infinity
        # the days between the two edges, added (edge moved on) or taken off (moved back), read per client
        # and platform by primary-key range
        await conn.execute(f"""
            WITH RECURSIVE holders(client_id) AS ({_LEDGER_CLIENTS})
            INSERT INTO attendance_ledger_monthly AS m (client_id, platform, month, nrp, done)
            SELECT l.client_id, l.platform, date_trunc('month', l.day)::date, l.nrp, $3 * sum(cardinality(l.post_ids))::int
            FROM holders h CROSS JOIN unnest($4::text[]) p(platform)
            CROSS JOIN LATERAL (SELECT * FROM attendance_ledger l WHERE l.client_id = h.client_id
                                AND l.platform = p.platform AND l.day > $1 AND l.day <= $2 OFFSET 0) l
            GROUP BY 1, 2, 3, 4
            ON CONFLICT (client_id, platform, month, nrp) DO UPDATE SET done = m.done + EXCLUDED.done""",
            min(old, through), max(old, through), 1 if through > old else -1, list(PLATFORMS))
        await conn.execute("UPDATE attendance_ledger_state SET folded_through = $1", through)
    return True


# the clients holding ledger rows, one primary-key probe each (a loose index scan): the days between two
# edges are then read by primary-key range per client and platform, not by scanning the whole ledger
_LEDGER_CLIENTS = """
    SELECT min(client_id) FROM attendance_ledger
    UNION ALL
    SELECT (SELECT min(l.client_id) FROM attendance_ledger l WHERE l.client_id > h.client_id)
    FROM holders h WHERE h.client_id IS NOT NULL"""


async def folded_through(db: Executor) -> date | None:
    """The last day the monthly totals cover (None: every day, the edge at 'infinity')."""
    day = await db.fetchval(f"SELECT {FOLDED_SQL}")
    return None if day == date.max else day   # asyncpg reads infinity as date.max


async def ledger_zone(db: Executor) -> str:
    return await db.fetchval(f"SELECT zone FROM {ZONE_SQL}")


async def ledger_rows(db: Executor, *, client_id: str | None = None) -> dict[tuple, tuple[str, ...]]:
    """{(client_id, platform, day, nrp): post ids} — for checks and tests."""
    rows = await db.fetch(
        "SELECT client_id, platform, day, nrp, post_ids FROM attendance_ledger "
        "WHERE $1::text IS NULL OR client_id = $1",
        client_id,
    )
    return {(r[0], r[1], r[2], r[3]): tuple(r[4]) for r in rows}


async def monthly_totals(db: Executor) -> dict[tuple, int]:
    """{(client_id, platform, month, nrp): done} of `attendance_ledger_monthly` (totals of 0 left out)."""
    rows = await db.fetch("SELECT client_id, platform, month, nrp, done FROM attendance_ledger_monthly WHERE done <> 0")
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


def monthly_of(rows: dict[tuple, tuple[str, ...]], through: date | None = None) -> dict[tuple, int]:
    """The monthly totals `rows` (as `ledger_rows` returns them) add up to, of the days up to `through`
    (None: every day)."""
    out: dict[tuple, int] = {}
    for (client_id, platform, day, nrp), post_ids in rows.items():
        if through is not None and day > through:
            continue
        key = (client_id, platform, day.replace(day=1), nrp)
        out[key] = out.get(key, 0) + len(post_ids)
    return {k: v for k, v in out.items() if v}
