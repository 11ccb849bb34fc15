"""Queries for `schedule_switches`: which collection phases an admin has switched off.

A phase without a row is on. Changes go through `jobs/schedule_switch.py`,
which audits them in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.pool import Executor


@dataclass(frozen=True)
class PhaseSwitch:
    phase: str
    enabled: bool
    changed_by: str
    changed_at: datetime


def _switch(r) -> PhaseSwitch:
    return PhaseSwitch(r["phase"], r["enabled"], r["changed_by"], r["changed_at"])


async def phase_switches(db: Executor) -> dict[str, PhaseSwitch]:
    """Every stored switch by phase (phases never switched are absent: they are on)."""
    return {r["phase"]: _switch(r) for r in await db.fetch("SELECT * FROM schedule_switches ORDER BY phase")}


async def disabled_phases(db: Executor) -> frozenset[str]:
    """The phases switched off."""
    rows = await db.fetch("SELECT phase FROM schedule_switches WHERE NOT enabled")
    return frozenset(r["phase"] for r in rows)


async def phase_switch_for_update(db: Executor, phase: str) -> PhaseSwitch | None:
    """The stored switch of `phase`, row-locked until the caller's transaction ends (None: never switched)."""
    r = await db.fetchrow("SELECT * FROM schedule_switches WHERE phase = $1 FOR UPDATE", phase)
    return _switch(r) if r else None


async def store_phase_switch(db: Executor, phase: str, enabled: bool, *, by: str, at: datetime) -> PhaseSwitch:
    r = await db.fetchrow(
        """INSERT INTO schedule_switches (phase, enabled, changed_by, changed_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (phase) DO UPDATE SET enabled = EXCLUDED.enabled, changed_by = EXCLUDED.changed_by,
               changed_at = EXCLUDED.changed_at
           RETURNING *""",
        phase, enabled, by, at,
    )
    return _switch(r)
