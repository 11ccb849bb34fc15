"""`oprrequest`: the operator menu of one client — recaps, the task list, a manual fetch, personnel management.

Who: the client's operator and super-admin numbers, dashboard accounts with
role `operator` (their clients), and admins (every active client). One client
→ straight to the main menu; several → choose first (and "ganti client").
Every step checks again that the sender may operate the chosen client
(`scope.may_operate`); the figures come from the attendance engine and the
report renderers (`handlers/reports`), the fetch from the one collect-now path.

Steps: choose_client → main → mode (recaps) | nrp → … (people.py).
Conversation data: {"client_id", "platform" (recap awaiting a mode), "action", …}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from db.clients import Client
from handlers.context import Command, HandlerContext, InvalidInput, Refused
from handlers.dirrequest.fetching import FETCH_SPECS, run_manual_fetch, todays_task_list
from handlers.identity import Role
from handlers.menus import Choice, Menu, MenuStep, menu_number
import handlers.operator.people as people
from handlers.operator.render import render_attendance_mode
from handlers.operator.scope import may_operate, operator_clients
from handlers.personnel.common import open_menu_at
from handlers.reports.attendance import AttendanceRules, Period, Platform, Scope, build_attendance
from handlers.reports.completeness import build_completeness
from handlers.reports.text import render_completeness_recap, render_division_detail, render_missing_data

MENU_ID = "oprrequest"
MENU_TITLE = "Menu Operator"

TEXT_NOT_OPERATOR = "❌ Menu ini hanya untuk operator client yang terdaftar."
TEXT_LOST_SCOPE = "❌ Nomor Anda tidak lagi terdaftar sebagai operator client ini. Menu ditutup."
TEXT_BAD_OPTION = "Pilihan tidak valid. Ketik angka menu."

MODES = (("semua", "Semua personel"), ("sudah", "Sudah melaksanakan"), ("belum", "Belum melaksanakan"))


# --------------------------------------------------------------------------- scope


async def selected_client(ctx: HandlerContext) -> Client:
    """The chosen client, if the sender may still operate it; otherwise the menu closes."""
    client_id = ctx.conversation.data.get("client_id")
    client = await may_operate(ctx.pool, ctx.identity, client_id) if client_id else None
    if client is None:
        ctx.close_menu()
        raise Refused(TEXT_LOST_SCOPE)
    return client


ScopedHandler = Callable[[HandlerContext, Client, str], Awaitable[None]]


def scoped(handler: ScopedHandler):
    async def handle(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
        await handler(ctx, await selected_client(ctx), text)

    return handle


def scoped_prompt(prompt: Callable[[HandlerContext, Client], Awaitable[str]]):
    async def render(ctx: HandlerContext) -> str:
        client_id = ctx.conversation.data.get("client_id")
        client = await may_operate(ctx.pool, ctx.identity, client_id) if client_id else None
        return await prompt(ctx, client) if client else TEXT_LOST_SCOPE

    return render


# --------------------------------------------------------------------------- the options


@dataclass(frozen=True)
class Option:
    id: str                     # stable
    group: str
    label: str
    run: Callable[[HandlerContext, Client], Awaitable[None]]


def _today(ctx: HandlerContext) -> Period:
    return Period.today(ctx.clock.now())


def _recap(platform: Platform):
    async def run(ctx: HandlerContext, _client: Client) -> None:
        ctx.conversation.data["platform"] = platform.value
        ctx.goto("mode")

    return run


async def completeness_recap(ctx: HandlerContext, client: Client) -> None:
    report = await build_completeness(ctx.pool, client, scope=Scope.CLIENT)
    await ctx.reply(render_completeness_recap(report, ctx.clock.now()))


async def missing_usernames(ctx: HandlerContext, client: Client) -> None:
    report = await build_completeness(ctx.pool, client, scope=Scope.CLIENT)
    await ctx.reply(render_missing_data(report, ctx.clock.now()))


async def task_list(ctx: HandlerContext, client: Client) -> None:
    await ctx.reply(await todays_task_list(ctx, client))


async def fetch_now(ctx: HandlerContext, client: Client) -> None:
    await run_manual_fetch(ctx, client, FETCH_SPECS["all_with_tasks"])


def _manage(action: str):
    async def run(ctx: HandlerContext, _client: Client) -> None:
        ctx.conversation.data["action"] = action
        ctx.goto("nrp")

    return run


G_ABSENSI, G_DATA, G_TUGAS, G_KELOLA = "📅 Absensi hari ini", "📊 Data personel", "📥 Tugas & data", "👥 Kelola personel"
OPTIONS: tuple[Option, ...] = (
    Option("ig_likes", G_ABSENSI, "Absensi likes Instagram", _recap(Platform.INSTAGRAM)),
    Option("tt_comments", G_ABSENSI, "Absensi komentar TikTok", _recap(Platform.TIKTOK)),
    Option("completeness", G_DATA, "Rekap kelengkapan username", completeness_recap),
    Option("missing_usernames", G_DATA, "Daftar personel tanpa username", missing_usernames),
    Option("task_list", G_TUGAS, "Daftar tugas hari ini", task_list),
    Option("fetch_now", G_TUGAS, "Ambil data sekarang (konten, likes & komentar)", fetch_now),
    Option("person_add", G_KELOLA, "Tambah personel", _manage(people.ADD)),
    Option("person_edit", G_KELOLA, "Ubah data personel", _manage(people.EDIT)),
    Option("person_toggle", G_KELOLA, "Aktifkan / nonaktifkan personel", _manage(people.TOGGLE)),
    Option("person_check", G_KELOLA, "Cek NRP", _manage(people.CHECK)),
    Option("exception_request", G_KELOLA, "Ajukan / batalkan pengecualian (diputuskan admin)",
           _manage(people.EXCEPTION)),
)
SWITCH_CLIENT = "Ganti client"


def _numbered(ctx: HandlerContext) -> list[tuple[int, str]]:
    """(number, option id) in menu order; "ganti client" last when the sender has several clients."""
    numbered = [(i, o.id) for i, o in enumerate(OPTIONS, 1)]
    if len(ctx.conversation.data.get("clients", [])) > 1:
        numbered.append((len(OPTIONS) + 1, "switch_client"))
    return numbered


async def main_prompt(ctx: HandlerContext, client: Client) -> str:
    lines = ["📋 *Menu Operator*", f"Client: *{client.name}* ({client.id})"]
    group = None
    for number, option_id in _numbered(ctx):
        option = next((o for o in OPTIONS if o.id == option_id), None)
        if option is None:
            lines += ["", f"{number}. {SWITCH_CLIENT}"]
            continue
        if option.group != group:
            group = option.group
            lines += ["", f"*{group}*"]
        lines.append(f"{number}. {option.label}")
    lines += ["", "Balas dengan *angka* menu."]
    return "\n".join(lines)


async def on_main(ctx: HandlerContext, client: Client, text: str) -> None:
    numbered = dict(_numbered(ctx))
    number = menu_number(text, maximum=len(numbered))
    if number is None:
        raise InvalidInput(TEXT_BAD_OPTION)
    option_id = numbered[number]
    if option_id == "switch_client":
        ctx.goto("choose_client")
        return
    await next(o for o in OPTIONS if o.id == option_id).run(ctx, client)


# --------------------------------------------------------------------------- recap mode


async def mode_prompt(ctx: HandlerContext, _client: Client) -> str:
    platform = Platform(ctx.conversation.data.get("platform", "instagram"))
    lines = [f"Absensi {platform.action} {platform.label} hari ini — tampilkan:"]
    lines += [f"{i}. {label}" for i, (_, label) in enumerate(MODES, 1)]
    return "\n".join(lines)


async def on_mode(ctx: HandlerContext, client: Client, text: str) -> None:
    number = menu_number(text, maximum=len(MODES))
    if number is None:
        raise InvalidInput(f"Pilihan tidak valid. Balas angka 1 sampai {len(MODES)}.")
    platform = Platform(ctx.conversation.data.pop("platform", "instagram"))
    mode = MODES[number - 1][0]
    now = ctx.clock.now()
    report = await build_attendance(ctx.pool, client, _today(ctx), platform, scope=Scope.CLIENT,
                                    rules=AttendanceRules.from_settings(ctx.settings.attendance))
    people.back_to_main(ctx)
    await ctx.reply(render_division_detail(report, now) if mode == "semua" else
                    render_attendance_mode(report, mode, now))


# --------------------------------------------------------------------------- choose client


async def client_prompt(ctx: HandlerContext) -> str:
    clients = await operator_clients(ctx.pool, ctx.identity)
    lines = ["Pilih *client* untuk menu operator:"]
    lines += [f"{i}. {c.id} - {c.name}" for i, c in enumerate(clients, 1)]
    lines += ["", "Balas dengan *angka* atau *Client ID*."]
    return "\n".join(lines)


async def on_client(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    clients = await operator_clients(ctx.pool, ctx.identity)
    number = menu_number(text, maximum=len(clients))
    wanted = text.strip().upper()
    chosen = clients[number - 1] if number else next((c for c in clients if c.id == wanted), None)
    if chosen is None:
        raise InvalidInput("❌ Pilihan client tidak valid. Silakan pilih sesuai daftar.")
    ctx.conversation.data["client_id"] = chosen.id
    ctx.conversation.history.clear()
    ctx.goto("main", remember=False)


# --------------------------------------------------------------------------- the menu and its command


def _step(name: str, prompt, handle) -> MenuStep:
    """A step of the operator menu; every step but the main list asks for input, so it re-prompts."""
    return MenuStep(name, prompt=scoped_prompt(prompt), handle=scoped(handle),
                    after_reply="hint" if name == "main" else "prompt")


MENU = Menu(
    id=MENU_ID,
    title=MENU_TITLE,
    start="main",
    steps=[
        MenuStep("choose_client", prompt=client_prompt, handle=on_client),
        _step("main", main_prompt, on_main),
        _step("mode", mode_prompt, on_mode),
        _step("nrp", people.nrp_prompt, people.on_nrp),
        *[_step(step, people.add_value_prompt, people.on_add_value) for step, _, _ in people.ADD_STEPS],
        _step("add_confirm", people.add_confirm_prompt, people.on_add_confirm),
        _step("edit_field", people.edit_field_prompt, people.on_edit_field),
        _step("edit_value", people.edit_value_prompt, people.on_edit_value),
        _step("toggle_confirm", people.toggle_prompt, people.on_toggle_confirm),
        _step("exception_reason", people.exception_prompt, people.on_exception_reason),
    ],
)


OPERATOR_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SUPER_ADMIN, Role.DASHBOARD})


async def open_operator_menu(ctx: HandlerContext) -> None:
    clients = await operator_clients(ctx.pool, ctx.identity)
    if not clients:
        raise Refused(TEXT_NOT_OPERATOR)
    data = {"clients": [c.id for c in clients]}
    if len(clients) == 1:
        await open_menu_at(ctx, MENU, step="main", data={**data, "client_id": clients[0].id})
    else:
        await open_menu_at(ctx, MENU, step="choose_client", data=data)


async def oprrequest(ctx: HandlerContext, _args: str) -> None:
    await open_operator_menu(ctx)


COMMANDS = [
    Command(id="oprrequest", triggers=("oprrequest",), allowed=OPERATOR_ROLES, handler=oprrequest,
            help="menu operator client: absensi, kelengkapan username, tugas hari ini, ambil data, kelola personel"),
    # the menu itself (opened by `oprrequest` / the greeting; no trigger of its own)
    Command(id="oprrequest.menu", triggers=(), help="menu operator", allowed=OPERATOR_ROLES, menu=MENU, hidden=True),
]
