"""The `dirrequest` conversation: choose a directorate, then the grouped main menu.

Steps (all free text, validated here so the menu keeps the original's grouped look):
  choose_client → main → (period, for options with a period submenu) → main …
`back`/`0` returns to the previous step, `batal` closes the menu, `menu` shows
the current step's list again (the engine). After a report the engine sends a
one-line hint instead of the 26-line menu; a wrong number gets only the valid
numbers.
Conversation data: {"client_id": "DITBINMAS", "action": "<action id awaiting a period>"}.
"""

from __future__ import annotations

from db.clients import Client, get_client, list_clients
from handlers.context import Command, HandlerContext, InvalidInput, Refused
from handlers.identity import Role
from handlers.menus import Choice, Menu, MenuStep, menu_number, number_ranges
from handlers.dirrequest.actions import ACTIONS, GROUPS, Action, action_by_id, action_by_number

MENU_TITLE = "Menu Direktorat"

TEXT_NO_DIRECTORATE = "ℹ️ Belum ada client direktorat yang aktif. Tambahkan client bertipe direktorat terlebih dahulu."
TEXT_NOT_ALLOWED = "❌ Nomor Anda tidak terdaftar sebagai admin atau pengguna dashboard direktorat."
TEXT_BAD_CLIENT = "❌ Pilihan client tidak valid. Balas {numbers} atau Client ID."
TEXT_BAD_OPTION = "Pilihan tidak valid. Balas {numbers}."
TEXT_CLIENT_GONE = "⚠️ Client yang dipilih sudah tidak aktif atau tidak lagi diizinkan. Silakan pilih client lagi."
TEXT_NONE_IN_SCOPE = ("❌ Akun Anda tidak memiliki akses ke client direktorat mana pun. "
                      "Hubungi admin untuk menambahkan client ke akun Anda.")


async def active_directorates(ctx: HandlerContext) -> list[Client]:
    """The active directorates this person may see (the HTTP API's scope rule, `Identity.may_view_client`)."""
    clients = await list_clients(ctx.pool, active_only=True, type="direktorat")
    return [c for c in clients if ctx.identity.may_view_client(c)]


# --------------------------------------------------------------------------- open

async def on_open(ctx: HandlerContext) -> dict:
    identity = ctx.identity
    if not identity.is_admin:
        roles = {a.role.lower() for a in identity.dashboard_accounts}
        if not roles or roles <= {"operator"}:
            raise Refused(TEXT_NOT_ALLOWED)
    if not await active_directorates(ctx):
        if await list_clients(ctx.pool, active_only=True, type="direktorat"):
            raise Refused(TEXT_NONE_IN_SCOPE)
        raise Refused(TEXT_NO_DIRECTORATE)
    return {}


# --------------------------------------------------------------------------- choose_client

async def client_prompt(ctx: HandlerContext) -> str:
    clients = await active_directorates(ctx)
    lines = ["Pilih *client direktorat* aktif untuk membuka menu dirrequest:"]
    lines += [f"{i}. {c.id} - {c.name}" for i, c in enumerate(clients, 1)]
    lines += ["", "Balas dengan *angka* atau *Client ID*."]
    return "\n".join(lines)


async def on_client(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    clients = await active_directorates(ctx)
    wanted = text.strip()
    chosen = None
    number = menu_number(wanted, maximum=len(clients))
    if number is not None:
        chosen = clients[number - 1]
    else:
        chosen = next((c for c in clients if c.id.lower() == wanted.lower()), None)
    if chosen is None:
        raise InvalidInput(TEXT_BAD_CLIENT.format(numbers=number_ranges(range(1, len(clients) + 1))))
    ctx.conversation.data["client_id"] = chosen.id
    ctx.goto("main")


# --------------------------------------------------------------------------- main

def render_main_menu(client: Client, actions=ACTIONS) -> str:
    lines = ["📋 *Menu Direktorat*", f"Client: *{client.name}* ({client.id})"]
    for group in GROUPS:
        members = sorted((a for a in actions if a.group == group), key=lambda a: a.number)
        if not members:
            continue
        lines += ["", f"*{group}*"]
        lines += [f"{a.number}. {a.label}" for a in members]
    lines += ["", "Balas dengan *angka* menu."]
    return "\n".join(lines)


async def _selected_client(ctx: HandlerContext) -> Client | None:
    client_id = ctx.conversation.data.get("client_id")
    if not client_id:
        return None
    client = await get_client(ctx.pool, client_id)
    return client if client and client.active and ctx.identity.may_view_client(client) else None


async def main_prompt(ctx: HandlerContext) -> str:
    client = await _selected_client(ctx)
    if client is None:  # shown only in odd states (client deactivated meanwhile)
        return TEXT_CLIENT_GONE
    return render_main_menu(client)


async def run_action(ctx: HandlerContext, action: Action, client: Client, period) -> None:
    await action.run(ctx, client, period)


async def on_main(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    client = await _selected_client(ctx)
    if client is None:
        ctx.conversation.data.pop("client_id", None)
        ctx.conversation.history.clear()
        ctx.goto("choose_client", remember=False)
        await ctx.reply(f"{TEXT_CLIENT_GONE}\n\n{await client_prompt(ctx)}")
        ctx.skip_prompt()
        return
    action = action_by_number(text)
    if action is None:
        raise InvalidInput(TEXT_BAD_OPTION.format(numbers=number_ranges(a.number for a in ACTIONS)))
    if action.periods:
        ctx.conversation.data["action"] = action.id
        ctx.goto("period")
        return
    await run_action(ctx, action, client, None)


# --------------------------------------------------------------------------- period

def _pending(ctx: HandlerContext) -> Action | None:
    return action_by_id(ctx.conversation.data.get("action") or "")


async def period_prompt(ctx: HandlerContext) -> str:
    action = _pending(ctx)
    if action is None:
        return "Pilih periode:"
    lines = [action.period_title or "Pilih periode:"]
    lines += [f"{p.key}. {p.label}" for p in action.periods]
    return "\n".join(lines)


async def on_period(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    action = _pending(ctx)
    client = await _selected_client(ctx)
    if action is None or client is None:
        ctx.goto("main", remember=False)
        return
    picked = next((p for p in action.periods if p.key == text.strip()), None)
    if picked is None:
        raise InvalidInput(f"Pilihan tidak valid. Balas {number_ranges(range(1, len(action.periods) + 1))}.")
    ctx.conversation.data.pop("action", None)
    if ctx.conversation.history and ctx.conversation.history[-1] == "main":
        ctx.conversation.history.pop()
    ctx.goto("main", remember=False)
    await run_action(ctx, action, client, picked.make(ctx.clock.now()))


MENU = Menu(
    id="dirrequest",
    title=MENU_TITLE,
    start="choose_client",
    steps=[
        MenuStep("choose_client", prompt=client_prompt, handle=on_client),
        MenuStep("main", prompt=main_prompt, handle=on_main),
        MenuStep("period", prompt=period_prompt, handle=on_period),
    ],
)

COMMANDS = [
    Command(
        id="dirrequest",
        triggers=("dirrequest",),
        help="menu direktorat: rekap data, absensi, pengambilan data, laporan, monitoring kasatker",
        allowed=frozenset({Role.ADMIN, Role.DASHBOARD}),
        menu=MENU,
        on_open=on_open,
    )
]
