"""Admin chat commands: `help` and `fetch [likes] [CLIENT]` (`status` is handlers/status.py,
`jadwal` handlers/jadwal.py).

"Fetch now" means one thing everywhere: WhatsApp `fetch` and `cicero fetch`
fetch today's posts and their likes/comments (`post_fetch`) unless told
otherwise (`fetch likes` here, `--engagement-only` there), and the reply says
which phase ran. Texts are Indonesian; errors are read through
`jobs.admin_text.client_error_text`.
"""

from __future__ import annotations

import logging

from core.formats import FormatError, normalize_client_id
from db.clients import get_client
from handlers.context import Command, HandlerContext
from handlers.identity import ADMIN_ONLY, ANY_KNOWN
from jobs.admin_text import PHASE_LABEL, RUN_STATUS_LABEL, client_error_text, phase_label, pukul
from jobs.collect_now import CollectionBusy

log = logging.getLogger(__name__)

STATUS_LABEL = RUN_STATUS_LABEL  # kept for modules that import it from here
__all__ = ["PHASE_LABEL", "STATUS_LABEL", "COMMANDS", "describe_cycle", "parse_fetch_args"]

ENGAGEMENT_WORDS = frozenset({"likes", "like", "komentar", "engagement"})
TEXT_FETCH_USAGE = ("❌ Format: *fetch* (posting + likes/komentar), *fetch likes* (likes/komentar saja), "
                    "ditambah ID client bila perlu, mis. *fetch likes POLRES_BLITAR*.")
PHASE_ACTION = {
    "post_fetch": "mengambil posting baru + likes/komentar",
    "engagement_only": "memperbarui likes/komentar saja (tanpa posting baru)",
}


# -- help ---------------------------------------------------------------------------------


async def help_command(ctx: HandlerContext, args: str) -> None:
    lines = ["🤖 *Perintah Cicero*", ""]
    for c in ctx.commands:
        if c.hidden or not ctx.identity.may(c.allowed):
            continue
        lines.append(f"• *{c.usage or c.triggers[0]}* — {c.help}")
    lines += ["", "Di dalam menu: *menu* menampilkan pilihan lagi, *back*/*kembali*/*0* untuk kembali, "
                  "*batal* untuk keluar."]
    await ctx.reply("\n".join(lines))


# -- fetch --------------------------------------------------------------------------------


def parse_fetch_args(args: str) -> tuple[str, str | None]:
    """(phase, client id or None) from `[likes] [CLIENT]` in any order; FormatError on anything else."""
    words = args.split()
    if len(words) > 2:
        raise FormatError("terlalu banyak kata")
    phase = "post_fetch"
    rest = []
    for word in words:
        if word.lower() in ENGAGEMENT_WORDS and phase == "post_fetch":
            phase = "engagement_only"
        else:
            rest.append(word)
    if len(rest) > 1:
        raise FormatError("lebih dari satu client")
    return phase, (normalize_client_id(rest[0]) if rest else None)


def describe_cycle(result) -> str:
    """A short Indonesian report of a `jobs.fetch.CycleResult`, naming the phase that ran."""
    if getattr(result, "lock_skipped", False):
        return "⏳ Pengambilan data lain sedang berjalan; permintaan ini tidak dijalankan. Coba lagi nanti."
    lines = [f"📥 *Pengambilan data selesai* — {RUN_STATUS_LABEL.get(result.status, result.status)}"]
    if getattr(result, "queued", False):
        lines.append("(menunggu proses sebelumnya selesai, lalu dijalankan)")
    lines.append(f"Fase: {phase_label(result.phase)}")
    for c in result.clients:
        if c.ok:
            a = c.after
            lines.append(
                f"• {c.client_id}: IG {a.instagram_posts} post/{a.likes} likes, "
                f"TikTok {a.tiktok_posts} post/{a.comments} komentar"
            )
        else:
            lines.append(f"• {c.client_id}: ❌ {client_error_text(c.error)}")
    if result.skipped_clients:
        lines.append(f"Tidak sempat dijalankan (batas waktu): {', '.join(result.skipped_clients)}")
    if getattr(result, "unknown_clients", None):
        lines.append(f"Client tidak dikenal: {', '.join(result.unknown_clients)}")
    if result.phase == "engagement_only":
        lines.append("Posting baru tidak diambil; ketik *fetch* untuk mengambil posting + likes/komentar.")
    return "\n".join(lines)


async def fetch_command(ctx: HandlerContext, args: str) -> None:
    try:
        phase, client_id = parse_fetch_args(args[:200])
    except FormatError:
        await ctx.reply(TEXT_FETCH_USAGE)
        return
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
    await ctx.reply(f"⏳ Mulai {pukul(ctx.clock.now(), ctx.clock.tz)}: {PHASE_ACTION[phase]} untuk {target}…")
    try:
        result = await ctx.start_collection(client_id, phase=phase)
    except CollectionBusy as exc:
        await ctx.reply(str(exc) or "⏳ Pengambilan data lain sedang berjalan. Coba lagi nanti.")
        return
    await ctx.reply(describe_cycle(result))


COMMANDS: list[Command] = [
    Command(id="help", triggers=("help", "bantuan"), help="daftar perintah", allowed=ANY_KNOWN,
            handler=help_command),
    Command(id="fetch", triggers=("fetch",),
            help="ambil posting + likes/komentar sekarang (*fetch likes*: likes/komentar saja)",
            allowed=ADMIN_ONLY, handler=fetch_command, takes_args=True, usage="fetch [likes] [CLIENT]"),
]
