"""A greeting (`menu`, `halo`, `selamat pagi`…) opens the sender's own menu.

Operators get the operator menu, personnel the personnel menu, an unregistered
number the binding by NRP; admins and dashboard users get the command list.
"""

from __future__ import annotations

from handlers.admin import help_command
from handlers.context import Command, HandlerContext
from handlers.identity import Role
from handlers.operator.menu import open_operator_menu
from handlers.operator.scope import operated_client_ids
from handlers.personnel.menu import open_personnel_menu

GREETINGS = ("menu", "halo", "hallo", "hai", "hi", "hello", "assalamualaikum", "selamat", "pagi", "siang", "sore",
             "malam")


async def greeting(ctx: HandlerContext, args: str) -> None:
    identity = ctx.identity
    if operated_client_ids(identity):
        await open_operator_menu(ctx)
    elif identity.is_personnel or Role.UNREGISTERED in identity.roles:
        await open_personnel_menu(ctx)
    else:
        await help_command(ctx, args)


COMMANDS = [
    Command(id="greeting", triggers=GREETINGS, usage="menu", help="buka menu Anda", handler=greeting,
            allowed=frozenset(Role), takes_args=True),
]
