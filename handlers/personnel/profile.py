"""My profile: show it, change the Instagram / TikTok username and the WhatsApp number.

Steps (in the personnel menu): `username` (free text: a name, `@name` or a
profile link) → `near_miss` when a recent engager of the client spelled it
slightly differently → back to `main`; `whatsapp` → `whatsapp_confirm` → the
menu closes (this number no longer belongs to the person). Conversation data:
{"platform": "instagram"|"tiktok", "typed": str, "suggestions": [str], "new_phone": str}.
"""

from __future__ import annotations

from core.formats import FormatError
from db.reminders import reminders_enabled
from handlers.context import HandlerContext, InvalidInput, Refused
from handlers.menus import Choice, menu_number
from handlers.personnel.common import Me, actor, display_name, require_me
from handlers.personnel.fields import (
    EXAMPLES, check_username, parse_phone, parse_username, phone_taken_by, username_taken_text, yes_or_no,
)
from handlers.personnel.writes import Gone, Taken, assign_username, assign_whatsapp
from handlers.reports.attendance import Platform

TEXT_NOT_SET = "belum diisi"


def back_to_main(ctx: HandlerContext) -> None:
    ctx.conversation.history.clear()
    ctx.goto("main", remember=False)
    for key in ("platform", "typed", "suggestions", "new_phone"):
        ctx.conversation.data.pop(key, None)


async def render_profile(ctx: HandlerContext, me: Me) -> str:
    p = me.person
    reminders = "aktif" if await reminders_enabled(ctx.pool, p.nrp) else "nonaktif"
    return "\n".join([
        "👤 *Profil Saya*",
        f"Nama: {display_name(p)}",
        f"NRP: {p.nrp}",
        f"Satker: {me.client.name}",
        f"Satfung: {p.division or '-'}",
        f"Jabatan: {p.position or '-'}",
        f"Instagram: {'@' + p.instagram if p.instagram else TEXT_NOT_SET}",
        f"TikTok: {'@' + p.tiktok if p.tiktok else TEXT_NOT_SET}",
        f"WhatsApp: {p.whatsapp or '-'}",
        f"Pengingat tugas: {reminders}",
        "",
        "Nama, pangkat, satfung dan jabatan diubah oleh operator satker Anda.",
    ])


# --------------------------------------------------------------------------- usernames

def _platform(ctx: HandlerContext) -> Platform:
    value = ctx.conversation.data.get("platform")
    return Platform(value) if value in (p.value for p in Platform) else Platform.INSTAGRAM


async def username_prompt(ctx: HandlerContext) -> str:
    platform = _platform(ctx)
    return (f"Kirim username {platform.label} Anda.\n"
            f"Contoh: {EXAMPLES[platform]}.")


async def _save_username(ctx: HandlerContext, me: Me, platform: Platform, username: str) -> None:
    try:
        await assign_username(ctx.pool, actor(ctx), me.person.nrp, platform, username)
    except Taken as exc:
        raise InvalidInput(username_taken_text(platform, username, exc.satker)) from None
    except Gone:
        ctx.close_menu()
        raise Refused("⚠️ Data personel Anda tidak aktif lagi. Hubungi operator satker Anda.") from None
    back_to_main(ctx)
    await ctx.reply(f"✅ Username {platform.label} Anda sekarang *@{username}*. "
                    "Perubahan berlaku pada rekap absensi berikutnya.")


