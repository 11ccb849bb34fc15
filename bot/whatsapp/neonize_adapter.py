"""The real WhatsApp transport, on neonize 0.5.2 (whatsmeow). The ONLY module that imports neonize.

What this adapter takes care of (reference: shared/reference/ecosystem.md §1):

* **Session in PostgreSQL.** `NewAClient(name=<postgres URL>, uuid=<session_name>)`:
  whatsmeow keeps its `whatsmeow_*` tables in the same database as Cicero
  (with the embedded database the URL is a unix-socket URL).
* **Pairing.** With no stored device whatsmeow emits QR codes; we print each one
  in the terminal. With `cicero run --pair-phone 62…` the first QR event instead
  requests a pair code (`PairPhone`, called once per process from the QR
  callback because calling it before `connect()` fails) and prints it.
* **Events.** neonize schedules one coroutine per event with
  `run_coroutine_threadsafe` (in arrival order, not awaited) and swallows their
  exceptions. So every handler here is wrapped (`_guarded`), and a message event
  is converted and handed to the inbound pipeline (`bot/inbound.py`), which
  dedups, orders per sender, resolves LID senders and bounds the backlog.
* **Documents.** A document message (caption or not) carries a `ReceivedDocument`
  whose bytes `client.download_any` fetches only when a handler reads them.
* **Filtering.** Own messages, status/broadcast and newsletter chats, messages
  without text or document and messages older than the start-up cutoff
  (`[whatsapp] ignore_older_than_seconds`; `Info.Timestamp` is in
  milliseconds) are dropped here.
* **LID senders.** The phone number comes from `SenderAlt` when present, else
  from the sender JID when it is a phone JID; the pipeline asks
  `phone_for_lid` (neonize's LID map, `client.get_pn_from_lid`) for the rest.
* **Lifecycle alerts through the admin log.** connected (and reconnected after
  an alert), disconnected for more than `disconnect_alert_after` (1 minute),
  logged out / replaced / banned (needs re-pairing: restart `cicero run`).
* **Reconnects.** whatsmeow reconnects by itself after network drops; if the
  connect call itself fails (database, dial) we retry with backoff
  (`reconnect_backoff`). The first failure prints ONE line a person can act
  on — WhatsApp not reachable (why, in short), whether pairing is still
  pending (no linked device in the session store), and the next step (QR
  code, `--pair-phone`, or `transport = "console"` to try without WhatsApp);
  each later backoff step is logged once; the raw Go error goes to DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

from neonize.aioze.client import NewAClient
from neonize.aioze.events import (
    ConnectedEv,
    ConnectFailureEv,
    DisconnectedEv,
    KeepAliveRestoredEv,
    KeepAliveTimeoutEv,
    LoggedOutEv,
    MessageEv,
    PairStatusEv,
    StreamReplacedEv,
    TemporaryBanEv,
)
from neonize.exc import NeonizeError
from neonize.proto.Neonize_pb2 import JID
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as WAMessage
from neonize.utils.jid import Jid2String, build_jid
from neonize.utils.message import extract_text

from bot.whatsapp.connect_help import next_step_text, unreachable_reason
from bot.whatsapp.jids import event_time, jid_present, jid_string, phone_from_jid
from bot.whatsapp.session_store import session_store_url  # noqa: F401  (the adapter's API; no neonize needed)
from core.boundary import guarded, guarded_sync, report_safely
from core.chat_port import (
    ConnectionState, Document, DocumentError, IncomingMessage, MessageHandler, ReceivedDocument, SendError,
    SendResult,
)
from core.clock import Clock
from core.formats import FormatError, normalize_phone
from core.reporting import Reporter

log = logging.getLogger(__name__)

IGNORED_SERVERS = {"broadcast", "newsletter"}


# ---------------------------------------------------------------------------
# Pure conversion (tested offline with real protobuf events)
# ---------------------------------------------------------------------------


MediaDownload = Callable[[Any], Awaitable[bytes]]  # a Message holding one media field → its bytes


def document_of(message: Any) -> Any | None:
    """The DocumentMessage of a message (plain, or wrapped with a caption), None when there is none."""
    if message.HasField("documentMessage"):
        return message.documentMessage
    wrapped = message.documentWithCaptionMessage.message
    return wrapped.documentMessage if wrapped.HasField("documentMessage") else None


def received_document(doc: Any, download: MediaDownload) -> ReceivedDocument:
    """The port's view of a DocumentMessage; the bytes are downloaded only when read."""
    async def fetch() -> bytes:
        return await download(WAMessage(documentMessage=doc))

    return ReceivedDocument(doc.fileName or doc.title or "dokumen", doc.mimetype or "application/octet-stream",
                            int(doc.fileLength) if doc.HasField("fileLength") else None, fetch)


