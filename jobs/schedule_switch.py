"""The per-phase on/off switch of the collection schedule: parse, change (audited), obey at fire time.

* `parse_phase(text) -> Phase` — `post_fetch`, `post-fetch`, `engagement_only`,
  `late_sweep` (and a few Indonesian words: `posting`, `likes`, `susulan`);
  `UnknownPhase` otherwise (its message lists the phases, in English; the
  WhatsApp handler words its own refusal).
* `switch_phase(pool, actor, phase, enabled, at) -> SwitchChange` — stores the
  switch and writes one audit row (`schedule.phase_on` / `schedule.phase_off`,
  entity `schedule_phase`) in the same transaction; switching a phase to the
  state it is in changes nothing and audits nothing.
* `fire_phase(pool, phase, job_id, collect, now)` — what the scheduler (and the
  demo's replay) call at a fire time: a phase that is off is not run; a
  `skipped` job run with `SWITCHED_OFF_NOTE` records the skip, so `jadwal` shows
  the fire time as skipped, not missed. Cron entries are never removed.

`cicero schedule on|off PHASE` and WhatsApp `jadwal on|off PHASE` both go through
`switch_phase`; `cicero schedule`, `jadwal` and `status` read `disabled_phases`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable

import asyncpg

from db.audit import Actor, record_change
from db.job_runs import record_skipped_run
from db.schedule_switches import disabled_phases, phase_switch_for_update, store_phase_switch
from jobs.fetch import job_name
from jobs.fetch_model import PHASES, Phase

log = logging.getLogger(__name__)

__all__ = ["PHASES", "SWITCHED_OFF_NOTE", "SwitchChange", "UnknownPhase", "disabled_phases", "fire_phase",
           "parse_phase", "switch_phase"]

MAX_PHASE_TEXT = 40  # longer input is refused before it is looked at
SWITCHED_OFF_NOTE = "phase switched off; not run (cicero schedule on PHASE / jadwal on PHASE turns it back on)"
ALIASES: dict[str, Phase] = {
    "posting": "post_fetch", "post": "post_fetch", "postfetch": "post_fetch",
    "likes": "engagement_only", "engagement": "engagement_only", "komentar": "engagement_only",
    "susulan": "late_sweep", "sweep": "late_sweep",
}


class UnknownPhase(ValueError):
    """The text names no collection phase."""


@dataclass(frozen=True)
class SwitchChange:
    phase: Phase
    was_enabled: bool
    enabled: bool

    @property
    def changed(self) -> bool:
        return self.was_enabled != self.enabled


def parse_phase(text: str) -> Phase:
    """The phase `text` names (case-insensitive, `-` or `_`); `UnknownPhase` with the choices otherwise."""
    raw = (text or "").strip()
    if not raw:
        raise UnknownPhase(f"no phase given (one of {', '.join(PHASES)})")
    if len(raw) > MAX_PHASE_TEXT:
        raise UnknownPhase(f"unknown phase (longer than {MAX_PHASE_TEXT} characters); one of {', '.join(PHASES)}")
    key = raw.lower().replace("-", "_")
    if key in PHASES:
        return key  # type: ignore[return-value]
    if key in ALIASES:
        return ALIASES[key]
    raise UnknownPhase(f"unknown phase {raw!r}; one of {', '.join(PHASES)}")


async def switch_phase(pool: asyncpg.Pool, actor: Actor, phase: Phase, enabled: bool, *,
                       at: datetime) -> SwitchChange:
    """Turn `phase` on or off; audited with `actor` in the same transaction (nothing when unchanged)."""
    if phase not in PHASES:
        raise UnknownPhase(f"unknown phase {phase!r}; one of {', '.join(PHASES)}")
    async with pool.acquire() as conn, conn.transaction():
        current = await phase_switch_for_update(conn, phase)
        was = True if current is None else current.enabled
        if was == enabled:
            return SwitchChange(phase, was, enabled)
        await store_phase_switch(conn, phase, enabled, by=actor.name, at=at)
        await record_change(conn, actor, action=f"schedule.phase_{'on' if enabled else 'off'}",
                            entity="schedule_phase", entity_id=phase, before={"enabled": was},
                            after={"enabled": enabled}, at=at)
    log.info("collection phase %s switched %s by %s (%s)", phase, "on" if enabled else "off", actor.name,
             actor.channel)
    return SwitchChange(phase, was, enabled)


async def fire_phase(pool: asyncpg.Pool, phase: Phase, job_id: str, collect: Callable[..., Awaitable[Any]], *,
                     now: datetime) -> Any:
    """Run a scheduled collection phase unless it is switched off; returns the cycle's result or None."""
    if phase in await disabled_phases(pool):
        await record_skipped_run(pool, job=job_name(phase), phase=phase, trigger="schedule", at=now,
                                 note=SWITCHED_OFF_NOTE)
        log.info("scheduled %s (%s) skipped: the phase is switched off", job_id, phase)
        return None
    return await collect(phase=phase, trigger="schedule")
