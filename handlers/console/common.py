"""What every admin-console module shares: picking a client in scope, yes/no answers, times, short values."""

from __future__ import annotations

from datetime import datetime
from typing import Awaitable, Callable, TypeVar

from db.clients import Client, get_client, list_clients
from handlers.context import HandlerContext, InvalidInput, Refused
from handlers.menus import Choice, MenuStep, menu_number

YES_WORDS = frozenset({"ya", "y", "yes", "iya"})
NO_WORDS = frozenset({"tidak", "t", "no", "n", "tdk"})
CLEAR_WORD = "-"
MAX_LIST_LINES = 40

TEXT_OUT_OF_SCOPE = "❌ Client *{client_id}* di luar kewenangan Anda."
TEXT_NO_CLIENT = "❌ Client *{client_id}* tidak ditemukan."
TEXT_YES_NO = "Balas *ya* atau *tidak*."

T = TypeVar("T")


def parsed(parse: Callable[[str], T], text: str, *errors: type[Exception]) -> T:
    """`parse(text)`; the listed errors become InvalidInput with their message (the person sees why)."""
    try:
        return parse(text)
    except errors as exc:
        raise InvalidInput(f"❌ {exc}") from None


def back_to_main(ctx: HandlerContext) -> None:
    """Forget the menu's answers and return to its `main` step (nothing to go back to)."""
    ctx.conversation.data.clear()
    ctx.conversation.history.clear()
    ctx.goto("main", remember=False)


def is_yes(text: str) -> bool:
    return text.strip().lower() in YES_WORDS


def is_no(text: str) -> bool:
    return text.strip().lower() in NO_WORDS


def yes_or_no(text: str) -> bool:
    """True for ya, False for tidak; InvalidInput otherwise."""
    if is_yes(text):
        return True
    if is_no(text):
        return False
    raise InvalidInput(TEXT_YES_NO)


def optional(text: str) -> str | None:
    """A step's answer where `-` means "empty"."""
    text = text.strip()
    return None if text in ("", CLEAR_WORD) else text


def shown(value: object) -> str:
    """A stored value as the console shows it (`-` for empty)."""
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def when(moment: datetime, ctx: HandlerContext) -> str:
    """`17/02 pukul 08.05 WIB` in the bot's time zone."""
    local = moment.astimezone(ctx.clock.tz)
    return f"{local.strftime('%d/%m')} pukul {local.strftime('%H.%M')} WIB"


def capped(lines: list[str], limit: int = MAX_LIST_LINES) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"… dan {len(lines) - limit} lainnya"]


async def clients_in_scope(ctx: HandlerContext) -> list[Client]:
    """Every client for an admin; a super-admin's own clients only."""
    scope = ctx.identity.manageable_client_ids
    return [c for c in await list_clients(ctx.pool) if scope is None or c.id in scope]


async def client_in_scope(ctx: HandlerContext, raw: str) -> Client:
    """The client named by `raw` (an id) if this person may manage it; Refused with the reason otherwise."""
    client_id = raw.strip().upper()[:64]
    if not ctx.identity.may_manage(client_id):
        raise Refused(TEXT_OUT_OF_SCOPE.format(client_id=client_id))
    client = await get_client(ctx.pool, client_id)
    if client is None:
        raise Refused(TEXT_NO_CLIENT.format(client_id=client_id))
    return client


def client_list_prompt(title: str, clients: list[Client]) -> str:
    lines = [title, ""]
    lines += [f"{i}. {c.id} — {c.name}{'' if c.active else ' (nonaktif)'}" for i, c in enumerate(clients, 1)]
    lines += ["", "Balas dengan *angka* atau *ID client*."]
    return "\n".join(lines)


async def picked_client(ctx: HandlerContext, text: str) -> Client:
    """A client chosen from `clients_in_scope` by number or id; InvalidInput for anything else."""
    clients = await clients_in_scope(ctx)
    number = menu_number(text, maximum=len(clients))
    if number is not None:
        return clients[number - 1]
    chosen = next((c for c in clients if c.id.lower() == text.strip().lower()), None)
    if chosen is None:
        raise InvalidInput("❌ Client tidak ada di daftar. Balas dengan angka atau ID client.")
    return chosen


def client_pick_step(next_steps: dict[str, str], show: Callable[[HandlerContext, Client], Awaitable[str]]) -> MenuStep:
    """The "pick" step of a console section: choose a client in scope, then go to the step named for the
    section's chosen action (`conversation.data["next"]`), or else reply `show(ctx, client)` and return
    to the section's main menu."""

    async def prompt(ctx: HandlerContext) -> str:
        return client_list_prompt("Pilih client:", await clients_in_scope(ctx))

    async def handle(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
        client = await picked_client(ctx, text)
        ctx.conversation.data["client_id"] = client.id
        step = next_steps.get(ctx.conversation.data.get("next"))
        if step:
            ctx.goto(step)
        else:
            await ctx.reply(await show(ctx, client))
            back_to_main(ctx)

    return MenuStep("pick", prompt=prompt, handle=handle, after_reply="prompt")