async def _no_download(_message: Any) -> bytes:
    raise DocumentError("dokumen tidak dapat diunduh")


def incoming_from_event(ev: Any, download: MediaDownload = _no_download) -> IncomingMessage | None:
    """Convert a `MessageEv`; None for what the bot ignores (own, broadcast, no text or document, no id).

    The sender's phone comes from SenderAlt, else from a phone-JID sender; a LID
    sender without SenderAlt gets `sender_phone=None` and `sender_lid` set (the
    gateway then asks the LID map). A document's caption is the text.
    """
    info = ev.Info
    src = info.MessageSource
    chat = src.Chat
    if not info.ID or not chat.Server or chat.Server in IGNORED_SERVERS or chat.User == "status":
        return None
    if src.IsFromMe:
        return None
    doc = document_of(ev.Message)
    text = (doc.caption if doc is not None else extract_text(ev.Message)) or ""
    if not text.strip() and doc is None:
        return None
    sender, alt = src.Sender, src.SenderAlt
    phone = phone_from_jid(alt) or phone_from_jid(sender)
    lid = None
    for j in (sender, alt):
        if jid_present(j) and j.Server == "lid":
            lid = jid_string(j)
            break
    is_group = bool(src.IsGroup) or chat.Server == "g.us"
    if not is_group and phone is None and lid is None:
        # a private chat: the chat itself is the sender
        phone = phone_from_jid(chat)
        if phone is None and chat.Server == "lid":
            lid = jid_string(chat)
    return IncomingMessage(
        chat_id=jid_string(chat),
        sender_phone=phone,
        sender_lid=lid,
        is_group=is_group,
        text=text,
        message_id=info.ID,
        timestamp=event_time(info.Timestamp),
        push_name=info.Pushname or None,
        document=received_document(doc, download) if doc is not None else None,
    )


def recipient_jid(to: str) -> JID:
    """A JID for a 62… number, `…@s.whatsapp.net`, `…@lid` or `…@g.us`."""
    to = to.strip()
    if "@" in to:
        user, server = to.split("@", 1)
        user = user.split(":", 1)[0]
        if server == "c.us":
            server = "s.whatsapp.net"
        if server not in ("s.whatsapp.net", "lid", "g.us"):
            raise SendError(f"unsupported recipient {to!r}", retryable=False)
        return build_jid(user, server)
    try:
        return build_jid(normalize_phone(to))
    except FormatError as exc:
        raise SendError(f"invalid recipient {to!r}: {exc}", retryable=False) from None


# ---------------------------------------------------------------------------
# The gateway
# ---------------------------------------------------------------------------


Sleep = Callable[[float], Awaitable[None]]


