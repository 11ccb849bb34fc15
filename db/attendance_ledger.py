"""The attendance ledger: who did which of a client's tasks, per day — derived, kept on write, rebuildable.

One row per (task client, platform, day, person) with the ids of that client's
tasks of that day the person engaged with (sorted, distinct). A person is
matched by the stored normalised username (`personnel.instagram_handle` /
`tiktok_handle`); the day is the task's `client_posts.posted_at` in the
ledger's zone (`attendance_ledger_state.zone`). Raw engagement stays the source
of truth: `rebuild` recomputes any part from it.

Kept on write, in the writer's transaction (call these on its connection):
- `record_engagements` — after an engagement merge, with the pairs it inserted
  (`jobs/collect_client.py`);
- `refresh_people` — after personnel rows changed a username or were created
  (`jobs/personnel_changes.save_personnel`, the one personnel write path);
- `refresh_tasks` — after a client's task list changed: a post became its task,
  was taken off it, or moved to another day (`db/posts.py`).
Client, active and exception flags are not in the ledger: a recap applies them
when it reads (it reads personnel anyway for names), so they never go stale here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from db.pool import Executor

PLATFORMS = ("instagram", "tiktok")
DEFAULT_ZONE = "Asia/Jakarta"
_HANDLE = {"instagram": "instagram_handle", "tiktok": "tiktok_handle"}
# the ledger's zone as a one-row relation `z` (the default when the state row is missing, e.g. after a TRUNCATE)
ZONE_SQL = f"(SELECT coalesce(max(zone), '{DEFAULT_ZONE}') AS zone FROM attendance_ledger_state) z"


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
        SET post_ids = ARRAY(SELECT DISTINCT x FROM unnest(l.post_ids || EXCLUDED.post_ids) x ORDER BY x)
        WHERE NOT l.post_ids @> EXCLUDED.post_ids
    """


def _marks(handle: str, source: str, where: str) -> str:
    """Marks of the live tasks `cp` × engagements `e` (or a pair list) × personnel `p`, grouped per ledger row.

    `source` joins `cp`, `e` (post_id, username) and `p`; `where` filters; $1 is the platform.
    """
    return f"""
        SELECT cp.client_id, $1::text, (cp.posted_at AT TIME ZONE z.zone)::date, p.nrp,
               array_agg(DISTINCT cp.post_id ORDER BY cp.post_id)
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


async def record_engagements(conn: asyncpg.Connection, platform: str, pairs: list[tuple[str, str]]) -> None:
    """Add the marks of newly merged (post_id, username) pairs (idempotent: known pairs change nothing)."""
    handle = _check(platform)
    if not pairs:
        return
    # only the pairs of someone's username go further (most likers are not personnel): one hash join here
    # keeps the statement below small whatever the planner knows about a freshly filled table
    known = {r["username"] for r in await conn.fetch(
        f"SELECT DISTINCT u.username FROM unnest($1::text[]) AS u(username) JOIN personnel p ON p.{handle} = u.username",
        list({name for _, name in pairs}))}
    pairs = [pair for pair in pairs if pair[1] in known]
    if not pairs:
        return
    post_ids, usernames = zip(*pairs)
    source = f"""
        unnest($2::text[], $3::text[]) AS e(post_id, username)
        JOIN client_posts cp ON cp.platform = $1 AND cp.post_id = e.post_id
        JOIN personnel p ON p.{handle} = e.username
    """
    await conn.execute(_upsert(_marks(handle, source, "TRUE")), platform, list(post_ids), list(usernames))


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
    ids = sorted(set(post_ids))
    day_match = "TRUE" if any_day else "l.day = (t.posted_at AT TIME ZONE z.zone)::date"
    holders = f"""
        FROM {ZONE_SQL}, client_posts t
        WHERE t.platform = $1 AND t.post_id = ANY($2::text[]) AND ($3::text IS NULL OR t.client_id = $3)
          AND l.client_id = t.client_id AND l.platform = $1 AND {day_match} AND l.post_ids && $2::text[]
    """
    await conn.execute(f"DELETE FROM attendance_ledger l WHERE l.post_ids <@ $2::text[] AND EXISTS (SELECT 1 {holders})",
                       platform, ids, client_id)
    await conn.execute(
        f"""UPDATE attendance_ledger l
            SET post_ids = ARRAY(SELECT x FROM unnest(l.post_ids) x WHERE x <> ALL($2::text[]) ORDER BY x)
            WHERE EXISTS (SELECT 1 {holders})""",
        platform, ids, client_id,
    )
    await conn.execute(
        _upsert(_marks(handle, _tasks_engagements_people(handle),
                       "cp.post_id = ANY($2::text[]) AND ($3::text IS NULL OR cp.client_id = $3)")),
        platform, ids, client_id,
    )


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
