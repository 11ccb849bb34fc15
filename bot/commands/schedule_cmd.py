"""`cicero schedule [--date YYYY-MM-DD] [--json]`: every collection fire time of a day."""

from __future__ import annotations

import json
import sys
from datetime import date

from bot.commands.common import CliContext, UserError, table
from core.settings import config_path_from, load_settings
from core.clock import SystemClock
from jobs.schedule import fire_times

PHASE_LABELS = {"post_fetch": "post-fetch", "engagement_only": "engagement-only",
                "late_sweep": "late sweep (earlier days' likes/comments)"}


def register(subparsers) -> None:
    p = subparsers.add_parser("schedule", help="print the collection schedule of a day (Asia/Jakarta)")
    p.add_argument("--date", help="the day, YYYY-MM-DD (default: today in the configured timezone)")
    p.add_argument("--json", action="store_true", help="print a JSON list of {time, phase, job_id, cron}")
    p.set_defaults(handler=show_schedule, needs_settings=False)  # loaded here: warnings go to stderr


def _settings(ctx: CliContext):
    """Settings with the missing-file warning on stderr, so `--json` output stays parseable."""
    path = config_path_from(ctx.args.config)
    loaded = load_settings(path)
    if not loaded.file_found:
        print(f"warning: {path} not found; using defaults and CICERO_* environment variables", file=sys.stderr)
    ctx.setup_logging(loaded.settings.general.log_level, loaded.settings.tz)
    return loaded.settings


def show_schedule(ctx: CliContext) -> int:
    settings = _settings(ctx)
    if ctx.args.date:
        try:
            day = date.fromisoformat(ctx.args.date)
        except ValueError:
            raise UserError(f"--date {ctx.args.date!r} is not a date (expected YYYY-MM-DD)") from None
    else:
        day = SystemClock(settings.tz).now().date()
    times = fire_times(settings, day)
    if ctx.args.json:
        print(json.dumps([ft.to_dict() for ft in times], indent=2))
        return 0
    enabled = "" if settings.schedule.enabled else " — [schedule] enabled = false: nothing runs automatically"
    ctx.console.print(table(
        f"Collection schedule {day.isoformat()} ({settings.general.timezone}){enabled}",
        ["time", "phase", "job", "cron"],
        [[ft.time, PHASE_LABELS.get(ft.phase, ft.phase), ft.job_id, ft.cron] for ft in times],
    ))
    counts = {p: sum(1 for ft in times if ft.phase == p) for p in PHASE_LABELS}
    ctx.console.print(f"{len(times)} runs: {counts['post_fetch']} post-fetch, "
                      f"{counts['engagement_only']} engagement-only, {counts['late_sweep']} late sweep "
                      f"({settings.schedule.late_sweep_days} day(s) back)", highlight=False)
    return 0
