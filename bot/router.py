"""IncomingMessage → the right handler: authorisation, menus, the error boundary.

Messages arrive through `bot/inbound.py` (dedup, per-sender order and LID
resolution happen there, once). For every message (`Router.handle`, which
returns an `Outcome` naming what it did, so tests can tell a reply from a
deliberate silence):

1. resolve the sender to an `Identity` (`handlers/identity.py`);
2. group chat: menus never open; only commands marked `in_groups` from a known
   sender run; everything else is silence (no refusals in groups);
3. unknown sender in a private chat → ONE refusal per sender per
   `REFUSAL_REPEAT` (one hour, kept in memory: a restart may repeat it once),
   plus an audit line on the `cicero.audit` logger for every message — except
   an unregistered number (a phone number without a role) typing a command
   allowed to `Role.UNREGISTERED` (binding itself by NRP) or answering the menu
   such a command opened;
4. open menu → the menu engine (`handlers/menus.py`);
5. otherwise the command whose trigger is the first word (case-insensitive);
   not allowed → a refusal naming the command; no match → a hint to type `help`.

Error boundary (`_guarded_turn`): any exception in steps 2, 4 or 5 → a short
Indonesian apology, an admin-log error with the chat and message id, and the
conversation restored to its state before the message.

Database outage (`db.pool.is_database_outage`, at any step, identity lookup
included): no silence and no apology, but an answer from memory
(`handlers/degraded.py`): admins (known from settings) get `help` and `status`
marked degraded; anyone else gets one short notice per sender per
`DEGRADED_REPEAT`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Sequence

import asyncpg

from bot.inbound import Outcome
from bot.sessions import SessionStore
from core.boundary import describe, guarded, report_safely
from core.chat_port import ChatGateway, Document, IncomingMessage
from core.clock import Clock
from core.reporting import Reporter
from core.settings import Settings
from db.pool import is_database_outage
from handlers.context import Collect, Command, Conversation, HandlerContext, Refused
from handlers.degraded import degraded_reply
from handlers.identity import Identity, Role, phone_or_none, resolve_identity
from handlers.menus import open_menu, menu_input
from handlers.registry import all_menus
from jobs.queue.model import TaskQueue

log = logging.getLogger(__name__)
audit = logging.getLogger("cicero.audit")

REFUSAL_REPEAT = timedelta(hours=1)
DEGRADED_REPEAT = timedelta(minutes=10)
REFUSAL_MEMORY = 5000

TEXT_REFUSAL = (
    "❌ Maaf, nomor Anda tidak terdaftar sebagai admin, operator, atau pengguna dashboard Cicero. "
    "Hubungi admin jika Anda memerlukan akses."
)
TEXT_REFUSAL_HINT = "Personel yang belum terdaftar: ketik *{trigger}* — {help}."
TEXT_NOT_ALLOWED = "❌ Anda tidak memiliki akses ke perintah *{trigger}*."
TEXT_UNKNOWN = "🤖 Perintah tidak dikenali. Ketik *help* untuk melihat daftar perintah."
TEXT_DOCUMENT_HINT = ("📎 Dokumen diterima, tetapi tidak ada perintah untuknya. Untuk impor personel, kirim "
                      "ulang dengan keterangan *import CLIENT* (contoh: import POLRES_BLITAR).")
TEXT_APOLOGY = "⚠️ Maaf, terjadi kesalahan saat memproses pesan Anda. Admin sudah diberi tahu; silakan coba lagi."
TEXT_EXPIRED = "⌛ Sesi menu sebelumnya berakhir karena tidak ada balasan selama {minutes} menit."
TEXT_EXPIRED_HINT = "Ketik *help* untuk melihat perintah atau ulangi perintah menu untuk memulai lagi."


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
class Router:
    settings: Settings
    pool: asyncpg.Pool
    clock: Clock
    reporter: Reporter
    gateway: ChatGateway
    commands: Sequence[Command]
    collection: Collect | None = None
    task_queue: TaskQueue | None = None
    refusal_repeat: timedelta = REFUSAL_REPEAT

    def __post_init__(self) -> None:
        self.sessions = SessionStore(
            self.pool, self.clock, timedelta(minutes=self.settings.whatsapp.conversation_timeout_minutes)
        )
        self.menus = all_menus(list(self.commands))
        self._triggers: dict[str, Command] = {t: c for c in self.commands for t in c.triggers}
        self._refused_at: dict[str, datetime] = {}
        self._outage_since: datetime | None = None   # when the database was first seen unreachable
        self._menu_roles = {c.menu.id: c.allowed for c in self.commands if c.menu is not None}
        # what an unregistered number is told it may do (the first listed command open to it)
        self._registration = next((c for c in self.commands if Role.UNREGISTERED in c.allowed and not c.hidden
                                   and c.triggers), None)

    # -- entry point ----------------------------------------------------------

    async def handle(self, msg: IncomingMessage) -> Outcome:
        """Process one message completely (replies included); never raises."""
        async with guarded("routing a WhatsApp message", log, chat=msg.chat_id, message_id=msg.message_id) as g:
            outcome = await self._route(msg)
            self._outage_since = None
            return outcome
        if is_database_outage(g.error):
            return await self._answer_degraded(msg, g.error)
        await self._report_error(msg, g.error)  # even identity lookup failed
        return Outcome.ERROR

    async def _route(self, msg: IncomingMessage) -> Outcome:
        identity = await self.resolve_identity(msg)
        text = msg.text.strip()
        if not text and msg.document is None:  # a document without a caption still counts
            return Outcome.EMPTY
        if msg.is_group:
            return await self._handle_group(msg, identity, text)
        if not identity.known and not await self._unregistered_may_continue(msg, identity, text):
            return await self._refuse_unknown(msg, identity)
        return await self._handle_private(msg, identity, text)

    async def _unregistered_may_continue(self, msg: IncomingMessage, identity: Identity, text: str) -> bool:
        """An unregistered number may answer a menu open to it, or (with no menu open) type a command
        allowed to it; a menu it may no longer use (a former operator's) keeps it out until it expires."""
        if Role.UNREGISTERED not in identity.roles or identity.phone is None:
            return False
        menu = await self.sessions.open_menu_id(msg.chat_id, identity.phone)
        if menu is not None:
            return identity.may(self._menu_roles.get(menu, frozenset()))
        command = self._match(text)
        return command is not None and identity.may(command.allowed)

    async def resolve_identity(self, msg: IncomingMessage) -> Identity:
        phone = msg.sender_phone
        if phone is None and not msg.is_group and msg.chat_id.endswith("@s.whatsapp.net"):
            phone = phone_or_none(msg.chat_id)  # a private chat: the chat is the sender
        return await resolve_identity(self.settings, self.pool, phone=phone, lid=msg.sender_lid)

    # -- the three kinds of turn ------------------------------------------------

    async def _handle_private(self, msg: IncomingMessage, identity: Identity, text: str) -> Outcome:
        sender = identity.phone or msg.sender_key
        loaded = await self.sessions.load(msg.chat_id, sender)
        before = loaded.conversation.copy()
        outgoing = GatewayOutgoing(self.gateway, self.settings.whatsapp.max_message_chars)
        ctx = self._context(msg, identity, loaded.conversation, outgoing)

        async def turn() -> None:
            if loaded.expired and not await self._after_expiry(ctx, text):
                return
            if ctx.conversation.active:
                await menu_input(ctx, self.menus, text)
            else:
                await self._command(ctx, text)
            await self.sessions.save(msg.chat_id, sender, ctx.conversation)

        async def restore() -> None:
            await self.sessions.save(msg.chat_id, sender, before)

        return await self._guarded_turn(msg, outgoing, turn, restore)

    async def _handle_group(self, msg: IncomingMessage, identity: Identity, text: str) -> Outcome:
        command = self._match(text)
        if command is None or not command.in_groups or command.menu is not None or not identity.may(command.allowed):
            return Outcome.GROUP
        outgoing = GatewayOutgoing(self.gateway, self.settings.whatsapp.max_message_chars)
        ctx = self._context(msg, identity, Conversation(), outgoing)

        async def turn() -> None:
            try:
                await command.handler(ctx, self._args(text))
            except Refused as exc:
                await ctx.reply(str(exc))

        return await self._guarded_turn(msg, outgoing, turn)

    async def _guarded_turn(self, msg: IncomingMessage, outgoing: "GatewayOutgoing",
                            turn: Callable[[], Awaitable[None]],
                            restore: Callable[[], Awaitable[None]] | None = None) -> Outcome:
        """The error boundary of one turn: apology, admin-log error, conversation as it was before."""
        async with guarded("chat handler", log, chat=msg.chat_id, message_id=msg.message_id) as g:
            await turn()
        if not g.failed:
            return Outcome.REPLIED if outgoing.sent else Outcome.NO_REPLY
        if is_database_outage(g.error):
            return await self._answer_degraded(msg, g.error)
        await self._report_error(msg, g.error)
        if restore is not None:
            async with guarded("restoring the conversation", log, chat=msg.chat_id):
                await restore()
        async with guarded("sending the apology", log, chat=msg.chat_id):
            await self.gateway.send_text(msg.chat_id, TEXT_APOLOGY)
        return Outcome.ERROR

    async def _answer_degraded(self, msg: IncomingMessage, error: BaseException) -> Outcome:
        """The database is unreachable: answer from memory (see the module docstring), never raise."""
        now = self.clock.now()
        self._outage_since = self._outage_since or now
        if msg.is_group or not msg.text.strip():
            return Outcome.GROUP if msg.is_group else Outcome.EMPTY
        phone = msg.sender_phone or phone_or_none(msg.chat_id if msg.chat_id.endswith("@s.whatsapp.net") else None)
        text, for_admin = degraded_reply(self.settings, msg.text, phone=phone, now=now, since=self._outage_since,
                                         state=self.gateway.connection_state(), error=error.__class__.__name__)
        who = f"degraded:{phone or msg.sender_key}"
        if not for_admin:
            last = self._refused_at.get(who)
            if last is not None and now - last < DEGRADED_REPEAT:
                return Outcome.REFUSED_RECENTLY
            self._refused_at[who] = now
        async with guarded("sending the degraded-service answer", log, chat=msg.chat_id) as g:
            await self.gateway.send_text(msg.chat_id, text)
        return Outcome.ERROR if g.failed else Outcome.REPLIED

    async def _after_expiry(self, ctx: HandlerContext, text: str) -> bool:
        """Tell the person their menu expired; True when the message is a command to run now."""
        minutes = self.settings.whatsapp.conversation_timeout_minutes
        if self._match(text) is None:
            await ctx.reply(f"{TEXT_EXPIRED.format(minutes=minutes)}\n{TEXT_EXPIRED_HINT}")
            return False
        await ctx.reply(TEXT_EXPIRED.format(minutes=minutes))
        return True

    def _context(self, msg: IncomingMessage, identity: Identity, conversation: Conversation,
                 outgoing: "GatewayOutgoing") -> HandlerContext:
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
            task_queue=self.task_queue,
            gateway_status=self.gateway.connection_state,
            group_name=self.gateway.group_name,
            commands=tuple(self.commands),
        )

    async def _refuse_unknown(self, msg: IncomingMessage, identity: Identity) -> Outcome:
        who = identity.phone or identity.lid or msg.chat_id
        audit.warning("refused unknown sender %s (chat %s, message %s): %r", who, msg.chat_id, msg.message_id,
                      msg.text[:80])
        now = self.clock.now()
        last = self._refused_at.get(who)
        if last is not None and now - last < self.refusal_repeat:
            return Outcome.REFUSED_RECENTLY
        self._refused_at[who] = now
        if len(self._refused_at) > REFUSAL_MEMORY:  # forget the oldest refusals
            for k in sorted(self._refused_at, key=self._refused_at.get)[: len(self._refused_at) // 2]:
                del self._refused_at[k]
        text = TEXT_REFUSAL
        if Role.UNREGISTERED in identity.roles and self._registration is not None:
            text += "\n\n" + TEXT_REFUSAL_HINT.format(trigger=self._registration.triggers[0],
                                                      help=self._registration.help)
        await self.gateway.send_text(msg.chat_id, text)
        return Outcome.REFUSED

    # -- commands -------------------------------------------------------------------

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
            await ctx.reply(TEXT_DOCUMENT_HINT if ctx.message.document is not None else TEXT_UNKNOWN)
            return
        if not ctx.identity.may(command.allowed):
            audit.warning("%s may not use %s", ctx.identity.label, command.id)
            await ctx.reply(TEXT_NOT_ALLOWED.format(trigger=command.triggers[0]))
            return
        try:
            if command.menu is not None:
                await open_menu(ctx, command.menu, command.on_open)
            else:
                await command.handler(ctx, self._args(text))
        except Refused as exc:
            ctx.close_menu()
            await ctx.reply(str(exc))

    async def _report_error(self, msg: IncomingMessage, exc: BaseException | None) -> None:
        await report_safely(self.reporter, "error",
                            f"Kesalahan saat memproses pesan WhatsApp: {describe(exc) if exc else '?'}",
                            chat=msg.chat_id, message_id=msg.message_id)
