"""`userrequest` / `daftar`: the personnel menu, or binding the number first when it is unregistered.

A number on an active personnel row gets the personnel menu (main → profile,
cek tugas, usernames, WhatsApp number, reminders); an unregistered number gets
the binding (binding.py). Both menus are declared as trigger-less hidden
commands so the router knows them and who may answer them; `userrequest`
(and the greeting in `handlers/greeting.py`) opens the right one.
"""

from __future__ import annotations

from handlers.context import Command, HandlerContext, InvalidInput
from handlers.identity import Role
from handlers.menus import Choice, Menu, MenuStep, menu_number, open_menu
import handlers.personnel.binding as binding
import handlers.personnel.profile as profile
from handlers.personnel.common import (
    OPTION_INSTAGRAM, OPTION_PROFILE, OPTION_REMINDERS, OPTION_TASKS, OPTION_TIKTOK, OPTION_WHATSAPP, display_name,
    load_me, require_me,
)
from handlers.personnel.reminders import set_my_reminders
from handlers.personnel.tasks import personal_tasks, render_my_tasks
from db.reminders import reminders_enabled
from handlers.reports.attendance import AttendanceRules, Platform

MENU_ID = "userrequest"
MENU_TITLE = "Menu Personel"

OPTIONS = {
    OPTION_PROFILE: "Profil saya",
    OPTION_TASKS: "Cek tugas saya hari ini",
    OPTION_INSTAGRAM: "Ubah username Instagram",
    OPTION_TIKTOK: "Ubah username TikTok",
    OPTION_WHATSAPP: "Ubah nomor WhatsApp",
}


async def main_prompt(ctx: HandlerContext) -> str:
    me = await load_me(ctx)
    if me is None:
        return "⚠️ Data personel Anda tidak ditemukan."
    reminders = await reminders_enabled(ctx.pool, me.person.nrp)
    lines = ["👤 *Menu Personel*", f"*{display_name(me.person)}* — {me.client.name}", ""]
    lines += [f"{number}. {label}" for number, label in OPTIONS.items()]
    lines.append(f"{OPTION_REMINDERS}. Pengingat tugas: *{'aktif' if reminders else 'nonaktif'}* "
                 f"(pilih untuk {'mematikan' if reminders else 'menyalakan'})")
    lines += ["", "Balas dengan *angka* menu."]
    return "\n".join(lines)


async def on_main(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    number = menu_number(text, maximum=OPTION_REMINDERS)
    if number is None:
        raise InvalidInput(f"Pilihan tidak valid. Balas angka 1 sampai {OPTION_REMINDERS}.")
    me = await require_me(ctx)
    if number == OPTION_PROFILE:
        await ctx.reply(await profile.render_profile(ctx, me))
    elif number == OPTION_TASKS:
        rules = AttendanceRules.from_settings(ctx.settings.attendance)
        mine = (await personal_tasks(ctx.pool, me.client, [me.person.nrp], ctx.clock.now(), rules)).get(me.person.nrp)
        await ctx.reply(render_my_tasks(mine, display_name(me.person), ctx.clock.now()) if mine else
                        "⚠️ Tugas Anda belum bisa dihitung saat ini. Silakan coba lagi nanti.")
    elif number in (OPTION_INSTAGRAM, OPTION_TIKTOK):
        platform = Platform.INSTAGRAM if number == OPTION_INSTAGRAM else Platform.TIKTOK
        ctx.conversation.data["platform"] = platform.value
        ctx.goto("username")
    elif number == OPTION_WHATSAPP:
        ctx.goto("whatsapp")
    else:
        await ctx.reply(await set_my_reminders(ctx, not await reminders_enabled(ctx.pool, me.person.nrp)))


MENU = Menu(
    id=MENU_ID,
    title=MENU_TITLE,
    start="main",
    steps=[
        MenuStep("main", prompt=main_prompt, handle=on_main),
        MenuStep("username", after_reply="prompt", prompt=profile.username_prompt, handle=profile.on_username),
        MenuStep("near_miss", after_reply="prompt", prompt=profile.near_miss_prompt, handle=profile.on_near_miss),
        MenuStep("whatsapp", after_reply="prompt", prompt=profile.whatsapp_prompt, handle=profile.on_whatsapp),
        MenuStep("whatsapp_confirm", after_reply="prompt", prompt=profile.whatsapp_confirm_prompt, handle=profile.on_whatsapp_confirm),
    ],
)


async def open_personnel_menu(ctx: HandlerContext) -> None:
    """The personnel menu for a personnel number, the binding for an unregistered one."""
    if ctx.identity.is_personnel:
        await open_menu(ctx, MENU, None)
    else:
        await open_menu(ctx, binding.MENU, binding.on_open)


async def userrequest(ctx: HandlerContext, _args: str) -> None:
    await open_personnel_menu(ctx)


PERSONNEL_OR_NEW = frozenset({Role.PERSONNEL, Role.UNREGISTERED})

COMMANDS = [
    Command(id="userrequest", triggers=("daftar", "userrequest"), usage="userrequest",
            help="menu personel: tautkan nomor dengan NRP, profil & username, cek tugas, pengingat",
            allowed=PERSONNEL_OR_NEW, handler=userrequest),
    # the menus themselves (opened by `userrequest` / the greeting; no trigger of their own)
    Command(id="userrequest.menu", triggers=(), help="menu personel", allowed=frozenset({Role.PERSONNEL}),
            menu=MENU, hidden=True),
    Command(id="daftar.menu", triggers=(), help="tautkan nomor", allowed=frozenset({Role.UNREGISTERED}),
            menu=binding.MENU, hidden=True),
]