async def on_username(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    me = await require_me(ctx)
    platform = _platform(ctx)
    try:
        username = parse_username(platform, text)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    if username == getattr(me.person, platform.value):
        back_to_main(ctx)
        await ctx.reply(f"ℹ️ Username {platform.label} Anda memang sudah *@{username}*.")
        return
    check = await check_username(ctx.pool, platform, username, nrp=me.person.nrp, client_id=me.client.id,
                                 now=ctx.clock.now(), near_miss_days=ctx.settings.personnel.near_miss_days)
    if not check.ok:
        raise InvalidInput(username_taken_text(platform, username, check.held_by))
    if check.suggestions:
        ctx.conversation.data.update(typed=username, suggestions=list(check.suggestions))
        ctx.goto("near_miss")
        return
    await _save_username(ctx, me, platform, username)


def _near_miss_options(ctx: HandlerContext) -> list[str]:
    data = ctx.conversation.data
    return [*data.get("suggestions", []), data.get("typed", "")]


async def near_miss_prompt(ctx: HandlerContext) -> str:
    platform, options = _platform(ctx), _near_miss_options(ctx)
    typed = options[-1]
    lines = [f"🤔 Belum ada like/komentar dari *@{typed}* di konten {platform.label} satker Anda "
             f"{ctx.settings.personnel.near_miss_days} hari terakhir, tetapi ada dari akun yang mirip.",
             "Apakah maksud Anda:"]
    lines += [f"{i}. Ya, pakai *@{name}*" for i, name in enumerate(options[:-1], 1)]
    lines.append(f"{len(options)}. Tidak, tetap pakai *@{typed}*")
    return "\n".join(lines)


async def on_near_miss(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    options = _near_miss_options(ctx)
    number = menu_number(text, maximum=len(options))
    if number is None:
        raise InvalidInput(f"Pilihan tidak valid. Balas angka 1 sampai {len(options)}.")
    me = await require_me(ctx)
    await _save_username(ctx, me, _platform(ctx), options[number - 1])


# --------------------------------------------------------------------------- WhatsApp number

async def whatsapp_prompt(ctx: HandlerContext) -> str:
    return ("Kirim nomor WhatsApp baru Anda (contoh: 081234567890).\n"
            "Setelah diganti, menu personel hanya bisa dibuka dari nomor baru.")


async def on_whatsapp(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    me = await require_me(ctx)
    try:
        phone = parse_phone(text)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    if phone == me.person.whatsapp:
        back_to_main(ctx)
        await ctx.reply("ℹ️ Itu nomor WhatsApp Anda saat ini; tidak ada yang diubah.")
        return
    taken = await phone_taken_by(ctx.pool, phone, nrp=me.person.nrp)
    if taken:
        raise InvalidInput(f"❌ Nomor {phone} sudah terdaftar untuk personel lain di *{taken}*.")
    ctx.conversation.data["new_phone"] = phone
    ctx.goto("whatsapp_confirm")


async def whatsapp_confirm_prompt(ctx: HandlerContext) -> str:
    return (f"Ganti nomor WhatsApp Anda menjadi *{ctx.conversation.data.get('new_phone', '-')}*?\n"
            "Balas *ya* atau *tidak*.")


async def on_whatsapp_confirm(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    answer = yes_or_no(text)
    if answer is None:
        raise InvalidInput("Balas *ya* atau *tidak*.")
    if not answer:
        back_to_main(ctx)
        await ctx.reply("Baik, nomor WhatsApp tidak diubah.")
        return
    me = await require_me(ctx)
    phone = ctx.conversation.data.get("new_phone", "")
    try:
        async with ctx.pool.acquire() as conn, conn.transaction():
            await assign_whatsapp(conn, actor(ctx), me.person.nrp, phone, action="personnel.update_whatsapp")
    except Taken as exc:
        back_to_main(ctx)
        await ctx.reply(f"❌ Nomor {phone} sudah terdaftar untuk personel lain di *{exc.satker}*.")
        return
    except Gone:
        ctx.close_menu()
        raise Refused("⚠️ Data personel Anda tidak aktif lagi. Hubungi operator satker Anda.") from None
    ctx.close_menu()
    await ctx.reply(f"✅ Nomor WhatsApp Anda sekarang *{phone}*. Buka menu personel dari nomor itu "
                    "(ketik *menu*); nomor ini tidak lagi terhubung dengan data Anda.")
