"""The neonize adapter, offline: real neonize protobuf events fed through neonize's own dispatcher.

No connection is ever made: a `NewAClient` is created (which does not connect),
our handlers are registered on it, and events are delivered the way the Go core
does it — serialised protobuf bytes handed to `client.event.execute(…)`.
The Go-backed calls the adapter makes (`get_pn_from_lid`, `send_message`) are
replaced on the client instance.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
from datetime import datetime, timedelta

import pytest

neonize = pytest.importorskip("neonize")

from neonize.aioze import events as neonize_events  # noqa: E402
from neonize.events import EVENT_TO_INT  # noqa: E402
from neonize.proto.Neonize_pb2 import (  # noqa: E402
    JID,
    Connected,
    Disconnected,
    LoggedOut,
    Message,
    SendResponse,
)

from bot.inbound import InboundPipeline  # noqa: E402
from bot.router import Router  # noqa: E402
from bot.whatsapp.neonize_adapter import (  # noqa: E402
    NeonizeGateway,
    event_time,
    incoming_from_event,
    recipient_jid,
    session_store_url,
)
from core.chat_port import SendError  # noqa: E402
from handlers.registry import all_commands  # noqa: E402
from core.clock import JAKARTA, ManualClock  # noqa: E402
from tests.support.recording_reporter import RecordingReporter  # noqa: E402

ADMIN = "6281100000001"
NOW = datetime(2026, 2, 17, 9, 0, tzinfo=JAKARTA)


def jid(user: str, server: str) -> JID:
    return JID(User=user, Server=server)


def message_event(text: str | None = "help", *, msg_id: str = "3EB0AAA", chat: JID | None = None,
                  sender: JID | None = None, sender_alt: JID | None = None, group: bool = False,
                  from_me: bool = False, at: datetime = NOW, extended: bool = False) -> Message:
    ev = Message()
    ev.Info.ID = msg_id
    ev.Info.Pushname = "Budi"
    ev.Info.Timestamp = int(at.timestamp() * 1000)  # milliseconds, as the Go encoder writes it
    src = ev.Info.MessageSource
    src.Chat.CopyFrom(chat or jid(ADMIN, "s.whatsapp.net"))
    src.Sender.CopyFrom(sender or chat or jid(ADMIN, "s.whatsapp.net"))
    if sender_alt is not None:
        src.SenderAlt.CopyFrom(sender_alt)
    src.IsGroup = group
    src.IsFromMe = from_me
    if text is not None:
        if extended:
            ev.Message.extendedTextMessage.text = text
        else:
            ev.Message.conversation = text
    return ev


def deliver(client, ev) -> None:
    """What the Go core does: call the event callback with a pointer to serialised protobuf bytes."""
    data = ev.SerializePartialToString()
    buf = ctypes.create_string_buffer(data, len(data))
    client.event.execute(0, ctypes.addressof(buf), len(data), EVENT_TO_INT[type(ev)])


# -- pure conversion -----------------------------------------------------------------------

def test_private_text_message_is_converted_with_millisecond_timestamp():
    ev = Message.FromString(message_event("  Help ", extended=True).SerializePartialToString())
    msg = incoming_from_event(ev)
    assert msg.chat_id == f"{ADMIN}@s.whatsapp.net" and msg.sender_phone == ADMIN and msg.sender_lid is None
    assert msg.text == "  Help " and msg.message_id == "3EB0AAA" and not msg.is_group
    assert msg.timestamp == NOW and msg.push_name == "Budi"


def test_group_message_from_a_lid_uses_sender_alt():
    ev = message_event("status", chat=jid("120363000000000001", "g.us"), sender=jid("99887766", "lid"),
                       sender_alt=jid(ADMIN, "s.whatsapp.net"), group=True)
    msg = incoming_from_event(ev)
    assert msg.is_group and msg.chat_id == "120363000000000001@g.us"
    assert msg.sender_phone == ADMIN and msg.sender_lid == "99887766@lid"


def test_lid_without_sender_alt_keeps_the_lid_for_lookup():
    ev = message_event("help", chat=jid("99887766", "lid"), sender=jid("99887766", "lid"))
    ev.Info.MessageSource.SenderAlt.IsEmpty = True  # whatsmeow #1014: present but empty
    msg = incoming_from_event(ev)
    assert msg.sender_phone is None and msg.sender_lid == "99887766@lid" and msg.chat_id == "99887766@lid"


@pytest.mark.parametrize("ev", [
    message_event(chat=jid("status", "broadcast")),
    message_event(from_me=True),
    message_event(text=None),
    message_event(text="   "),
    message_event(msg_id=""),
    message_event(chat=jid("1203630000", "newsletter")),
])
def test_ignored_events(ev):
    assert incoming_from_event(ev) is None


def test_image_caption_counts_as_text():
    ev = message_event(text=None)
    ev.Message.imageMessage.caption = "status"
    assert incoming_from_event(ev).text == "status"


def test_event_time_accepts_milliseconds_and_seconds():
    assert event_time(int(NOW.timestamp() * 1000)) == NOW
    assert event_time(int(NOW.timestamp())) == NOW


def test_recipients():
    phone = recipient_jid("0811-0000-0001")
    assert (phone.User, phone.Server) == ("6281100000001", "s.whatsapp.net")
    g = recipient_jid("120363000000000001@g.us")
    assert (g.User, g.Server) == ("120363000000000001", "g.us")
    assert recipient_jid("123@lid").Server == "lid"
    with pytest.raises(SendError) as err:
        recipient_jid("halo")
    assert err.value.retryable is False


def test_session_store_url():
    assert session_store_url("postgresql://postgres@127.0.0.1:5432/cicero") == \
        "postgresql://postgres@127.0.0.1:5432/cicero?sslmode=disable"
    assert session_store_url("postgresql://bot@db.example:5432/cicero", "s3cret") == \
        "postgresql://bot:s3cret@db.example:5432/cicero"
    sock = session_store_url("postgresql://postgres:@/cicero?host=/var/pg")
    assert sock.startswith("postgresql://postgres:@/cicero?") and "host=/var/pg" in sock and "sslmode=disable" in sock
    assert "sslmode=require" in session_store_url("postgresql://u@localhost/db?sslmode=require")


# -- dispatch through neonize's event machinery -------------------------------------------------

@pytest.fixture
def clock():
    return ManualClock(NOW + timedelta(seconds=5))


@pytest.fixture
def reporter():
    return RecordingReporter()


@pytest.fixture
async def gateway(clock, reporter):
    neonize_events.event_global_loop = asyncio.get_running_loop()  # what connect() does, once per process
    release = asyncio.Event()

    async def gated_sleep(seconds):
        await release.wait()

    gw = NeonizeGateway(session_url="postgresql://nobody@127.0.0.1:1/none?sslmode=disable",
                        session_name="offline-test", clock=clock, reporter=reporter, sleep=gated_sleep,
                        print_line=lambda text: None)
    gw.release_sleep = release
    yield gw
    await gw.stop()


class Inbox:
    def __init__(self):
        self.queue: asyncio.Queue = asyncio.Queue()

    async def __call__(self, msg):
        await self.queue.put(msg)

    async def next(self):
        return await asyncio.wait_for(self.queue.get(), timeout=5)


def through_pipeline(gateway, handler):
    """Attach `handler` behind the inbound pipeline, as the service wires the adapter."""
    return gateway.attach(InboundPipeline(handler, resolve_lid=gateway.phone_for_lid))


async def test_message_events_arrive_once_in_order_and_old_ones_are_ignored(gateway):
    inbox = Inbox()
    client = through_pipeline(gateway, inbox)
    deliver(client, message_event("lama", msg_id="OLD", at=NOW - timedelta(minutes=10)))
    deliver(client, message_event("help", msg_id="M1"))
    deliver(client, message_event("help", msg_id="M1"))  # redelivered after a reconnect
    deliver(client, message_event("status", msg_id="M2"))
    deliver(client, message_event("jadwal", msg_id="M3"))
    got = [await inbox.next() for _ in range(3)]
    # one sender's messages arrive in order, so a delivered duplicate or old message would stand among these
    assert [(m.message_id, m.text) for m in got] == [("M1", "help"), ("M2", "status"), ("M3", "jadwal")]


async def test_lid_sender_is_resolved_through_the_lid_map(gateway):
    inbox = Inbox()
    client = through_pipeline(gateway, inbox)
    asked = []

    async def get_pn_from_lid(lid_jid):
        asked.append((lid_jid.User, lid_jid.Server))
        return jid(ADMIN, "s.whatsapp.net")

    client.get_pn_from_lid = get_pn_from_lid
    deliver(client, message_event("help", msg_id="L1", chat=jid("555", "lid"), sender=jid("555", "lid")))
    msg = await inbox.next()
    assert asked == [("555", "lid")] and msg.sender_phone == ADMIN and msg.sender_lid == "555@lid"


async def test_a_failing_handler_is_logged_and_the_next_message_still_runs(gateway, caplog):
    seen = Inbox()

    async def flaky(msg):
        if msg.text == "meledak":
            raise RuntimeError("handler bug")
        await seen(msg)

    client = through_pipeline(gateway, flaky)
    with caplog.at_level(logging.ERROR):
        deliver(client, message_event("meledak", msg_id="E1"))
        deliver(client, message_event("help", msg_id="E2"))
        assert (await seen.next()).message_id == "E2"
    assert any("handling a WhatsApp message failed" in r.getMessage() and "handler bug" in r.getMessage()
               for r in caplog.records)


async def test_guarded_handlers_never_raise(gateway, caplog):
    async def broken(event):
        raise ValueError("bad event")

    with caplog.at_level(logging.ERROR):
        await gateway._guarded(broken)(None, Connected())
    assert any("whatsapp event handler broken failed" in r.getMessage() for r in caplog.records)


async def test_lifecycle_alerts(gateway, reporter, clock):
    client = gateway.attach(Inbox())
    deliver(client, Connected())
    await _until(lambda: gateway.is_connected())
    assert reporter.texts("info") == ["✅ WhatsApp terhubung."]

    # a short drop: reconnected before the minute is over → no alert
    deliver(client, Disconnected())
    await _until(lambda: not gateway.is_connected())
    deliver(client, Connected())
    await _until(lambda: gateway.is_connected())
    gateway.release_sleep.set()
    await asyncio.sleep(0.05)
    assert reporter.texts("warning") == []

    # a long drop: the timer runs out while still disconnected → one warning, then "back"
    deliver(client, Disconnected())
    await _until(lambda: reporter.texts("warning"))
    assert reporter.texts("warning") == ["⚠️ WhatsApp terputus lebih dari 1 menit; mencoba menyambung ulang."]
    deliver(client, Connected())
    await _until(lambda: len(reporter.texts("info")) == 2)
    assert reporter.texts("info")[-1] == "✅ WhatsApp tersambung kembali."

    deliver(client, LoggedOut(OnConnect=False))
    await _until(lambda: reporter.texts("error"))
    assert "Perlu pairing ulang" in reporter.texts("error")[0]
    assert gateway.connection_state().logged_in is False


async def test_router_replies_through_neonize_send_message(gateway, settings, pool, clock, reporter):
    router = Router(settings=settings, pool=pool, clock=clock, reporter=reporter, gateway=gateway,
                    commands=all_commands())
    client = through_pipeline(gateway, router.handle)
    sent = []

    async def send_message(to, text):
        sent.append((to.User, to.Server, text))
        return SendResponse(ID=f"OUT{len(sent)}")

    client.send_message = send_message
    with pytest.raises(SendError):  # not connected yet: a retryable error, no Go call
        await gateway.send_text(ADMIN, "halo")
    deliver(client, Connected())
    await _until(lambda: gateway.is_connected())
    deliver(client, message_event("HELP", msg_id="R1"))
    await _until(lambda: sent)
    user, server, text = sent[0]
    assert (user, server) == (ADMIN, "s.whatsapp.net") and "Perintah Cicero" in text
    result = await gateway.send_text("120363000000000001@g.us", "tugas")
    assert result.message_id == "OUT2" and sent[1][:2] == ("120363000000000001", "g.us")


async def test_pair_code_is_requested_once_from_the_qr_callback(gateway):
    lines = []
    gateway.pair_phone = "6281100000001"
    gateway.print_line = lines.append
    client = gateway.attach(Inbox())
    calls = []

    async def pair_phone(phone, show_push_notification):
        calls.append(phone)
        return "ABCD-EFGH"

    client.PairPhone = pair_phone
    await client.event._qr(client, b"qr-data-1")
    await client.event._qr(client, b"qr-data-2")  # QR events repeat
    assert calls == ["6281100000001"]
    assert any("ABCD-EFGH" in line for line in lines)


async def _until(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.005)


# -- first run without a reachable WhatsApp -------------------------------------------------------

DIAL_ERROR = ('failed to dial whatsapp web websocket: failed to WebSocket dial: failed to send handshake request: '
              'Get "https://web.whatsapp.com/ws/chat": dial tcp: lookup web.whatsapp.com on 10.255.255.53:53: '
              'no such host')


async def test_unreachable_whatsapp_says_so_once_with_the_next_step_and_backs_off(clock, reporter, caplog):
    """`cicero run` with no network and no pairing: one line a person can act on, then quiet backoff."""
    from neonize.exc import NeonizeError

    neonize_events.event_global_loop = asyncio.get_running_loop()
    printed, slept = [], []

    async def failing_connect(*_args, **_kwargs):
        raise NeonizeError(DIAL_ERROR)

    async def not_paired():
        return False

    gw = NeonizeGateway(session_url="postgresql://nobody@127.0.0.1:1/none?sslmode=disable",
                        session_name="offline-first-run", clock=clock, reporter=reporter, print_line=printed.append,
                        is_paired=not_paired)
    real_new_client = gw.new_client

    def new_client():
        client = real_new_client()
        client.connect = failing_connect
        return client

    async def sleep(seconds):
        slept.append(seconds)
        if len(slept) >= 8:
            gw._stopping = True

    gw.new_client, gw.sleep = new_client, sleep
    caplog.set_level(logging.DEBUG, logger="bot.whatsapp.neonize_adapter")
    await gw.start(Inbox())
    await _until(lambda: gw._stopping and gw._tasks[0].done())

    assert slept == [5, 15, 30, 60, 120, 120, 120, 120]  # backoff, capped
    (line,) = printed  # ONE announcement, whatever the number of attempts
    assert line.startswith("WhatsApp tidak terjangkau / not reachable (DNS lookup of web.whatsapp.com failed); "
                           "pairing pending (belum ada perangkat tertaut / no linked device yet). Retrying in 5 s.")
    assert "QR code appears here" in line and "--pair-phone" in line and 'transport = "console"' in line
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [  # once per backoff step, then silence
        "whatsapp: still not reachable (DNS lookup of web.whatsapp.com failed); retrying in 15 s",
        "whatsapp: still not reachable (DNS lookup of web.whatsapp.com failed); retrying in 30 s",
        "whatsapp: still not reachable (DNS lookup of web.whatsapp.com failed); retrying in 60 s",
        "whatsapp: still not reachable (DNS lookup of web.whatsapp.com failed); retrying every 120 s "
        "(not logged again until it connects)",
    ]
    assert all("failed to dial" not in w for w in warnings)  # the raw Go error is DEBUG only
    assert reporter.texts("error") == [
        "❌ WhatsApp tidak dapat dihubungi (alamat web.whatsapp.com tidak ditemukan (DNS)); Cicero mencoba lagi "
        "otomatis."]
    assert gw.connection_state().detail == "tidak terjangkau: alamat web.whatsapp.com tidak ditemukan (DNS)"
    await gw.stop()


def test_the_next_step_for_a_paired_session_and_for_a_pair_code():
    from bot.whatsapp.connect_help import next_step_text

    assert "reconnects by itself" in next_step_text(True, None)
    assert "pair code for 6281100000001 appears here" in next_step_text(False, "6281100000001")


# -- received documents --------------------------------------------------------------------------

def document_event(caption: str | None, *, msg_id: str = "DOC1", name: str = "personel.xlsx", size: int = 1234,
                   wrapped: bool = False) -> Message:
    ev = message_event(text=None, msg_id=msg_id)
    doc = ev.Message.documentWithCaptionMessage.message.documentMessage if wrapped else ev.Message.documentMessage
    doc.fileName = name
    doc.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    doc.fileLength = size
    doc.directPath = "/v/t62.7119-24/abc"
    if caption is not None:
        doc.caption = caption
    return ev


async def test_a_document_arrives_with_its_caption_and_downloads_only_when_read(gateway):
    inbox = Inbox()
    client = through_pipeline(gateway, inbox)
    downloads = []

    async def download_any(message, path=None):
        downloads.append((message.documentMessage.fileName, message.documentMessage.directPath))
        return b"xlsx-bytes"

    client.download_any = download_any
    deliver(client, document_event("import POLRES_A"))
    msg = await inbox.next()
    assert msg.text == "import POLRES_A" and downloads == []
    doc = msg.document
    assert (doc.filename, doc.size, doc.mimetype.endswith("spreadsheetml.sheet")) == ("personel.xlsx", 1234, True)
    assert await doc.read(max_bytes=10_000, timeout=5) == b"xlsx-bytes"
    assert downloads == [("personel.xlsx", "/v/t62.7119-24/abc")]


async def test_a_document_without_caption_is_not_empty_and_a_wrapped_caption_is_read(gateway):
    inbox = Inbox()
    client = through_pipeline(gateway, inbox)
    deliver(client, document_event(None, msg_id="D1", name="data.csv"))
    deliver(client, document_event("import POLRES_B", msg_id="D2", wrapped=True))
    first, second = await inbox.next(), await inbox.next()
    assert first.text == "" and first.document.filename == "data.csv"
    assert second.text == "import POLRES_B" and second.document.filename == "personel.xlsx"


async def test_an_oversized_document_is_refused_before_download_and_a_failed_download_is_explained(gateway):
    from neonize.exc import DownloadError

    from core.chat_port import DocumentError

    calls = []

    async def download_any(message, path=None):
        calls.append(1)
        raise DownloadError("media expired")

    client = gateway.attach(Inbox())
    client.download_any = download_any
    big = incoming_from_event(document_event("import X", size=50_000_000), gateway.download_media)
    with pytest.raises(DocumentError, match="terlalu besar"):
        await big.document.read(max_bytes=5_000_000, timeout=5)
    assert calls == []
    small = incoming_from_event(document_event("import X"), gateway.download_media)
    with pytest.raises(DocumentError, match="gagal diunduh"):
        await small.document.read(max_bytes=5_000_000, timeout=5)


async def test_group_name_comes_from_the_group_info(gateway):
    from neonize.proto.Neonize_pb2 import GroupInfo

    client = gateway.attach(Inbox())
    asked = []

    async def get_group_info(group_jid):
        asked.append((group_jid.User, group_jid.Server))
        info = GroupInfo()
        info.GroupName.Name = "Tugas Polres A"
        return info

    client.get_group_info = get_group_info
    assert await gateway.group_name("120363000000000009@g.us") == "Tugas Polres A"
    assert asked == [("120363000000000009", "g.us")]
