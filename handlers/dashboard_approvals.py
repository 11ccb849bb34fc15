"""`ya ID` / `tidak ID`: an admin answers a dashboard account registration in WhatsApp.

The approval request reaches every admin through the outbox when someone
registers on the dashboard (`jobs/dashboard_signup.py`); the first answer
counts, a later one is told who answered first. `pendaftaran` lists the pending
registrations. Admins only; private chats only.
"""

from __future__ import annotations

from db.signups import pending_registrations
from handlers.context import Command, HandlerContext
from handlers.identity import ADMIN_ONLY
from jobs.dashboard_signup import RegistrationError, decide_registration, request_text

MAX_ID_DIGITS = 12
TEXT_USAGE = "Format: *ya ID* untuk menyetujui atau *tidak ID* untuk menolak (ID dari pesan pendaftaran)."


def registration_id(args: str) -> int | None:
    """The ID an admin typed (ASCII digits, bounded length), or None."""
    words = args.split()
    if len(words) != 1:
        return None
    text = words[0].lstrip("#")
    if not text.isdecimal() or not text.isascii() or len(text) > MAX_ID_DIGITS:
        return None
    return int(text)


async def _answer(ctx: HandlerContext, args: str, approve: bool) -> None:
    reg_id = registration_id(args)
    if reg_id is None:
        await ctx.reply(TEXT_USAGE)
        return
    try:
        decision = await decide_registration(ctx.pool, ctx.identity.actor, reg_id, approve=approve,
                                             now=ctx.clock.now())
    except RegistrationError as exc:
        await ctx.reply(f"❌ Tidak dapat diproses: {exc}.")
        return
    reg = decision.registration
    told = "Pemohon diberi tahu lewat WhatsApp." if decision.notified else "Pemohon tidak punya nomor WhatsApp."
    if approve:
        await ctx.reply(f"✅ Akun dashboard *{reg.username}* ({reg.role}) disetujui dan aktif. {told}")
    else:
        await ctx.reply(f"🚫 Pendaftaran *{reg.username}* ditolak; akun tetap nonaktif. {told}")


async def approve_command(ctx: HandlerContext, args: str) -> None:
    await _answer(ctx, args, True)


async def refuse_command(ctx: HandlerContext, args: str) -> None:
    await _answer(ctx, args, False)


async def pending_command(ctx: HandlerContext, args: str) -> None:
    pending = await pending_registrations(ctx.pool, limit=20)
    if not pending:
        await ctx.reply("Tidak ada pendaftaran akun dashboard yang menunggu persetujuan.")
        return
    await ctx.reply("\n\n".join(request_text(r) for r in pending))


COMMANDS = [
    Command(id="dashboard_approve", triggers=("ya",), help="setujui pendaftaran akun dashboard",
            allowed=ADMIN_ONLY, handler=approve_command, takes_args=True, usage="ya ID"),
    Command(id="dashboard_refuse", triggers=("tidak",), help="tolak pendaftaran akun dashboard",
            allowed=ADMIN_ONLY, handler=refuse_command, takes_args=True, usage="tidak ID"),
    Command(id="dashboard_pending", triggers=("pendaftaran",), help="pendaftaran akun dashboard yang menunggu",
            allowed=ADMIN_ONLY, handler=pending_command),
]
