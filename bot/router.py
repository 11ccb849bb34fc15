"""IncomingMessage → the right handler: dedup, authorisation, menus, error boundary.

Order for every message (`Router.handle`, which returns an `Outcome` naming
what it did, so tests can tell a reply from a deliberate silence):

1. duplicate message id (per chat) → silence;
2. empty text (a sticker, a photo without caption) → silence;
3. resolve the sender (phone, or LID → phone through the gateway) to an
   `Identity`: admin numbers from settings, active dashboard accounts with that
   WhatsApp number, client operators/super admins with that number;
4. group chat: menus never open; only commands marked `in_groups` from a known
   sender run; everything else is silence (no refusals in groups);
5. unknown sender in a private chat → ONE refusal per sender per
   `REFUSAL_REPEAT` (one hour, kept in memory: a restart may repeat it once),
   plus an audit line on the `cicero.audit` logger for every message;
6. open menu → `batal` closes it, `back`/`kembali`/`0` goes up one step, a
   valid choice (or free text) goes to the step handler, anything else
   re-prompts with the valid choices;
7. otherwise the command whose trigger is the first word (case-insensitive);
   not allowed → a refusal naming the command; no match → a hint to type `help`.

Error boundary: any exception in steps 6–7 → a short Indonesian apology, an
admin-log error with the chat and message id, and the conversation restored to
its state before the message. Messages of one (chat, sender) are processed one
at a time, in arrival order.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Sequence

from bot.sessions import SessionStore
from core.settings import Settings
from core.chat_port import ChatGateway, ConnectionState, Document, IncomingMessage
from db.chat_identity import active_dashboard_accounts_by_whatsapp, client_ids_operated_by
from core.formats import FormatError, normalize_phone
from handlers.context import (
    BACK_WORDS,
    CANCEL_WORDS,
    Choice,
    CollectionStarter,
    Command,
    Conversation,
    DashboardAccount,
    HandlerContext,
    Identity,
    InvalidInput,
    Menu,
    MenuStep,
    Refused,
    Role,
)
from handlers.registry import all_menus
from core.clock import Clock
from core.reporting import Reporter

log = logging.getLogger(__name__)
audit = logging.getLogger("cicero.audit")

REFUSAL_REPEAT = timedelta(hours=1)
DEDUP_CAPACITY = 5000

TEXT_REFUSAL = (
    "❌ Maaf, nomor Anda tidak terdaftar sebagai admin, operator, atau pengguna dashboard Cicero. "
    "Hubungi admin jika Anda memerlukan akses."
)
TEXT_NOT_ALLOWED = "❌ Anda tidak memiliki akses ke perintah *{trigger}*."
TEXT_UNKNOWN = "🤖 Perintah tidak dikenali. Ketik *help* untuk melihat daftar perintah."
TEXT_APOLOGY = "⚠️ Maaf, terjadi kesalahan saat memproses pesan Anda. Admin sudah diberi tahu; silakan coba lagi."
TEXT_EXPIRED = "⌛ Sesi menu sebelumnya berakhir karena tidak ada balasan selama {minutes} menit."
TEXT_EXPIRED_HINT = "Ketik *help* untuk melihat perintah atau ulangi perintah menu untuk memulai lagi."
TEXT_CLOSED = "✅ {title} ditutup."
TEXT_INVALID = "Pilihan tidak valid."
TEXT_MENU_LOST = "⚠️ Sesi menu tidak dikenali dan sudah ditutup. Silakan mulai lagi."
TEXT_FOOTER = "Ketik *back* untuk kembali atau *batal* untuk keluar."


class Outcome(str, enum.Enum):
    REPLIED = "replied"
    DUPLICATE = "silent:duplicate"
    EMPTY = "silent:empty"
    GROUP = "silent:group"
    REFUSED = "refused"
    REFUSED_RECENTLY = "silent:refused-recently"
    ERROR = "error"
    NO_REPLY = "silent:handler-sent-nothing"

    @property
    def silent(self) -> bool:
        return self.value.startswith("silent:")


def split_message(text: str, limit: int) -> list[str]:
    """Split `text` into chunks of at most `limit` characters, on line boundaries when possible."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one line longer than the limit: hard split
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [text[:limit]]


