"""Admin chat commands: `help`, `jadwal`, `fetch [CLIENT]` (`status` is handlers/status.py).

Texts are Indonesian; data comes from the schedule (`jobs.schedule`), the
`job_runs` and `outbox` tables, and the transport's connection state.
"""

from __future__ import annotations

import logging
from datetime import datetime

from db.clients import get_client
from handlers.context import Command, HandlerContext
from handlers.identity import ADMIN_ONLY, ANY_KNOWN
from jobs.collect_now import CollectionBusy
from core.clock import local_day
from jobs.schedule import fire_times

log = logging.getLogger(__name__)

PHASE_LABEL = {
    "post_fetch": "ambil posting + engagement",
    "engagement_only": "perbarui likes/komentar",
    "late_sweep": "susulan likes/komentar hari sebelumnya",
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


# -- jadwal -------------------------------------------------------------------------------


async def jadwal_command(ctx: HandlerContext, args: str) -> None:
    now = ctx.clock.now()
    day = local_day(now, ctx.clock.tz)
    times = fire_times(ctx.settings, day)
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
    Command(id="jadwal", triggers=("jadwal",), help="jadwal pengambilan data hari ini", allowed=ADMIN_ONLY,
            handler=jadwal_command),
    Command(id="fetch", triggers=("fetch",), help="ambil data sekarang (semua client atau satu client)",
            allowed=ADMIN_ONLY, handler=fetch_command, takes_args=True, usage="fetch [CLIENT]"),
]
