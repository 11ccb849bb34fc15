"""What a chat handler receives, how it replies, and how commands and menus are declared.

This is the contract between the router (`bot/router.py`, which owns
authorisation, sessions and the error boundary; the menu engine is `handlers/menus.py`) and every handler module
(`handlers/admin.py`, `handlers/dirrequest/…`). Handlers never see neonize, the
console or the fake gateway: they get a `HandlerContext` and talk through it.

Writing a handler module
========================

A module exposes `COMMANDS: list[Command]` and is listed once in
`handlers/registry.py`. Two kinds of command exist:

1. **One-shot commands** (`help`, `status`, `fetch DITBINMAS`)::

       async def status(ctx: HandlerContext, args: str) -> None:
           await ctx.reply("Status: ...")

       COMMANDS = [Command(id="status", triggers=("status",), help="status layanan",
                           allowed=ADMIN_ONLY, handler=status)]

   The router matches the first word of the trimmed text case-insensitively
   against `triggers`; the rest of the text is `args` (`"fetch ditbinmas"` →
   `args == "ditbinmas"`). With `takes_args=False` (the default) only the bare
   trigger matches, like the original's whole-text trigger words.

2. **Menus** (`dirrequest`): declare a `Menu` of named `MenuStep`s and a
   command with `menu=` set. The trigger opens the menu at `Menu.start` and the
   router then feeds every later message from that (chat, sender) to the current
   step until the menu closes or times out::

       async def main_choices(ctx):            # may read ctx.conversation.data / the db
           return [Choice("1", "Rekap absensi"), Choice("2", "Ganti client")]

       async def on_main(ctx, choice: Choice | None, text: str):
           if choice.key == "1":
               await ctx.reply(await build_recap(ctx.pool, ctx.conversation.data["client_id"]))
               # staying on the same step after a reply: a one-line hint follows ("ketik *menu* …")
           elif choice.key == "2":
               ctx.goto("choose_client")      # pushes "main" on the back-stack

       MENU = Menu(id="dirrequest", title="Menu Direktorat", start="choose_client", steps=[
           MenuStep("choose_client", prompt="Pilih client:", choices=client_choices, handle=on_client),
           MenuStep("main", prompt=main_prompt, choices=main_choices, handle=on_main),
       ])
       COMMANDS = [Command(id="dirrequest", triggers=("dirrequest",), help="menu direktorat",
                           allowed=frozenset({Role.DASHBOARD, Role.ADMIN}), menu=MENU,
                           on_open=check_has_directorates)]

What the menu engine (`handlers/menus.py`) and the router do for a menu
(so step handlers don't): `batal`, `back`/`kembali`/`0`, re-prompting on an
invalid choice or `InvalidInput("alasan")`, the prompt after each step (see
that module's docstring); and:
  * the state (`menu`, `step`, `data`, back-stack) is saved in PostgreSQL after
    every message, so a conversation survives a restart; `data` must therefore be
    JSON-serialisable (str, int, float, bool, None, lists and dicts of those);
  * an exception inside a handler is caught by the router: the person gets a
    short apology, admins get an error line with chat and message id, and the
    conversation is saved as it was BEFORE the failing message (nothing half-done);
  * the conversation expires after `[whatsapp] conversation_timeout_minutes`
    without a message (sliding); the next message gets a short notice.

Identity and permissions
========================

`ctx.identity` says who is talking: admin numbers from settings, dashboard
accounts (`dashboard_accounts.whatsapp`, active) and client operators
(`clients.operator_phone` / `clients.super_phones`), matched on the normalised
62… number (a LID sender is first resolved to its number by the transport).
`Command.allowed` lists the `Role`s that may use a command; the router refuses
others. Group chats never open menus and only run commands with `in_groups=True`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol, Sequence

import asyncpg

from core.chat_port import ConnectionState, Document, IncomingMessage
from core.clock import Clock
from core.reporting import Reporter
from core.settings import Settings
from handlers.identity import Identity, Role
from jobs.fetch_model import CycleResult
from jobs.queue.model import TaskQueue

if TYPE_CHECKING:  # the menu module builds on this one
    from handlers.menus import Menu

# ---------------------------------------------------------------------------
# Conversation state
# ---------------------------------------------------------------------------


@dataclass
class Conversation:
    """Menu state of one (chat, sender); saved by the router after every message.

    Handlers change it only through the helpers on `HandlerContext`
    (`goto`, `close_menu`, `open_menu`) or by editing `data` in place.
    """

    menu: str | None = None                 # Menu.id, None when no menu is open
    step: str | None = None                 # MenuStep.name inside that menu
    data: dict[str, Any] = field(default_factory=dict)   # JSON-serialisable menu data
    history: list[str] = field(default_factory=list)     # back-stack of step names

    @property
    def active(self) -> bool:
        return self.menu is not None

    def to_json(self) -> dict[str, Any]:
        return {"menu": self.menu, "step": self.step, "data": self.data, "history": list(self.history)}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> "Conversation":
        raw = raw or {}
        return cls(
            menu=raw.get("menu"),
            step=raw.get("step"),
            data=dict(raw.get("data") or {}),
            history=[str(s) for s in (raw.get("history") or [])],
        )

    def copy(self) -> "Conversation":
        return copy.deepcopy(self)


# ---------------------------------------------------------------------------
# Collection runs
# ---------------------------------------------------------------------------


class Collect(Protocol):
    async def __call__(self, client_ids: Sequence[str] | None = None, *, phase: str | None = None,
                       platforms: Sequence[str] | None = None, trigger: str = "admin") -> CycleResult:
        """Run one collection cycle now (`jobs.collect_now.Collector.collect`).

        Raises `jobs.collect_now.CollectionBusy` when a requested run of this
        process is still in flight and this one was not started.
        """
        ...


# ---------------------------------------------------------------------------
# The context
# ---------------------------------------------------------------------------


class Outgoing(Protocol):
    """How the router lets a handler send (implemented over the ChatGateway)."""

    async def text(self, to: str, text: str) -> None: ...

    async def document(self, to: str, document: Document) -> None: ...


class InvalidInput(Exception):
    """Raised by a menu step handler: the input is not acceptable; the text says why (Indonesian)."""


@dataclass
class HandlerContext:
    message: IncomingMessage
    identity: Identity
    settings: Settings
    pool: asyncpg.Pool                      # use the db/ query functions
    clock: Clock
    reporter: Reporter                      # the admin log (info/warning/error)
    conversation: Conversation
    outgoing: Outgoing
    collection: Collect | None = None       # collect now (`fetch`, dirrequest 12–16)
    task_queue: TaskQueue | None = None     # heavy reports go to the workers when it is RabbitMQ
    gateway_status: Callable[[], ConnectionState] | None = None  # transport health for `status`
    group_name: Callable[[str], Awaitable[str | None]] | None = None  # a group's subject (`grup`)
    commands: Sequence["Command"] = ()      # the registry, for `help`
    _prompt_suppressed: bool = False
    _replied: bool = False

    # -- replying ---------------------------------------------------------

    @property
    def chat_id(self) -> str:
        return self.message.chat_id

    async def reply(self, text: str) -> None:
        """Send text to the chat the message came from (long text is split on line boundaries)."""
        self._replied = True
        await self.outgoing.text(self.message.chat_id, text)

    async def send_document(self, document: Document, *, to: str | None = None) -> None:
        """Send a file (e.g. an xlsx recap; see core.chat_port.XLSX_MIMETYPE) to this chat or `to`."""
        self._replied = True
        await self.outgoing.document(to or self.message.chat_id, document)

    # -- conversation -----------------------------------------------------

    def open_menu(self, menu: "Menu", *, step: str | None = None, data: dict[str, Any] | None = None) -> None:
        """Start `menu` at `step` (default `menu.start`) with fresh `data`; its prompt follows."""
        self.conversation.menu = menu.id
        self.conversation.step = step or menu.start
        self.conversation.data = dict(data or {})
        self.conversation.history = []

    def goto(self, step: str, *, remember: bool = True) -> None:
        """Move to another step of the open menu; `back` returns here when `remember`."""
        if self.conversation.step and remember and self.conversation.step != step:
            self.conversation.history.append(self.conversation.step)
        self.conversation.step = step

    def close_menu(self) -> None:
        """Leave the menu (no closing message is sent; reply yourself if you want one)."""
        self.conversation.menu = None
        self.conversation.step = None
        self.conversation.data = {}
        self.conversation.history = []

    def skip_prompt(self) -> None:
        """Don't re-send the current step's prompt after this handler returns."""
        self._prompt_suppressed = True

    @property
    def prompt_suppressed(self) -> bool:
        return self._prompt_suppressed

    @property
    def replied(self) -> bool:
        """Whether this turn has sent anything yet (the menu engine then sends a hint, not the whole menu)."""
        return self._replied

    # -- jobs ---------------------------------------------------------------

    async def start_collection(self, client_id: str | None = None, *, phase: str | None = None,
                               platforms: Sequence[str] | None = None) -> CycleResult:
        """Run a collection cycle now; see `Collect`. Raises RuntimeError if not wired."""
        if self.collection is None:
            raise RuntimeError("collection runs are not available in this process")
        return await self.collection([client_id] if client_id else None, phase=phase, platforms=platforms)


# ---------------------------------------------------------------------------
# Declarations: commands and menus
# ---------------------------------------------------------------------------

CommandHandler = Callable[[HandlerContext, str], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    id: str                                 # stable id, e.g. "status", "dirrequest"
    triggers: tuple[str, ...]               # lower-case trigger words
    help: str                               # one line of Indonesian help text
    allowed: frozenset[Role]                # who may use it
    handler: CommandHandler | None = None   # one-shot command; or
    menu: Menu | None = None                # a menu opened by the trigger
    on_open: Callable[[HandlerContext], Awaitable[dict[str, Any] | None]] | None = None
    # ^ for menus: runs before the menu opens; return initial `data`, or raise
    #   `Refused("pesan")` to refuse with that message (menu stays closed).
    takes_args: bool = False                # "fetch DITBINMAS": first word is the trigger
    in_groups: bool = False                 # may run in a group chat (menus never do)
    usage: str = ""                         # e.g. "fetch [CLIENT]" for help; default: first trigger
    hidden: bool = False                    # not listed by `help`

    def __post_init__(self) -> None:
        if (self.handler is None) == (self.menu is None):
            raise ValueError(f"command {self.id}: set exactly one of handler= or menu=")
        object.__setattr__(self, "triggers", tuple(t.strip().lower() for t in self.triggers))


class Refused(Exception):
    """Raised by `Command.on_open` (or any handler) to refuse politely; the message is sent as is."""
