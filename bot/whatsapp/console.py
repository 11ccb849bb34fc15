"""A ChatGateway in the terminal: chat with the bot as a given number.

`cicero console --as 6281…` runs the whole service with this transport. Every
line read from stdin becomes one private message from that number; every
message the bot sends, to ANY chat (groups included), is printed with its
recipient. Input is read line by line, so a pipe works:

    printf 'help\\nstatus\\n' | cicero console --as 6281100000001

Every document the bot "sends" is written under `files_dir`
(`[whatsapp] console_files_dir`, default `var/outbox-files/`) and its path is
printed, so an Excel recap can be opened. A line `/kirim PATH [caption]` sends
the file at PATH to the bot as a document with that caption (e.g.
`/kirim personel.xlsx import POLRES_BLITAR`); quote a PATH with spaces. Each
line is processed completely (replies printed) before the next is read;
at end of input `before_eof` runs (the service wires the outbox sender's
`drain_once`, so messages already due are printed) and then `on_eof` (the
service stops in order).

The reader is a daemon thread feeding an asyncio queue, so an interactive
session ended with Ctrl-C never hangs on a blocked `readline`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import mimetypes
import os
import re
import shlex
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable, TextIO

from core.boundary import describe, guarded
from core.chat_port import (
    ConnectionState, Document, DocumentError, IncomingMessage, MessageHandler, ReceivedDocument, SendResult,
)
from core.clock import Clock

log = logging.getLogger(__name__)

SEND_FILE_PREFIX = "/kirim"
MAX_FILENAME_CHARS = 120
DEFAULT_FILES_DIR = Path("var/outbox-files")


@dataclass
class ConsoleGateway:
    phone: str                                   # the 62… number the person chats as
    clock: Clock
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    on_eof: Callable[[], None] | None = None
    before_eof: Callable[[], Awaitable[object]] | None = None   # e.g. deliver the due outbox first
    files_dir: Path = DEFAULT_FILES_DIR          # where sent documents are saved
    name: str = "console"
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _task: asyncio.Task | None = None
    _lines: asyncio.Queue | None = None
    _since: object = None
    _stopped: bool = False

    @property
    def chat_id(self) -> str:
        return f"{self.phone}@s.whatsapp.net"

    async def start(self, on_message: MessageHandler) -> None:
        loop = asyncio.get_running_loop()
        self._lines = asyncio.Queue()
        self._since = self.clock.now()
        interactive = self._isatty()
        self._print(f"💬 Console chat as {self.phone}. "
                    + ("Type a message and press Enter; Ctrl-D or Ctrl-C to quit." if interactive else "Reading stdin."))

        def reader() -> None:
            while True:
                try:
                    line = self.stdin.readline()
                except (OSError, ValueError):
                    line = ""
                loop.call_soon_threadsafe(self._lines.put_nowait, line if line else None)
                if not line:
                    return

        threading.Thread(target=reader, name="console-stdin", daemon=True).start()
        self._task = asyncio.create_task(self._consume(on_message, interactive), name="console-chat")

    async def _consume(self, on_message: MessageHandler, interactive: bool) -> None:
        assert self._lines is not None
        while not self._stopped:
            line = await self._lines.get()
            if line is None:
                break
            text = line.rstrip("\r\n")
            if not interactive:
                self._print(f"[{self.phone} → bot] {text}")
            document = None
            if text.split(None, 1)[:1] == [SEND_FILE_PREFIX]:
                try:
                    text, document = attached_file(text)
                except ValueError as exc:
                    self._print(f"(not sent: {exc})")
                    continue
            msg = IncomingMessage(
                chat_id=self.chat_id,
                sender_phone=self.phone,
                sender_lid=None,
                is_group=False,
                text=text,
                message_id=f"console-{next(self._ids)}",
                timestamp=self.clock.now(),
                push_name="console",
                document=document,
            )
            async with guarded("console message", log) as g:  # the pipeline never raises; a last resort
                await on_message(msg)
            if g.failed:
                self._print(f"(error while handling the message: {describe(g.error)})")
        if self.before_eof is not None and not self._stopped:
            async with guarded("delivering pending messages", log) as g:
                await self.before_eof()
            if g.failed:
                self._print(f"(could not deliver pending messages: {describe(g.error)})")
        if self.on_eof is not None and not self._stopped:
            self._print("(end of input)")
            self.on_eof()

    async def stop(self) -> None:
        self._stopped = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        self._task = None

    def is_connected(self) -> bool:
        return True

    def connection_state(self) -> ConnectionState:
        return ConnectionState(connected=True, logged_in=True, since=self._since, detail="console")

    async def phone_for_lid(self, lid: str) -> str | None:
        return None

    async def group_name(self, group_id: str) -> str | None:
        return None

    def add_connected_listener(self, callback: Callable[[], None]) -> None:
        """The terminal is always connected: there is no reconnect to listen for."""

    async def send_text(self, to: str, text: str) -> SendResult:
        self._print(f"[bot → {self._label(to)}]\n{text}\n")
        return SendResult(message_id=f"console-out-{next(self._ids)}")

    async def send_document(self, to: str, document: Document) -> SendResult:
        caption = f"\n{document.caption}" if document.caption else ""
        saved = await asyncio.to_thread(self._save, document)
        self._print(f"[bot → {self._label(to)}] 📎 {document.filename} ({document.mimetype}, "
                    f"{len(document.data)} bytes)\n   {saved}{caption}\n")
        return SendResult(message_id=f"console-out-{next(self._ids)}")

    def _save(self, document: Document) -> str:
        """Write the document under `files_dir` (never over an existing file); the line that says where."""
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        name = safe_filename(document.filename)
        try:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = _exclusive_path(self.files_dir, f"{stamp}-{name}")
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                out.write(document.data)
        except OSError as exc:
            log.warning("console: could not save %s in %s: %s", name, self.files_dir, exc)
            return f"(not saved: {exc.strerror or exc} in {self.files_dir})"
        return f"saved as {_shown(path)}"

    # -- helpers ------------------------------------------------------------------

    def _label(self, to: str) -> str:
        if to in (self.phone, self.chat_id):
            return f"{self.phone} (you)"
        return to

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _isatty(self) -> bool:
        try:
            return self.stdin.isatty()
        except (AttributeError, ValueError):
            return False


def safe_filename(name: str) -> str:
    """A plain file name from what a report called its document (no directories, no odd characters)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name or "dokumen").name).strip("._") or "dokumen"
    if len(base) <= MAX_FILENAME_CHARS:
        return base
    stem, dot, ext = base.rpartition(".")
    keep = MAX_FILENAME_CHARS - len(ext) - 1
    return f"{stem[:keep]}.{ext}" if dot and keep > 0 else base[:MAX_FILENAME_CHARS]


def _exclusive_path(folder: Path, name: str) -> Path:
    path = folder / name
    stem, dot, ext = name.rpartition(".")
    n = 2
    while path.exists():
        path = folder / (f"{stem}-{n}.{ext}" if dot else f"{name}-{n}")
        n += 1
    return path


def _shown(path: Path) -> str:
    """The path relative to the working directory when it is below it, else absolute."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


def attached_file(line: str) -> tuple[str, ReceivedDocument]:
    """`/kirim PATH [caption]` → (caption, the file as a received document); ValueError says what is wrong."""
    try:
        words = shlex.split(line[len(SEND_FILE_PREFIX):])
    except ValueError as exc:
        raise ValueError(f"{SEND_FILE_PREFIX} PATH [caption]: {exc}") from None
    if not words:
        raise ValueError(f"usage: {SEND_FILE_PREFIX} PATH [caption]")
    path = Path(words[0]).expanduser()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise ValueError(f"{path} is not a file")

    async def download() -> bytes:
        try:
            return await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise DocumentError(f"berkas {path.name} tidak dapat dibaca: {exc.strerror or exc}") from None

    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return " ".join(words[1:]), ReceivedDocument(path.name, mimetype, size, download)
