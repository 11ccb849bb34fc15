"""What a chat handler receives, how it replies, and how commands and menus are declared.

This is the contract between the router (`bot/router.py`, which owns transport,
authorisation, sessions and the error boundary) and every handler module
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
               # staying on the same step: the router re-sends the main menu afterwards
           elif choice.key == "2":
               ctx.goto("choose_client")      # pushes "main" on the back-stack

       MENU = Menu(id="dirrequest", title="Menu Direktorat", start="choose_client", steps=[
           MenuStep("choose_client", prompt="Pilih client:", choices=client_choices, handle=on_client),
           MenuStep("main", prompt=main_prompt, choices=main_choices, handle=on_main),
       ])
       COMMANDS = [Command(id="dirrequest", triggers=("dirrequest",), help="menu direktorat",
                           allowed=frozenset({Role.DASHBOARD, Role.ADMIN}), menu=MENU,
                           on_open=check_has_directorates)]

What the router does for a menu (so step handlers don't):
  * `batal` (any case) closes the menu: "✅ <title> ditutup.";
  * `back` / `kembali` / `0` pops the back-stack and re-prompts the previous step
    (at the first step it just re-prompts it);
  * for a step with `choices`, input that is not one of the choice keys gets
    "Pilihan tidak valid…" plus the prompt with the valid choices again — the
    step's `handle` is only called with a valid `Choice`;
  * for a free-text step (`choices=None`) `handle(ctx, None, text)` is called;
    raise `InvalidInput("alasan")` to re-prompt with that reason;
  * after `handle` returns, if the menu is still open, the prompt of the
    CURRENT step (the one `goto` moved to, or the same one) is sent, unless the
    handler called `ctx.skip_prompt()`;
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

import enum
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Protocol, Sequence

from core.settings import Settings
from core.chat_port import ConnectionState, Document, IncomingMessage
from core.clock import Clock
from core.reporting import Reporter

# ---------------------------------------------------------------------------
# Who is talking
# ---------------------------------------------------------------------------


class Role(str, enum.Enum):
    ADMIN = "admin"            # a number in [whatsapp] admins
    OPERATOR = "operator"      # clients.operator_phone or one of clients.super_phones
    DASHBOARD = "dashboard"    # an active dashboard_accounts row with this whatsapp number


ADMIN_ONLY = frozenset({Role.ADMIN})
ANY_KNOWN = frozenset({Role.ADMIN, Role.OPERATOR, Role.DASHBOARD})


@dataclass(frozen=True)
class DashboardAccount:
    id: int
    username: str
    role: str                               # dashboard role: admin, operator, ditbinmas, …
    client_ids: tuple[str, ...] = ()        # from dashboard_account_clients


@dataclass(frozen=True)
class Identity:
    """The resolved sender. `roles` is empty for an unknown number."""

    phone: str | None                       # 62… digits, None when only a LID is known
    lid: str | None                         # "…@lid" when known
    roles: frozenset[Role] = frozenset()
    dashboard_accounts: tuple[DashboardAccount, ...] = ()   # active accounts with this number
    operator_client_ids: tuple[str, ...] = ()               # clients this number operates (operator or super)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_operator(self) -> bool:
        return Role.OPERATOR in self.roles

    @property
    def is_dashboard(self) -> bool:
        return Role.DASHBOARD in self.roles

    @property
    def known(self) -> bool:
        return bool(self.roles)

    def may(self, allowed: frozenset[Role]) -> bool:
        return bool(self.roles & allowed)


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
        import copy

        return copy.deepcopy(self)


# ---------------------------------------------------------------------------
# Collection runs
# ---------------------------------------------------------------------------


class CollectionBusy(Exception):
    """A collection run is already in flight; the request was queued or refused (see message)."""


class CollectionStarter(Protocol):
    async def __call__(self, client_id: str | None = None) -> Any:
        """Run one collection cycle now (trigger "admin"), optionally for one client.

        Returns the result of `jobs.fetch.run_cycle` (a run summary); raises
        `CollectionBusy` when a run is already in progress and this one was not started.
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
    pool: Any                               # asyncpg.Pool (use the db/ query functions)
    clock: Clock
    reporter: Reporter                      # the admin log (info/warning/error)
    conversation: Conversation
    outgoing: Outgoing
    collection: CollectionStarter | None = None
    gateway_status: Callable[[], ConnectionState] | None = None  # transport health for `status`
    commands: Sequence["Command"] = ()      # the registry, for `help`
    _prompt_suppressed: bool = False
    _sent: int = 0

    # -- replying ---------------------------------------------------------

    @property
    def chat_id(self) -> str:
        return self.message.chat_id

    async def reply(self, text: str) -> None:
        """Send text to the chat the message came from (long text is split on line boundaries)."""
        self._sent += 1
        await self.outgoing.text(self.message.chat_id, text)

    async def send_document(self, document: Document, *, to: str | None = None) -> None:
        """Send a file (e.g. an xlsx recap; see port.XLSX_MIMETYPE) to this chat or `to`."""
        self._sent += 1
        await self.outgoing.document(to or self.message.chat_id, document)

    async def send_text_to(self, to: str, text: str) -> None:
        """Send text to another chat (a 62… number or a …@g.us group)."""
        self._sent += 1
        await self.outgoing.text(to, text)

    @property
    def replied(self) -> bool:
        return self._sent > 0

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

    # -- jobs ---------------------------------------------------------------

    async def start_collection(self, client_id: str | None = None) -> Any:
        """Run a collection cycle now; see `CollectionStarter`. Raises RuntimeError if not wired."""
        if self.collection is None:
            raise RuntimeError("collection runs are not available in this process")
        return await self.collection(client_id)


# ---------------------------------------------------------------------------
# Declarations: commands and menus
# ---------------------------------------------------------------------------

CommandHandler = Callable[[HandlerContext, str], Awaitable[None]]
PromptSource = str | Callable[[HandlerContext], Awaitable[str]]


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


# Words the router reserves inside menus.
CANCEL_WORDS = frozenset({"batal"})
BACK_WORDS = frozenset({"back", "kembali", "0"})
