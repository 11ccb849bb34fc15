"""The admin `jadwal` command: today's schedule with what actually happened at each fire time;
`jadwal on FASE` / `jadwal off FASE` switch a collection phase (`jobs/schedule_switch.py`, audited).

Each past fire time is matched with the collection run the scheduler started
for it (`job_runs`, trigger `schedule`, same phase, started before the next
fire time): ✓ ran (with "sebagian" when some clients failed), ✗ failed or
skipped with the reason, – missed (no run: the service was not running), ⏳
running or just due; the next fire time is ▶. A phase switched off shows its
coming fire times as "nonaktif" (never ▶) and its skipped ones as "dilewati: fase nonaktif".

The reply is a header, then sections (`SECTIONS`: async functions of the
context, the day and now returning lines), then the legend: the collection
fire times, then the next scheduled report deliveries (`handlers/laporan.report_lines`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Awaitable, Callable

from core.boundary import guarded
from core.clock import day_range, local_day
from db.job_runs import JobRun, scheduled_runs_between
from db.schedule_switches import disabled_phases
from handlers.context import Command, HandlerContext
from handlers.identity import ADMIN_ONLY
from handlers.laporan import report_lines
from jobs.admin_text import PHASE_LABEL, client_error_text, phase_label
from jobs.schedule import FireTime, fire_times
from jobs.schedule_switch import PHASES, SWITCHED_OFF_NOTE, UnknownPhase, parse_phase, switch_phase

log = logging.getLogger(__name__)

DAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
JUST_DUE = timedelta(minutes=2)  # a fire time this recent with no run yet is "⏳", not missed
LEGEND = "✓ sudah berjalan  ✗ gagal/dilewati  – terlewat  ▶ berikutnya"
MAX_ARGS = 80  # `jadwal off engagement_only` and a little slack; longer text gets the usage line
USAGE = ("❌ Format: *jadwal* (jadwal hari ini), *jadwal off FASE* (hentikan satu fase), *jadwal on FASE* "
         f"(jalankan lagi). FASE: {', '.join(PHASES)}.")

Section = Callable[[HandlerContext, date, datetime], Awaitable[list[str]]]


def _at(day: date, fire: FireTime, tz) -> datetime:
    hh, mm = (int(x) for x in fire.time.split(":"))
    return datetime.combine(day, time(hh, mm), tzinfo=tz)


def run_for_fire(runs: list[JobRun], phase: str, start: datetime, until: datetime) -> JobRun | None:
    """The run the scheduler started for a fire time: same phase, in [start, until); a real run beats a skip."""
    mine = [r for r in runs if r.phase == phase and start <= r.started_at < until]
    real = [r for r in mine if r.status != "skipped"]
    return (real or mine or [None])[-1]


def problem_text(run: JobRun) -> str:
    """Why a run failed or was partial, in Indonesian: the failing clients and the common cause."""
    errors = [e for e in run.errors if isinstance(e, dict)]
    clients = [str(e["client_id"]) for e in errors if e.get("client_id")]
    causes = list(dict.fromkeys(client_error_text(e.get("error")) for e in errors))
    cause = f" ({causes[0]})" if len(causes) == 1 else ""
    if clients:
        shown = ", ".join(clients[:3]) + ("…" if len(clients) > 3 else "")
        return f"{len(clients)} client gagal: {shown}{cause}"
    return causes[0] if causes else "tanpa keterangan"


def skipped_text(run: JobRun) -> str:
    if run.note == SWITCHED_OFF_NOTE:
        return "dilewati: fase nonaktif"
    note = (run.note or "").lower()
    if "lock" in note or "in flight" in note:
        return "dilewati: pengambilan lain masih berjalan"
    return "dilewati"


def fire_line(fire: FireTime, at: datetime, now: datetime, run: JobRun | None, next_mark: str,
              *, switched_off: bool = False) -> str:
    label = f"{fire.time.replace(':', '.')} — {PHASE_LABEL.get(fire.phase, fire.phase)}"
    if at > now:
        return f"• {label} (nonaktif)" if switched_off else f"{next_mark} {label}"
    if run is None:
        return f"⏳ {label} (segera berjalan)" if now - at < JUST_DUE else f"– {label} (terlewat)"
    if run.status == "running":
        return f"⏳ {label} (sedang berjalan)"
    if run.status == "ok":
        return f"✓ {label}"
    if run.status == "partial":
        return f"✓ {label} — sebagian: {problem_text(run)}"
    if run.status == "skipped":
        return f"✗ {label} — {skipped_text(run)}"
    if run.status in ("cancelled", "abandoned"):
        return f"✗ {label} — dihentikan sebelum selesai (layanan berhenti)"
    return f"✗ {label} — gagal: {problem_text(run)}"


async def collection_section(ctx: HandlerContext, day: date, now: datetime) -> list[str]:
    tz = ctx.clock.tz
    times = fire_times(ctx.settings, day)
    if not times:
        return ["Tidak ada jadwal pengambilan data hari ini."]
    start, end = day_range(day, tz)
    runs = await scheduled_runs_between(ctx.pool, start, end + JUST_DUE)
    off = await disabled_phases(ctx.pool)
    moments = sorted({_at(day, f, tz) for f in times})
    lines = []
    marked_next = False
    for fire in times:
        at = _at(day, fire, tz)
        until = next((m for m in moments if m > at), end + JUST_DUE)
        mark = "•"
        if at > now and not marked_next and fire.phase not in off:
            mark, marked_next = "▶", True
        lines.append(fire_line(fire, at, now, run_for_fire(runs, fire.phase, at, until), mark,
                               switched_off=fire.phase in off))
    if off:
        names = ", ".join(f"{phase_label(p)} ({p})" for p in PHASES if p in off)
        lines += ["", f"⏸️ Fase nonaktif: {names}. Ketik *jadwal on FASE* untuk menjalankannya lagi."]
    return lines


async def report_section(ctx: HandlerContext, day: date, now: datetime) -> list[str]:
    """The next scheduled report deliveries (`laporan` lists them all); jadwal answers even if this fails."""
    async with guarded("jadwal: next report runs", log) as g:
        return ["", "*Laporan terjadwal berikutnya*", *await report_lines(ctx, now)]
    return ["", f"Laporan terjadwal: tidak dapat dibaca ({g.error.__class__.__name__})"]


SECTIONS: tuple[Section, ...] = (collection_section, report_section)


async def jadwal_command(ctx: HandlerContext, args: str) -> None:
    words = args.split() if len(args) <= MAX_ARGS else None
    if words:
        await switch_command(ctx, words)
        return
    if words is None:
        await ctx.reply(USAGE)
        return
    await show_jadwal(ctx)


async def switch_command(ctx: HandlerContext, words: list[str]) -> None:
    """`jadwal on FASE` / `jadwal off FASE`: the switch, audited with the admin's number."""
    if len(words) != 2 or words[0].lower() not in ("on", "off"):
        await ctx.reply(USAGE)
        return
    try:
        phase = parse_phase(words[1])
    except UnknownPhase:
        await ctx.reply(f"❌ Fase *{words[1][:40]}* tidak dikenal. Pilih salah satu: {', '.join(PHASES)}.")
        return
    enabled = words[0].lower() == "on"
    change = await switch_phase(ctx.pool, ctx.identity.actor, phase, enabled, at=ctx.clock.now())
    name = f"*{phase_label(phase)}* ({phase})"
    if not change.changed:
        await ctx.reply(f"ℹ️ Fase {name} sudah {'aktif' if enabled else 'nonaktif'}; tidak ada yang diubah.")
    elif enabled:
        await ctx.reply(f"✅ Fase {name} diaktifkan kembali: berjalan lagi pada jam jadwalnya.")
    else:
        await ctx.reply(f"⏸️ Fase {name} dinonaktifkan: tidak dijalankan pada jam jadwalnya sampai diaktifkan "
                        f"lagi dengan *jadwal on {phase}*. Pengambilan manual (*fetch*) tetap bisa.")


async def show_jadwal(ctx: HandlerContext) -> None:
    now = ctx.clock.now()
    day = local_day(now, ctx.clock.tz)
    header = f"🗓️ *Jadwal hari ini* — {DAY_NAMES[day.weekday()]}, {day.strftime('%d/%m/%Y')}"
    if not ctx.settings.schedule.enabled:
        header += "\n(jadwal otomatis sedang *nonaktif*)"
    lines = [header, ""]
    for section in SECTIONS:
        lines += await section(ctx, day, now)
    lines += ["", LEGEND]
    await ctx.reply("\n".join(lines))


COMMANDS: list[Command] = [
    Command(id="jadwal", triggers=("jadwal",),
            help="jadwal pengambilan data hari ini dan hasilnya; *jadwal off FASE* / *jadwal on FASE* "
                 "menghentikan / menjalankan lagi satu fase",
            allowed=ADMIN_ONLY, handler=jadwal_command, takes_args=True, usage="jadwal [on|off FASE]"),
]
