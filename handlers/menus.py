"""Menus: how a numbered conversation is declared (`Menu`, `MenuStep`, `Choice`) and run.

The router opens a menu when its command's trigger arrives (`open_menu`) and
feeds every later message of that (chat, sender) to `menu_input` until the
menu closes or times out. What the engine does, so step handlers don't:

* `batal` closes the menu: "✅ <title> ditutup.";
* `back` / `kembali` / `0` pops the back-stack and re-prompts the previous step;
* `menu` sends the current step's whole prompt again;
* for a step with `choices`, input that is not one of the keys gets ONE short
  line with the valid range ("Pilihan tidak valid. Balas 1–4 …"), not the
  whole list again — `handle` only ever gets a valid `Choice`; a free-text
  step (`choices=None`) gets `(None, text)` and may raise
  `InvalidInput("alasan")`: the person gets that reason and the one-line hint;
* after `handle`, if the menu is still open (and the handler did not call
  `ctx.skip_prompt()`): when the handler replied (a report, a file, a
  confirmation) the one-line hint `TEXT_HINT` follows instead of the whole
  menu, which on a phone is a screen of scrolling after every report; when it
  did not reply (it moved to the next question), that step's prompt follows.
  A step that wants its prompt again after each reply sets
  `MenuStep(after_reply="prompt")`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Sequence

from handlers.context import HandlerContext, InvalidInput, Refused

TEXT_CLOSED = "✅ {title} ditutup."
TEXT_INVALID = "Pilihan tidak valid."
TEXT_MENU_LOST = "⚠️ Sesi menu tidak dikenali dan sudah ditutup. Silakan mulai lagi."
TEXT_FOOTER = "Ketik *back* untuk kembali atau *batal* untuk keluar."
TEXT_HINT = "Ketik *menu* untuk daftar pilihan, *batal* untuk keluar."

# Words the engine reserves inside menus.
CANCEL_WORDS = frozenset({"batal"})
BACK_WORDS = frozenset({"back", "kembali", "0"})
MENU_WORDS = frozenset({"menu"})
MAX_KEYS_SHOWN = 8

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


def number_ranges(numbers) -> str:
    """[1, 3, 5, 6, 7, 30] → '1, 3, 5–7, 30' (the valid range of a menu, on one line)."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


def valid_choices_text(choices: Sequence["Choice"]) -> str:
    """'Balas 1–4' for numbered choices, 'Balas DITBINMAS, DITLANTAS' otherwise."""
    keys = [c.key for c in choices]
    if keys and all(k.isascii() and k.isdecimal() for k in keys):
        return f"Balas {number_ranges(int(k) for k in keys)}"
    shown = ", ".join(keys[:MAX_KEYS_SHOWN]) + (", …" if len(keys) > MAX_KEYS_SHOWN else "")
    return f"Balas {shown}"


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
    after_reply: str = "hint"               # after a handler that replied: "hint" (one line) or "prompt"


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
    lowered = text.strip().lower()
    if lowered in CANCEL_WORDS:
        ctx.close_menu()
        await ctx.reply(TEXT_CLOSED.format(title=menu.title))
        return
    if lowered in BACK_WORDS:
        if conv.history:
            conv.step = conv.history.pop()
        await prompt_current(ctx, menu)
        return
    if lowered in MENU_WORDS:
        await prompt_current(ctx, menu)
        return
    choice: Choice | None = None
    if step.choices is not None:
        choices = list(await step.choices(ctx))
        choice = next((c for c in choices if c.matches(text)), None)
        if choice is None:
            await ctx.reply(f"{TEXT_INVALID} {valid_choices_text(choices)}, *menu* untuk daftar pilihan, "
                            "atau *batal* untuk keluar.")
            return
    try:
        await step.handle(ctx, choice, text)
    except InvalidInput as exc:
        if step.after_reply == "prompt":  # an input step: ask again, with the reason
            await prompt_current(ctx, menu, prefix=str(exc) or TEXT_INVALID)
        else:
            await ctx.reply(f"{str(exc) or TEXT_INVALID}\n{TEXT_HINT}")
        return
    except Refused as exc:
        await ctx.reply(str(exc))
        return
    if conv.active and not ctx.prompt_suppressed:
        current = menus.get(conv.menu or "") or menu
        now_at = current.step(conv.step)
        if ctx.replied and (now_at is None or now_at.after_reply != "prompt"):
            await ctx.reply(TEXT_HINT)
        else:
            await prompt_current(ctx, current)