@dataclass
class NeonizeGateway:
    session_url: str
    session_name: str
    clock: Clock
    reporter: Reporter
    ignore_older_than: timedelta = timedelta(seconds=120)
    pair_phone: str | None = None
    disconnect_alert_after: timedelta = timedelta(minutes=1)
    reconnect_backoff: tuple[float, ...] = (5, 15, 30, 60, 120)
    sleep: Sleep = asyncio.sleep
    print_line: Callable[[str], None] = print
    is_paired: Callable[[], Awaitable[bool]] | None = None  # a linked device in the session store?
    name: str = "whatsapp"

    client: Any = None
    state: ConnectionState = field(default_factory=ConnectionState)
    _handler: MessageHandler | None = None
    _tasks: list[asyncio.Task] = field(default_factory=list)
    _cutoff: datetime | None = None
    _pair_requested: bool = False
    _alerted_disconnect: bool = False
    _ever_connected: bool = False
    _disconnect_timer: asyncio.Task | None = None
    _stopping: bool = False
    _old_clients: list[Any] = field(default_factory=list)
    _connected_listeners: list[Callable[[], None]] = field(default_factory=list)
    _failures: int = 0  # connect attempts that failed since the last connection

    # -- service part -----------------------------------------------------------

    async def start(self, on_message: MessageHandler) -> None:
        self.attach(on_message)
        self.state.detail = "connecting"
        self._tasks.append(asyncio.create_task(self._connect_loop(), name="whatsapp-connect"))

    def attach(self, on_message: MessageHandler, client: Any = None) -> Any:
        """Create (or take) the client and register guarded handlers. No network."""
        self._handler = on_message
        self._stopping = False
        self._cutoff = self.clock.now() - self.ignore_older_than
        self.client = client or self.client or self.new_client()
        self._register(self.client)
        return self.client

    def new_client(self) -> Any:
        return NewAClient(self.session_url, uuid=self.session_name)

    async def stop(self) -> None:
        self._stopping = True
        if self._disconnect_timer is not None:
            self._disconnect_timer.cancel()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks.clear()
        if self.client is not None and self.client.connect_task is not None:
            async with guarded("whatsapp disconnect", log, level="warning", traceback=False):
                await asyncio.wait_for(self.client.disconnect(), timeout=10)
        self.state.connected = False

    def add_connected_listener(self, callback: Callable[[], None]) -> None:
        """Called (synchronously) every time the connection comes up, e.g. `OutboxSender.wake`."""
        self._connected_listeners.append(callback)

    async def _connect_loop(self) -> None:
        while not self._stopping:
            try:
                task = await self.client.connect()
                await task
                if self._stopping:
                    return
                log.warning("whatsapp: the connection ended; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NeonizeError from Go: database, dial, …
                await self._connect_failed(exc)
            await self.sleep(self.reconnect_backoff[max(min(self._failures, len(self.reconnect_backoff)) - 1, 0)])
            # a fresh client for the next attempt; keep the old one referenced (neonize #202)
            self._old_clients.append(self.client)
            self.client = self.new_client()
            self._register(self.client)

    async def _connect_failed(self, exc: Exception) -> None:
        """One failed connect: the first says what and what next; each later backoff step is logged once."""
        self._failures += 1
        steps = self.reconnect_backoff
        delay = steps[min(self._failures, len(steps)) - 1]
        english, indonesian = unreachable_reason(str(exc))
        self.state.detail = f"tidak terjangkau: {indonesian}"
        log.debug("whatsapp: connect failed: %s", exc)
        if self._failures == 1:
            paired = await self._paired()
            pairing = {False: "; pairing pending (belum ada perangkat tertaut / no linked device yet)",
                       True: "; session stored (sesi tersimpan)", None: ""}[paired]
            self.print_line(f"WhatsApp tidak terjangkau / not reachable ({english}){pairing}. "
                            f"Retrying in {delay:g} s.\n{next_step_text(paired, self.pair_phone)}")
            await self._report("error", f"❌ WhatsApp tidak dapat dihubungi ({indonesian}); Cicero mencoba lagi "
                                        "otomatis.")
        elif self._failures <= len(steps):
            last = self._failures == len(steps)
            log.warning("whatsapp: still not reachable (%s); retrying %s", english,
                        f"every {delay:g} s (not logged again until it connects)" if last else f"in {delay:g} s")

    async def _paired(self) -> bool | None:
        if self.is_paired is None:
            return None
        async with guarded("checking the WhatsApp session store", log, level="warning", traceback=False):
            return bool(await self.is_paired())
        return None

    # -- event registration -----------------------------------------------------

    def _register(self, client: Any) -> None:
        handlers: list[tuple[Any, Callable[[Any], Awaitable[None]]]] = [
            (MessageEv, self.on_message_event),
            (ConnectedEv, self.on_connected),
            (DisconnectedEv, self.on_disconnected),
            (KeepAliveTimeoutEv, self.on_disconnected),
            (ConnectFailureEv, self.on_disconnected),
            (KeepAliveRestoredEv, self.on_connected),
            (LoggedOutEv, self.on_logged_out),
            (StreamReplacedEv, self.on_logged_out),
            (TemporaryBanEv, self.on_logged_out),
            (PairStatusEv, self.on_pair_status),
        ]
        for event_type, func in handlers:
            client.event(event_type)(self._guarded(func))
        client.event.qr(self._guarded_qr)

    def _guarded(self, func: Callable[[Any], Awaitable[None]]):
        name = getattr(func, "__name__", "handler")

        async def handler(_client: Any, event: Any) -> None:
            async with guarded(f"whatsapp event handler {name}", log):
                await func(event)

        handler.__name__ = f"guarded_{name}"
        return handler

    async def _guarded_qr(self, _client: Any, data: bytes) -> None:
        async with guarded("showing the WhatsApp QR code / pair code", log):
            await self.on_qr(data)

    # -- messages ---------------------------------------------------------------

    async def on_message_event(self, ev: Any) -> None:
        msg = incoming_from_event(ev, self.download_media)
        if msg is None:
            return
        if self._cutoff is not None and msg.timestamp < self._cutoff:
            log.info("whatsapp: ignoring old message %s from %s (%s)", msg.message_id, msg.chat_id, msg.timestamp)
            return
        if self._handler is not None:
            await self._handler(msg)  # the inbound pipeline: accepted in arrival order, handled per sender

    async def download_media(self, message: Any) -> bytes:
        if self.client is None:
            raise DocumentError("WhatsApp tidak terhubung; kirim ulang dokumennya nanti")
        try:
            return await self.client.download_any(message) or b""
        except NeonizeError as exc:
            raise DocumentError(f"dokumen gagal diunduh dari WhatsApp ({exc.__class__.__name__})") from None

    async def group_name(self, group_id: str) -> str | None:
        if self.client is None:
            return None
        async with guarded("whatsapp group info", log, level="warning", traceback=False, group=group_id):
            info = await self.client.get_group_info(recipient_jid(group_id))
            return info.GroupName.Name or None
        return None

    async def phone_for_lid(self, lid: str) -> str | None:
        if self.client is None:
            return None
        user = lid.split("@", 1)[0].split(":", 1)[0]
        async with guarded("whatsapp LID lookup", log, level="warning", traceback=False, lid=lid):
            return phone_from_jid(await self.client.get_pn_from_lid(build_jid(user, "lid")))
        return None

    # -- lifecycle ----------------------------------------------------------------

    async def on_connected(self, ev: Any) -> None:
        was_alerted = self._alerted_disconnect
        self.state.connected = True
        self.state.logged_in = True
        self.state.since = self.clock.now()
        self.state.detail = ""
        self._failures = 0
        self._alerted_disconnect = False
        if self._disconnect_timer is not None:
            self._disconnect_timer.cancel()
            self._disconnect_timer = None
        if not self._ever_connected:
            self._ever_connected = True
            await self._report("info", "✅ WhatsApp terhubung.")
        elif was_alerted:
            await self._report("info", "✅ WhatsApp tersambung kembali.")
        for callback in self._connected_listeners:
            with guarded_sync("whatsapp connected listener", log):
                callback()

    async def on_disconnected(self, ev: Any) -> None:
        if not self.state.connected and self._disconnect_timer is not None:
            return
        self.state.connected = False
        self.state.detail = type(ev).__name__
        if self._stopping:
            return
        if self._disconnect_timer is None or self._disconnect_timer.done():
            self._disconnect_timer = asyncio.create_task(self._alert_if_still_down(), name="whatsapp-down-alert")

    async def _alert_if_still_down(self) -> None:
        await self.sleep(self.disconnect_alert_after.total_seconds())
        if not self.state.connected and not self._stopping:
            self._alerted_disconnect = True
            minutes = max(1, round(self.disconnect_alert_after.total_seconds() / 60))
            await self._report("warning", f"⚠️ WhatsApp terputus lebih dari {minutes} menit; mencoba menyambung ulang.")

    async def on_logged_out(self, ev: Any) -> None:
        self.state.connected = False
        self.state.logged_in = False
        kind = type(ev).__name__
        self.state.detail = kind
        reason = {
            "LoggedOut": "perangkat dikeluarkan (logout)",
            "StreamReplaced": "sesi diambil alih oleh klien lain",
            "TemporaryBan": "nomor diblokir sementara oleh WhatsApp",
        }.get(kind, kind)
        log.error("whatsapp: %s — re-pair with `cicero run` (QR or --pair-phone)", kind)
        await self._report(
            "error",
            f"❌ WhatsApp berhenti: {reason}. Perlu pairing ulang: jalankan ulang `cicero run` lalu pindai QR "
            "atau gunakan --pair-phone.",
        )

    async def on_pair_status(self, ev: Any) -> None:
        if getattr(ev, "Error", ""):
            log.error("whatsapp: pairing failed: %s", ev.Error)
            await self._report("error", f"❌ Pairing WhatsApp gagal: {ev.Error}")
        else:
            who = Jid2String(ev.ID) if jid_present(ev.ID) else "?"
            log.info("whatsapp: paired as %s", who)
            self.print_line(f"WhatsApp paired as {who}")

    async def on_qr(self, data: bytes) -> None:
        if self.pair_phone:
            if self._pair_requested:
                return
            self._pair_requested = True
            code = await self.client.PairPhone(self.pair_phone, True)
            self.print_line(
                f"WhatsApp pair code for {self.pair_phone}: {code}\n"
                "On the phone: WhatsApp → Linked devices → Link a device → Link with phone number instead."
            )
            return
        import segno  # installed with neonize

        self.print_line("Scan this QR code with WhatsApp → Linked devices → Link a device:")
        segno.make_qr(data).terminal(compact=True)

    async def _report(self, level: str, text: str) -> None:
        await report_safely(self.reporter, level, text)

    # -- sending ------------------------------------------------------------------

    def is_connected(self) -> bool:
        return self.state.connected

    def connection_state(self) -> ConnectionState:
        return self.state

    async def send_text(self, to: str, text: str) -> SendResult:
        jid = recipient_jid(to)
        self._require_connection()
        try:
            resp = await self.client.send_message(jid, text)
        except NeonizeError as exc:
            raise SendError(f"WhatsApp send failed: {exc}", retryable=True) from None
        return SendResult(message_id=getattr(resp, "ID", "") or "")

    async def send_document(self, to: str, document: Document) -> SendResult:
        jid = recipient_jid(to)
        self._require_connection()
        try:
            resp = await self.client.send_document(
                jid, document.data, caption=document.caption, filename=document.filename,
                mimetype=document.mimetype,
            )
        except NeonizeError as exc:
            raise SendError(f"WhatsApp document send failed: {exc}", retryable=True) from None
        return SendResult(message_id=getattr(resp, "ID", "") or "")

    def _require_connection(self) -> None:
        if self.client is None or not self.state.connected:
            raise SendError("WhatsApp is not connected", retryable=True)