@dataclass
class GatewayOutgoing:
    """`handlers.context.Outgoing` over a ChatGateway, splitting long texts."""

    gateway: ChatGateway
    max_chars: int
    sent: int = 0

    async def text(self, to: str, text: str) -> None:
        for chunk in split_message(text, self.max_chars):
            await self.gateway.send_text(to, chunk)
            self.sent += 1

    async def document(self, to: str, document: Document) -> None:
        await self.gateway.send_document(to, document)
        self.sent += 1


@dataclass
class _Dedup:
    capacity: int = DEDUP_CAPACITY
    seen: OrderedDict = field(default_factory=OrderedDict)

    def first_time(self, key: tuple[str, str]) -> bool:
        if key in self.seen:
            self.seen.move_to_end(key)
            return False
        self.seen[key] = True
        if len(self.seen) > self.capacity:
            self.seen.popitem(last=False)
        return True


@dataclass
class Router:
    settings: Settings
    pool: Any
    clock: Clock
    reporter: Reporter
    gateway: ChatGateway
    commands: Sequence[Command]
    collection: CollectionStarter | None = None
    refusal_repeat: timedelta = REFUSAL_REPEAT

    def __post_init__(self) -> None:
        self.sessions = SessionStore(
            self.pool, self.clock, timedelta(minutes=self.settings.whatsapp.conversation_timeout_minutes)
        )
        self.menus: dict[str, Menu] = all_menus(list(self.commands))
        self._triggers: dict[str, Command] = {t: c for c in self.commands for t in c.triggers}
        self._dedup = _Dedup()
        self._refused_at: dict[str, datetime] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._lock_users: dict[str, int] = {}

    # -- entry point ----------------------------------------------------------

    async def handle(self, msg: IncomingMessage) -> Outcome:
        """Process one message completely (replies included); never raises."""
        try:
            if not self._dedup.first_time((msg.chat_id, msg.message_id)):
                return Outcome.DUPLICATE
            if not (msg.text or "").strip():
                return Outcome.EMPTY
            key = f"{msg.chat_id}|{msg.sender_key}"
            async with self._lock_for(key):
                return await self._handle_locked(msg)
        except Exception as exc:  # last resort: even identity lookup or the apology failed
            log.exception("router failure on %s/%s", msg.chat_id, msg.message_id)
            await self._report_error(msg, exc)
            return Outcome.ERROR

    # -- internals ----------------------------------------------------------------

    class _LockCtx:
        def __init__(self, router: "Router", key: str):
            self.router, self.key = router, key

        async def __aenter__(self):
            r = self.router
            lock = r._locks.setdefault(self.key, asyncio.Lock())
            r._lock_users[self.key] = r._lock_users.get(self.key, 0) + 1
            await lock.acquire()
            return lock

        async def __aexit__(self, *exc):
            r = self.router
            r._locks[self.key].release()
            r._lock_users[self.key] -= 1
            if r._lock_users[self.key] == 0:
                del r._lock_users[self.key]
                del r._locks[self.key]
            return False

    def _lock_for(self, key: str) -> "_LockCtx":
        return Router._LockCtx(self, key)

    async def _handle_locked(self, msg: IncomingMessage) -> Outcome:
        identity = await self.resolve_identity(msg)
        text = msg.text.strip()
        if msg.is_group:
            return await self._handle_group(msg, identity, text)
        if not identity.known:
            return await self._refuse_unknown(msg, identity)

        sender = identity.phone or msg.sender_key
        loaded = await self.sessions.load(msg.chat_id, sender)
        conversation = loaded.conversation
        before = conversation.copy()
        outgoing = GatewayOutgoing(self.gateway, self.settings.whatsapp.max_message_chars)
        ctx = self._context(msg, identity, conversation, outgoing)
        try:
            if loaded.expired:
                minutes = self.settings.whatsapp.conversation_timeout_minutes
                command = self._match(text)
                if command is None:
                    await ctx.reply(f"{TEXT_EXPIRED.format(minutes=minutes)}\n{TEXT_EXPIRED_HINT}")
                    return Outcome.REPLIED
                await ctx.reply(TEXT_EXPIRED.format(minutes=minutes))
            if conversation.active:
                await self._menu_input(ctx, text)
            else:
                await self._command(ctx, text)
            await self.sessions.save(msg.chat_id, sender, ctx.conversation)
        except Exception as exc:
            log.exception("handler failure on %s/%s", msg.chat_id, msg.message_id)
            await self._report_error(msg, exc)
            try:
                await self.sessions.save(msg.chat_id, sender, before)
            except Exception:
                log.exception("could not restore the conversation of %s", msg.chat_id)
            try:
                await self.gateway.send_text(msg.chat_id, TEXT_APOLOGY)
            except Exception:
                log.exception("could not send the apology to %s", msg.chat_id)
            return Outcome.ERROR
        return Outcome.REPLIED if outgoing.sent else Outcome.NO_REPLY

    def _context(self, msg: IncomingMessage, identity: Identity, conversation: Conversation,
                 outgoing: GatewayOutgoing) -> HandlerContext:
        state = getattr(self.gateway, "connection_state", None)
        return HandlerContext(
            message=msg,
            identity=identity,
            settings=self.settings,
            pool=self.pool,
            clock=self.clock,
            reporter=self.reporter,
            conversation=conversation,
            outgoing=outgoing,
            collection=self.collection,
            gateway_status=state if callable(state) else (lambda: ConnectionState(connected=self.gateway.is_connected())),
            commands=tuple(self.commands),
        )

    async def _handle_group(self, msg: IncomingMessage, identity: Identity, text: str) -> Outcome:
        command = self._match(text)
        if command is None or not command.in_groups or command.menu is not None or not identity.may(command.allowed):
            return Outcome.GROUP
        outgoing = GatewayOutgoing(self.gateway, self.settings.whatsapp.max_message_chars)
        ctx = self._context(msg, identity, Conversation(), outgoing)
        try:
            await command.handler(ctx, self._args(text))
        except Refused as exc:
            await ctx.reply(str(exc))
        except Exception as exc:
            log.exception("group handler failure on %s/%s", msg.chat_id, msg.message_id)
            await self._report_error(msg, exc)
            try:
                await self.gateway.send_text(msg.chat_id, TEXT_APOLOGY)
            except Exception:
                log.exception("could not send the apology to %s", msg.chat_id)
            return Outcome.ERROR
        return Outcome.REPLIED if outgoing.sent else Outcome.NO_REPLY

    async def _refuse_unknown(self, msg: IncomingMessage, identity: Identity) -> Outcome:
        who = identity.phone or identity.lid or msg.chat_id
        audit.warning("refused unknown sender %s (chat %s, message %s): %r", who, msg.chat_id, msg.message_id,
                      msg.text[:80])
        now = self.clock.now()
        last = self._refused_at.get(who)
        if last is not None and now - last < self.refusal_repeat:
            return Outcome.REFUSED_RECENTLY
        self._refused_at[who] = now
        if len(self._refused_at) > DEDUP_CAPACITY:  # forget the oldest refusals
            for k in sorted(self._refused_at, key=self._refused_at.get)[: len(self._refused_at) // 2]:
                del self._refused_at[k]
        await self.gateway.send_text(msg.chat_id, TEXT_REFUSAL)
        return Outcome.REFUSED

    def _match(self, text: str) -> Command | None:
        words = text.split(None, 1)
        if not words:
            return None
        command = self._triggers.get(words[0].lower())
        if command is None:
            return None
        if len(words) > 1 and not command.takes_args:
            return None
        return command

    @staticmethod
    def _args(text: str) -> str:
        words = text.split(None, 1)
        return words[1].strip() if len(words) > 1 else ""

    async def _command(self, ctx: HandlerContext, text: str) -> None:
        command = self._match(text)
        if command is None:
            await ctx.reply(TEXT_UNKNOWN)
            return
        if not ctx.identity.may(command.allowed):
            audit.warning("%s may not use %s", ctx.identity.phone or ctx.identity.lid, command.id)
            await ctx.reply(TEXT_NOT_ALLOWED.format(trigger=command.triggers[0]))
            return
        try:
            if command.menu is not None:
                data = await command.on_open(ctx) if command.on_open else None
                ctx.open_menu(command.menu, data=data or {})
                if not ctx.prompt_suppressed:
                    await self._prompt(ctx, command.menu)
            else:
                await command.handler(ctx, self._args(text))
        except Refused as exc:
            ctx.close_menu()
            await ctx.reply(str(exc))

    async def _menu_input(self, ctx: HandlerContext, text: str) -> None:
        conv = ctx.conversation
        menu = self.menus.get(conv.menu or "")
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
            await self._prompt(ctx, menu)
            return
        choice: Choice | None = None
        if step.choices is not None:
            choices = list(await step.choices(ctx))
            choice = next((c for c in choices if c.matches(text)), None)
            if choice is None:
                await self._prompt(ctx, menu, prefix=TEXT_INVALID, choices=choices)
                return
        try:
            await step.handle(ctx, choice, text)
        except InvalidInput as exc:
            await self._prompt(ctx, menu, prefix=str(exc) or TEXT_INVALID)
            return
        except Refused as exc:
            await ctx.reply(str(exc))
            return
        if conv.active and not ctx.prompt_suppressed:
            current = self.menus.get(conv.menu or "")
            if current is None or current.step(conv.step) is None:
                ctx.close_menu()
                await ctx.reply(TEXT_MENU_LOST)
                return
            await self._prompt(ctx, current)

    async def _prompt(self, ctx: HandlerContext, menu: Menu, *, prefix: str = "",
                      choices: list[Choice] | None = None) -> None:
        step = menu.step(ctx.conversation.step)
        assert step is not None
        await ctx.reply(await render_prompt(ctx, step, prefix=prefix, choices=choices))

    async def _report_error(self, msg: IncomingMessage, exc: BaseException) -> None:
        try:
            await self.reporter.error(
                f"Kesalahan saat memproses pesan WhatsApp: {exc.__class__.__name__}: {exc}",
                chat=msg.chat_id,
                message_id=msg.message_id,
            )
        except Exception:
            log.exception("the admin log failed too")

    # -- identity -------------------------------------------------------------------

    async def resolve_identity(self, msg: IncomingMessage) -> Identity:
        phone = _phone_or_none(msg.sender_phone)
        if phone is None and msg.sender_lid:
            resolver = getattr(self.gateway, "phone_for_lid", None)
            if resolver is not None:
                try:
                    phone = _phone_or_none(await resolver(msg.sender_lid))
                except Exception:
                    log.warning("LID lookup failed for %s", msg.sender_lid, exc_info=True)
        if phone is None and not msg.is_group and msg.chat_id.endswith("@s.whatsapp.net"):
            phone = _phone_or_none(msg.chat_id)
        if phone is None:
            return Identity(phone=None, lid=msg.sender_lid)
        roles: set[Role] = set()
        if phone in self.settings.whatsapp.admins:
            roles.add(Role.ADMIN)
        accounts = await active_dashboard_accounts_by_whatsapp(self.pool, phone)
        if accounts:
            roles.add(Role.DASHBOARD)
        operated = await client_ids_operated_by(self.pool, phone)
        if operated:
            roles.add(Role.OPERATOR)
        return Identity(
            phone=phone,
            lid=msg.sender_lid,
            roles=frozenset(roles),
            dashboard_accounts=tuple(DashboardAccount(a.id, a.username, a.role, a.client_ids) for a in accounts),
            operator_client_ids=tuple(operated),
        )


def _phone_or_none(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except FormatError:
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
