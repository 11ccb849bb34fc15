"""`cicero schedule [--date YYYY-MM-DD] [--json]`: every collection fire time of a day, with the phase switches;
`cicero schedule on|off PHASE`: switch a collection phase on or off (audited, read at every fire time)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import date

from bot.commands.common import CliContext, UserError, cli_actor, database, table
from core.clock import SystemClock
from core.settings import config_path_from, load_settings
from db.schedule_switches import disabled_phases
from jobs.schedule import fire_times
from jobs.schedule_switch import PHASES, UnknownPhase, parse_phase, switch_phase

log = logging.getLogger(__name__)

PHASE_LABELS = {"post_fetch": "post-fetch", "engagement_only": "engagement-only",
                "late_sweep": "late sweep (earlier days' likes/comments)"}
SWITCH_READ_TIMEOUT_SECONDS = 30  # the table is printed without the switches rather than hang


def register(subparsers) -> None:
    p = subparsers.add_parser("schedule", help="print the collection schedule of a day (Asia/Jakarta); "
                                               "'schedule on|off PHASE' switches a phase")
    p.add_argument("switch", nargs="?", choices=["on", "off"], metavar="on|off",
                   help="switch PHASE on or off (read by the scheduler at every fire time)")
    p.add_argument("phase", nargs="?", metavar="PHASE", help=f"one of {', '.join(PHASES)}")
    p.add_argument("--date", help="the day, YYYY-MM-DD (default: today in the configured timezone)")
    p.add_argument("--json", action="store_true", help="print a JSON list of {time, phase, job_id, cron, enabled}")
    p.set_defaults(handler=schedule_cmd, needs_settings=False)  # loaded here: warnings go to stderr


def _settings(ctx: CliContext):
    """Settings with the missing-file warning on stderr, so `--json` output stays parseable."""
    path = config_path_from(ctx.args.config)
    loaded = load_settings(path)
    if not loaded.file_found:
        print(f"warning: {path} not found; using defaults and CICERO_* environment variables", file=sys.stderr)
    ctx.setup_logging(loaded.settings.general.log_level, loaded.settings.tz)
    ctx.loaded = loaded
    return loaded.settings


async def schedule_cmd(ctx: CliContext) -> int:
    a = ctx.args
    if a.switch is None and a.phase is not None:
        raise UserError(f"unexpected argument {a.phase!r}: use 'cicero schedule on|off PHASE' "
                        f"(PHASE: {', '.join(PHASES)})")
    if a.switch is not None:
        return await switch_cmd(ctx)
    return await show_schedule(ctx)


async def switch_cmd(ctx: CliContext) -> int:
    a = ctx.args
    if a.date or a.json:
        raise UserError("--date and --json belong to the listing, not to 'schedule on|off PHASE'")
    if not a.phase:
        raise UserError(f"which phase? 'cicero schedule {a.switch} PHASE' (PHASE: {', '.join(PHASES)})")
    try:
        phase = parse_phase(a.phase)
    except UnknownPhase as exc:
        raise UserError(str(exc)) from None
    settings = _settings(ctx)
    now = SystemClock(settings.tz).now()
    async with database(ctx) as db:
        change = await switch_phase(db.pool, cli_actor(), phase, a.switch == "on", at=now)
    state = "on" if change.enabled else "off (nonaktif)"
    if not change.changed:
        ctx.console.print(f"{phase} is already {state}; nothing changed", highlight=False, markup=False)
        return 0
    what = ("runs again at its fire times" if change.enabled
            else "is skipped at its fire times (listed as nonaktif; 'cicero schedule on " + phase + "' resumes it)")
    ctx.console.print(f"{phase} switched {state}: it {what}", highlight=False, markup=False)
    if not settings.schedule.enabled:
        ctx.console.print("note: [schedule] enabled = false, so nothing runs automatically anyway",
                          highlight=False, markup=False)
    return 0


async def _disabled(ctx: CliContext) -> frozenset[str] | None:
    """The phases switched off, or None (with a warning on stderr) when the database cannot be read."""
    try:
        async with asyncio.timeout(SWITCH_READ_TIMEOUT_SECONDS), database(ctx) as db:
            return await disabled_phases(db.pool)
    except Exception as exc:  # any database failure: the schedule itself is still worth printing
        print(f"warning: the phase on/off switches could not be read ({exc.__class__.__name__}: {exc}); "
              "every phase is shown as configured", file=sys.stderr)
        return None


async def show_schedule(ctx: CliContext) -> int:
    if ctx.args.date:
        try:
            day = date.fromisoformat(ctx.args.date)
        except ValueError:
            raise UserError(f"--date {ctx.args.date!r} is not a date (expected YYYY-MM-DD)") from None
    settings = _settings(ctx)
    if not ctx.args.date:
        day = SystemClock(settings.tz).now().date()
    times = fire_times(settings, day)
    off = await _disabled(ctx)
    off_set = off or frozenset()
    if ctx.args.json:
        print(json.dumps([{**ft.to_dict(), "enabled": ft.phase not in off_set} for ft in times], indent=2))
        return 0
    enabled = "" if settings.schedule.enabled else " — [schedule] enabled = false: nothing runs automatically"
    ctx.console.print(table(
        f"Collection schedule {day.isoformat()} ({settings.general.timezone}){enabled}",
        ["time", "phase", "job", "cron", "switch"],
        [[ft.time, PHASE_LABELS.get(ft.phase, ft.phase), ft.job_id, ft.cron,
          "?" if off is None else ("nonaktif" if ft.phase in off_set else "on")] for ft in times],
    ))
    counts = {p: sum(1 for ft in times if ft.phase == p) for p in PHASE_LABELS}
    ctx.console.print(f"{len(times)} runs: {counts['post_fetch']} post-fetch, "
                      f"{counts['engagement_only']} engagement-only, {counts['late_sweep']} late sweep "
                      f"({settings.schedule.late_sweep_days} day(s) back)", highlight=False)
    if off_set:
        names = ", ".join(p for p in PHASES if p in off_set)
        ctx.console.print(f"switched off (nonaktif): {names} — skipped at their fire times; "
                          "'cicero schedule on PHASE' turns one back on", highlight=False, markup=False)
    return 0
