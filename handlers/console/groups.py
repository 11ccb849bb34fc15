"""`grup` / `thisgroup` inside a WhatsApp group (admins only): the group's id and name, and registering it.

    grup                    → id, name, what the group is registered as, how to register it
    grup tugas CLIENT       → the group becomes a task group of CLIENT (task lists and change messages)
    grup log                → the group receives the admin log
    grup lepas CLIENT|log   → undo either

The only console command that works in a group; in a private chat it says
where to type it. Non-admins in a group get silence (the router's rule).
"""

from __future__ import annotations

from core.formats import FormatError
from db.admin_log_groups import admin_log_group_ids
from db.clients import clients_with_group
from handlers.console.common import client_in_scope
from handlers.context import Command, HandlerContext, Refused
from handlers.identity import ADMIN_ONLY
from jobs.admin_groups import register_admin_log_group, unregister_admin_log_group
from jobs.client_changes import add_task_group, remove_task_group

TEXT_PRIVATE = ("ℹ️ Perintah *grup* dipakai di dalam grup WhatsApp: tambahkan nomor bot ke grup itu, "
                "lalu ketik *grup* di sana.")
TEXT_USAGE = "Ketik *grup*, *grup tugas CLIENT*, *grup log*, *grup lepas CLIENT* atau *grup lepas log*."


async def _name(ctx: HandlerContext) -> str | None:
    return await ctx.group_name(ctx.chat_id) if ctx.group_name is not None else None


async def _registered_as(ctx: HandlerContext) -> list[str]:
    roles = [f"grup tugas {c.id}" for c in await clients_with_group(ctx.pool, ctx.chat_id)]
    if ctx.chat_id in await admin_log_group_ids(ctx.pool):
        roles.append("grup log admin")
    return roles


async def group_info(ctx: HandlerContext) -> None:
    name = await _name(ctx)
    registered = await _registered_as(ctx)
    lines = [
        "👥 *Info grup*",
        f"Nama: {name or '(tidak diketahui)'}",
        f"ID: {ctx.chat_id}",
        f"Terdaftar sebagai: {', '.join(registered) if registered else 'belum terdaftar'}",
        "",
        "Daftarkan grup ini:",
        "• *grup tugas CLIENT* — grup tugas client (daftar tugas dan perubahan dikirim ke sini)",
        "• *grup log* — grup log admin (laporan operasional dan galat)",
        "Lepas: *grup lepas CLIENT* / *grup lepas log*",
    ]
    await ctx.reply("\n".join(lines))


async def register_task_group(ctx: HandlerContext, client_id: str) -> None:
    client = await client_in_scope(ctx, client_id)
    if ctx.chat_id in client.group_ids:
        await ctx.reply(f"ℹ️ Grup ini sudah menjadi grup tugas *{client.id}*.")
        return
    await add_task_group(ctx.pool, ctx.identity.actor, client.id, ctx.chat_id)
    await ctx.reply(f"✅ Grup ini sekarang grup tugas *{client.id}* ({client.name}). "
                    "Daftar tugas dan perubahan berikutnya dikirim ke sini.")


async def release_task_group(ctx: HandlerContext, client_id: str) -> None:
    client = await client_in_scope(ctx, client_id)
    if ctx.chat_id not in client.group_ids:
        await ctx.reply(f"ℹ️ Grup ini bukan grup tugas *{client.id}*.")
        return
    await remove_task_group(ctx.pool, ctx.identity.actor, client.id, ctx.chat_id)
    await ctx.reply(f"✅ Grup ini tidak lagi menjadi grup tugas *{client.id}*.")


async def register_log_group(ctx: HandlerContext) -> None:
    added = await register_admin_log_group(ctx.pool, ctx.identity.actor, group_id=ctx.chat_id,
                                           name=await _name(ctx), at=ctx.clock.now())
    await ctx.reply("✅ Grup ini sekarang menerima log admin." if added else "ℹ️ Grup ini sudah menerima log admin.")


async def release_log_group(ctx: HandlerContext) -> None:
    removed = await unregister_admin_log_group(ctx.pool, ctx.identity.actor, ctx.chat_id)
    await ctx.reply("✅ Grup ini tidak lagi menerima log admin." if removed else "ℹ️ Grup ini bukan grup log admin.")


async def grup_command(ctx: HandlerContext, args: str) -> None:
    if not ctx.message.is_group:
        await ctx.reply(TEXT_PRIVATE)
        return
    words = args.lower().split()
    try:
        match words:
            case []:
                await group_info(ctx)
            case ["tugas", client_id]:
                await register_task_group(ctx, client_id)
            case ["log"]:
                await register_log_group(ctx)
            case ["lepas", "log"]:
                await release_log_group(ctx)
            case ["lepas", client_id]:
                await release_task_group(ctx, client_id)
            case _:
                await ctx.reply(TEXT_USAGE)
    except FormatError as exc:  # a chat id the group formats do not accept
        raise Refused(f"❌ {exc}") from None


COMMANDS = [
    Command(id="grup", triggers=("grup", "thisgroup", "thisgroup#"), usage="grup (di dalam grup)",
            help="id dan nama grup ini; daftarkan sebagai grup tugas client atau grup log admin",
            allowed=ADMIN_ONLY, handler=grup_command, takes_args=True, in_groups=True),
]
