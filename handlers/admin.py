"""Admin chat commands: `help`, `status`, `jadwal`, `fetch [CLIENT]`.

Texts are Indonesian; data comes from the schedule (`jobs.schedule`), the
`job_runs` and `outbox` tables, and the transport's connection state.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from db.bot_status import latest_job_runs
from db.clients import get_client
from db.outbox import status_counts
from handlers.context import ADMIN_ONLY, ANY_KNOWN, CollectionBusy, Command, HandlerContext
from core.clock import local_day

log = logging.getLogger(__name__)

PHASE_LABEL = {
    "post_fetch": "ambil posting + engagement",
    "engagement_only": "perbarui likes/komentar",
}
STATUS_LABEL = {"ok": "✅ sukses", "partial": "⚠️ sebagian", "failed": "❌ gagal", "skipped": "⏭️ dilewati",
                "running": "⏳ berjalan"}
DAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


def _hm(when: datetime, ctx: HandlerContext) -> str:
    local = when.astimezone(ctx.clock.tz)
    if local_day(local, ctx.clock.tz) == local_day(ctx.clock.now(), ctx.clock.tz):
        return local.strftime("%H.%M")
    return local.strftime("%d/%m %H.%M")


# -- help ---------------------------------------------------------------------------------


async def help_command(ctx: HandlerContext, args: str) -> None:
    lines = ["🤖 *Perintah Cicero*", ""]
    for c in ctx.commands:
        if c.hidden or not ctx.identity.may(c.allowed):
            continue
        lines.append(f"• *{c.usage or c.triggers[0]}* — {c.help}")
    lines += ["", "Di dalam menu: *back*/*kembali*/*0* untuk kembali, *batal* untuk keluar."]
    await ctx.reply("\n".join(lines))


# -- status -------------------------------------------------------------------------------


def _today_fire_times(ctx: HandlerContext, day):
    from jobs.schedule import fire_times

    return fire_times(ctx.settings, day)


def next_fire_per_phase(ctx: HandlerContext) -> dict[str, datetime]:
    """The next scheduled fire of each phase after now (looking at today and the next 7 days)."""
    now = ctx.clock.now()
    out: dict[str, datetime] = {}
    for offset in range(8):
        day = local_day(now, ctx.clock.tz) + timedelta(days=offset)
        for ft in _today_fire_times(ctx, day):
            hh, mm = (int(x) for x in ft.time.split(":"))
            at = datetime(day.year, day.month, day.day, hh, mm, tzinfo=ctx.clock.tz)
            if at > now and ft.phase not in out:
                out[ft.phase] = at
        if len(out) >= len(PHASE_LABEL):
            break
    return out


async def status_command(ctx: HandlerContext, args: str) -> None:
    now = ctx.clock.now()
    lines = [f"📊 *Status Cicero* — {now.strftime('%d/%m/%Y %H.%M')} WIB", ""]

    state = ctx.gateway_status() if ctx.gateway_status else None
    if state is None:
        lines.append("WhatsApp: (tidak diketahui)")
    elif state.connected:
        since = f" sejak {_hm(state.since, ctx)}" if state.since else ""
        lines.append(f"WhatsApp: ✅ terhubung{since}")
    else:
        detail = f" ({state.detail})" if state.detail else ""
        lines.append(f"WhatsApp: ❌ tidak terhubung{detail}")

    started = time.perf_counter()
    try:
        await ctx.pool.fetchval("SELECT 1")
        lines.append(f"Database: ✅ OK ({(time.perf_counter() - started) * 1000:.0f} ms)")
    except Exception as exc:
        lines.append(f"Database: ❌ {exc.__class__.__name__}")
        await ctx.reply("\n".join(lines))
        return

    counts = await status_counts(ctx.pool)
    lines.append(
        f"Outbox: {counts.get('pending', 0)} menunggu, {counts.get('sending', 0)} dikirim, "
        f"{counts.get('dead', 0)} gagal permanen"
    )
    lines += await queue_lines(ctx)

    lines += ["", "*Pengambilan data*"]
    runs = {(r.job, r.phase): r for r in await latest_job_runs(ctx.pool)}
    try:
        upcoming = next_fire_per_phase(ctx) if ctx.settings.schedule.enabled else {}
    except Exception:  # the schedule module is owned elsewhere; status must still answer
        log.exception("cannot compute next runs")
        upcoming = {}
    phases = list(PHASE_LABEL)
    for (job, phase) in runs:
        if phase not in phases:
            phases.append(phase or job)
    for phase in phases:
        label = PHASE_LABEL.get(phase, phase)
        last = next((r for (j, p), r in runs.items() if (p or j) == phase), None)
        last_text = (
            f"{_hm(last.started_at, ctx)} {STATUS_LABEL.get(last.status, last.status)}" if last else "belum pernah"
        )
        nxt = upcoming.get(phase)
        next_text = _hm(nxt, ctx) if nxt else ("jadwal nonaktif" if not ctx.settings.schedule.enabled else "-")
        lines.append(f"• {label}: terakhir {last_text}; berikutnya {next_text}")
    await ctx.reply("\n".join(lines))


# -- jadwal -------------------------------------------------------------------------------


async def jadwal_command(ctx: HandlerContext, args: str) -> None:
    now = ctx.clock.now()
    day = local_day(now, ctx.clock.tz)
    times = _today_fire_times(ctx, day)
    header = f"🗓️ *Jadwal hari ini* — {DAY_NAMES[day.weekday()]}, {day.strftime('%d/%m/%Y')}"
    if not ctx.settings.schedule.enabled:
        header += "\n(jadwal otomatis sedang *nonaktif*)"
    if not times:
        await ctx.reply(f"{header}\n\nTidak ada jadwal hari ini.")
        return
    current = now.strftime("%H:%M")
    marked_next = False
    lines = [header, ""]
    for ft in times:
        if ft.time < current:
            mark = "✓"
        elif not marked_next:
            mark, marked_next = "▶", True
        else:
            mark = "•"
        lines.append(f"{mark} {ft.time.replace(':', '.')} — {PHASE_LABEL.get(ft.phase, ft.phase)}")
    lines += ["", "✓ sudah lewat  ▶ berikutnya"]
    await ctx.reply("\n".join(lines))


# -- fetch --------------------------------------------------------------------------------


def describe_cycle(result) -> str:
    """A short Indonesian report of a `jobs.fetch.CycleResult`."""
    if getattr(result, "lock_skipped", False):
        return "⏳ Pengambilan data lain sedang berjalan; permintaan ini tidak dijalankan. Coba lagi nanti."
    lines = [f"📥 *Pengambilan data selesai* — {STATUS_LABEL.get(result.status, result.status)}"]
    if getattr(result, "queued", False):
        lines.append("(menunggu proses sebelumnya selesai, lalu dijalankan)")
    lines.append(f"Fase: {PHASE_LABEL.get(result.phase, result.phase)}")
    for c in result.clients:
        if c.ok:
            a = c.after
            lines.append(
                f"• {c.client_id}: IG {a.instagram_posts} post/{a.likes} likes, "
                f"TikTok {a.tiktok_posts} post/{a.comments} komentar"
            )
        else:
            lines.append(f"• {c.client_id}: ❌ {c.error or 'gagal'}")
    if result.skipped_clients:
        lines.append(f"Tidak sempat dijalankan (batas waktu): {', '.join(result.skipped_clients)}")
    if result.note:
        lines.append(f"Catatan: {result.note}")
    return "\n".join(lines)


async def fetch_command(ctx: HandlerContext, args: str) -> None:
    client_id = args.strip().split()[0].upper() if args.strip() else None
    if client_id:
        client = await get_client(ctx.pool, client_id)
        if client is None:
            await ctx.reply(f"❌ Client *{client_id}* tidak ditemukan.")
            return
        if not client.active:
            await ctx.reply(f"❌ Client *{client_id}* tidak aktif.")
            return
    if ctx.collection is None:
        await ctx.reply("❌ Pengambilan data manual tidak tersedia di proses ini.")
        return
    target = f"client *{client_id}*" if client_id else "semua client aktif"
    await ctx.reply(f"⏳ Pengambilan data untuk {target} dimulai…")
    try:
        result = await ctx.start_collection(client_id)
    except CollectionBusy as exc:
        await ctx.reply(str(exc) or "⏳ Pengambilan data lain sedang berjalan. Coba lagi nanti.")
        return
    await ctx.reply(describe_cycle(result))


COMMANDS: list[Command] = [
    Command(id="help", triggers=("help", "bantuan"), help="daftar perintah", allowed=ANY_KNOWN,
            handler=help_command),
    Command(id="status", triggers=("status",), help="koneksi WhatsApp, database, outbox, jadwal terakhir/berikutnya",
            allowed=ADMIN_ONLY, handler=status_command),
    Command(id="jadwal", triggers=("jadwal",), help="jadwal pengambilan data hari ini", allowed=ADMIN_ONLY,
            handler=jadwal_command),
    Command(id="fetch", triggers=("fetch",), help="ambil data sekarang (semua client atau satu client)",
            allowed=ADMIN_ONLY, handler=fetch_command, takes_args=True, usage="fetch [CLIENT]"),
]


async def queue_lines(ctx: HandlerContext) -> list[str]:
    """The task-queue part of `status`; a broker problem is reported, never raised."""
    from jobs.queue import queue_status

    try:
        status = await queue_status(ctx.settings, ctx.pool, now=ctx.clock.now())
    except Exception as exc:  # status must always answer
        log.exception("queue status failed")
        return [f"Antrean: tidak dapat diperiksa ({exc.__class__.__name__})"]
    return status.lines_id()
