"""What every personnel step needs: who is talking (their row and client), the audit actor, opening a menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.audit import Actor
from db.clients import Client, get_client
from db.personnel import Personnel, get_personnel
from handlers.context import HandlerContext, Refused
from handlers.menus import Menu, prompt_current

TEXT_NOT_PERSONNEL = ("⚠️ Nomor ini tidak terhubung dengan personel aktif. "
                      "Ketik *daftar* untuk menautkan nomor ini dengan NRP Anda.")


@dataclass(frozen=True)
class Me:
    person: Personnel
    client: Client


def actor(ctx: HandlerContext) -> Actor:
    """Who made a change from this chat: the sender's number, over WhatsApp."""
    return Actor(ctx.identity.phone or ctx.identity.label, "whatsapp")


async def load_me(ctx: HandlerContext) -> Me | None:
    """The active person this number belongs to (resolved for this very message), with their client."""
    nrp = ctx.identity.personnel_nrp
    person = await get_personnel(ctx.pool, nrp) if nrp else None
    client = await get_client(ctx.pool, person.client_id) if person else None
    if person is None or not person.active or client is None or not client.active:
        return None
    return Me(person, client)


async def require_me(ctx: HandlerContext) -> Me:
    """`load_me`, or close the menu with a notice (the number lost its person since the menu opened)."""
    me = await load_me(ctx)
    if me is None:
        ctx.close_menu()
        raise Refused(TEXT_NOT_PERSONNEL)
    return me


async def open_menu_at(ctx: HandlerContext, menu: Menu, *, step: str | None = None,
                       data: dict[str, Any] | None = None) -> None:
    """Open `menu` at `step` with `data` and send its prompt (a command that picks where a menu starts)."""
    ctx.open_menu(menu, step=step, data=data)
    await prompt_current(ctx, menu)


def display_name(person: Personnel) -> str:
    return f"{person.rank} {person.name}".strip() if person.rank else person.name


# The personnel menu's options, numbered once (the menu and every hint that names an option use these).
OPTION_PROFILE, OPTION_TASKS, OPTION_INSTAGRAM, OPTION_TIKTOK, OPTION_WHATSAPP, OPTION_REMINDERS = range(1, 7)
