"""Menus: how a numbered conversation is declared (`Menu`, `MenuStep`, `Choice`) and run.

The router opens a menu when its command's trigger arrives (`open_menu`) and
feeds every later message of that (chat, sender) to `menu_input` until the
menu closes or times out. What the engine does, so step handlers don't:

* `batal` closes the menu: "✅ <title> ditutup.";
* `back` / `kembali` / `0` pops the back-stack and re-prompts the previous step;
* for a step with `choices`, input that is not one of the keys re-prompts with
  "Pilihan tidak valid." and the valid choices — `handle` only ever gets a
  valid `Choice`; a free-text step (`choices=None`) gets `(None, text)` and may
  raise `InvalidInput("alasan")` to re-prompt with that reason;
* after `handle`, if the menu is still open, the prompt of the current step is
  sent (unless the handler called `ctx.skip_prompt()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Sequence

from handlers.context import HandlerContext, InvalidInput, Refused

TEXT_CLOSED = "✅ {title} ditutup."
TEXT_INVALID = "Pilihan tidak valid."
TEXT_MENU_LOST = "⚠️ Sesi menu tidak dikenali dan sudah ditutup. Silakan mulai lagi."
TEXT_FOOTER = "Ketik *back* untuk kembali atau *batal* untuk keluar."

# Words the engine reserves inside menus.
CANCEL_WORDS = frozenset({"batal"})
BACK_WORDS = frozenset({"back", "kembali", "0"})

PromptSource = str | Callable[[HandlerContext], Awaitable[str]]
MAX_NUMBER_DIGITS = 6


def menu_number(text: str, *, maximum: int | None = None) -> int | None:
    """The number a person typed at a menu step, or None when it is not one.

    Only ASCII digits count (`str.isdecimal()` alone accepts `٣` and friends, and
    `int("³")` raises), at most MAX_NUMBER_DIGITS of them (no 5,000-digit
    integers), and when `maximum` is given the number must be 1..maximum.
    """
    text = text.strip()
    if not text or len(text) > MAX_NUMBER_DIGITS or not (text.isascii() and text.isdecimal()):
        return None
    number = int(text)
    if maximum is not None and not 1 <= number <= maximum:
        return None
    return number


@dataclass(frozen=True)
class Choice:
    key: str                                # what the person types ("1", "2", "DITBINMAS")
    label: str                              # shown after the key in the prompt
    value: Any = None                       # anything the handler wants back (e.g. a client id)

    def matches(self, text: str) -> bool:
        return text.strip().lower() == self.key.strip().lower()


StepHandler = Callable[[HandlerContext, "Choice | None", str], Awaitable[None]]
ChoiceSource = Callable[[HandlerContext], Awaitable[Sequence[Choice]]]


@dataclass(frozen=True)
class MenuStep:
    name: str
    prompt: PromptSource                    # header text (or async fn of ctx) shown above the choices
    handle: StepHandler                     # called with a valid Choice, or (None, text) for free text
    choices: ChoiceSource | None = None     # None = free-text step
    footer: bool = True                     # append "ketik back / batal" hint


@dataclass(frozen=True)
class Menu:
    id: str                                 # stored in the conversation; stable across releases
    title: str                              # "Menu Direktorat" → "✅ Menu Direktorat ditutup."
    start: str                              # first step
    steps: tuple[MenuStep, ...] | list[MenuStep]

    def step(self, name: str | None) -> MenuStep | None:
        for s in self.steps:
            if s.name == name:
                return s
        return None


async def render_prompt(ctx: HandlerContext, step: MenuStep, *, prefix: str = "",
                        choices: list[Choice] | None = None) -> str:
    """The text of a menu step: optional prefix, header, numbered choices, footer."""
    header = step.prompt if isinstance(step.prompt, str) else await step.prompt(ctx)
    if choices is None and step.choices is not None:
        choices = list(await step.choices(ctx))
    parts = [prefix] if prefix else []
    parts.append(header)
    if choices:
        parts.append("\n".join(f"{c.key}. {c.label}" for c in choices))
    if step.footer:
        parts.append(TEXT_FOOTER)
    return "\n\n".join(p for p in parts if p)


async def prompt_current(ctx: HandlerContext, menu: Menu, *, prefix: str = "",
                         choices: list[Choice] | None = None) -> None:
    step = menu.step(ctx.conversation.step)
    if step is None:
        ctx.close_menu()
        await ctx.reply(TEXT_MENU_LOST)
        return
    await ctx.reply(await render_prompt(ctx, step, prefix=prefix, choices=choices))


async def open_menu(ctx: HandlerContext, menu: Menu,
                    on_open: Callable[[HandlerContext], Awaitable[dict[str, Any] | None]] | None) -> None:
    """Open `menu` at its first step (after `on_open`, which may refuse) and prompt it."""
    data = await on_open(ctx) if on_open else None
    ctx.open_menu(menu, data=data or {})
    if not ctx.prompt_suppressed:
        await prompt_current(ctx, menu)


async def menu_input(ctx: HandlerContext, menus: dict[str, Menu], text: str) -> None:
    """One message inside the open menu (see the module docstring)."""
    conv = ctx.conversation
    menu = menus.get(conv.menu or "")
    step = menu.step(conv.step) if menu else None
    if menu is None or step is None:
        ctx.close_menu()
        await ctx.reply(TEXT_MENU_LOST)
        return
    lowered = text.lower()
    if lowered in CANCEL_WORDS:
        ctx.close_menu()
        await ctx.reply(TEXT_CLOSED.format(title=menu.title))
        return
    if lowered in BACK_WORDS:
        if conv.history:
            conv.step = conv.history.pop()
        await prompt_current(ctx, menu)
        return
    choice: Choice | None = None
    if step.choices is not None:
        choices = list(await step.choices(ctx))
        choice = next((c for c in choices if c.matches(text)), None)
        if choice is None:
            await prompt_current(ctx, menu, prefix=TEXT_INVALID, choices=choices)
            return
    try:
        await step.handle(ctx, choice, text)
    except InvalidInput as exc:
        await prompt_current(ctx, menu, prefix=str(exc) or TEXT_INVALID)
        return
    except Refused as exc:
        await ctx.reply(str(exc))
        return
    if conv.active and not ctx.prompt_suppressed:
        await prompt_current(ctx, menus.get(conv.menu or "") or menu)
