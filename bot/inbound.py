"""The one inbound pipeline: every transport hands its messages here, and only here.

    pipeline = InboundPipeline(router.handle, resolve_lid=gateway.phone_for_lid)
    await gateway.start(pipeline)          # the transport calls `await pipeline(msg)`

For every message, once:

1. **dedup** — a (chat, message id) seen before is dropped (`Outcome.DUPLICATE`);
   an empty text (sticker, photo without caption) is dropped (`Outcome.EMPTY`);
   a received document is never empty, with or without a caption;
2. **per-sender ordering** — messages of one (chat, sender) are handled one at
   a time in arrival order; different senders run side by side, at most
   `workers` at once; at most `capacity` messages wait in all, so a flood
   waits at the door (the transport's `await`) instead of piling up in memory;
3. **LID resolution** — a sender known only by its `…@lid` is given its phone
   number from the transport's LID map, inside the sender's turn (so a slow
   lookup never reorders that sender's messages);
4. the handler (the router) runs; an exception it lets through is logged and
   counted as `Outcome.ERROR` (the router has its own boundary; this one is
   the last resort).

`await pipeline(msg)` returns once the message has been handled completely
(replies sent), with the handler's outcome — the console reads one line after
the other this way, and tests assert on what happened.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import logging
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from core.boundary import guarded
from core.chat_port import IncomingMessage

log = logging.getLogger(__name__)

DEDUP_CAPACITY = 10_000
STOP_WAIT_SECONDS = 30.0


class Outcome(str, enum.Enum):
    """What became of one incoming message (the router's and the pipeline's answers)."""

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


Handler = Callable[[IncomingMessage], Awaitable[Any]]
LidResolver = Callable[[str], Awaitable[str | None]]


@dataclass
class _SeenIds:
    """The last `capacity` (chat, message id) pairs."""

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
class InboundPipeline:
    handle: Handler
    resolve_lid: LidResolver | None = None
    workers: int = 8              # senders handled at the same time
    capacity: int = 500           # messages accepted and not yet handled, all senders together
    _seen: _SeenIds = field(default_factory=_SeenIds)
    _waiting: dict[str, deque] = field(default_factory=dict)
    _drainers: dict[str, asyncio.Task] = field(default_factory=dict)
    _room: asyncio.Semaphore | None = None
    _turns: asyncio.Semaphore | None = None

    async def __call__(self, msg: IncomingMessage) -> Any:
        if not self._seen.first_time((msg.chat_id, msg.message_id)):
            return Outcome.DUPLICATE
        if not (msg.text or "").strip() and msg.document is None:
            return Outcome.EMPTY
        if self._room is None:
            self._room, self._turns = asyncio.Semaphore(self.capacity), asyncio.Semaphore(self.workers)
        await self._room.acquire()
        done: asyncio.Future = asyncio.get_running_loop().create_future()
        key = f"{msg.chat_id}|{msg.sender_key}"
        self._waiting.setdefault(key, deque()).append((msg, done))
        if key not in self._drainers:
            self._drainers[key] = asyncio.create_task(self._drain(key), name=f"inbound-{key}")
        return await asyncio.shield(done)

    @property
    def pending(self) -> int:
        return sum(len(q) for q in self._waiting.values())

    async def _drain(self, key: str) -> None:
        """Handle one sender's messages in order until none is waiting."""
        queue = self._waiting[key]
        done: asyncio.Future | None = None
        try:
            while queue:
                msg, done = queue.popleft()
                try:
                    async with self._turns:
                        outcome = await self._handle_one(msg)
                    done.set_result(outcome)
                finally:
                    self._room.release()
        finally:  # cancelled (shutdown): nobody waits for ever on a message that will not be handled
            if done is not None and not done.done():
                done.cancel()
            while queue:
                _msg, waiting = queue.popleft()
                waiting.cancel()
                self._room.release()
            self._waiting.pop(key, None)
            self._drainers.pop(key, None)

    async def _handle_one(self, msg: IncomingMessage) -> Any:
        msg = await self._with_phone(msg)
        async with guarded("handling a WhatsApp message", log, chat=msg.chat_id, message_id=msg.message_id) as g:
            return await self.handle(msg)
        return Outcome.ERROR if g.failed else None

    async def _with_phone(self, msg: IncomingMessage) -> IncomingMessage:
        if msg.sender_phone or not msg.sender_lid or self.resolve_lid is None:
            return msg
        async with guarded("LID lookup", log, traceback=False, lid=msg.sender_lid):
            phone = await self.resolve_lid(msg.sender_lid)
            if phone:
                return dataclasses.replace(msg, sender_phone=phone)
        return msg

    async def stop(self) -> None:
        """Let accepted messages finish (bounded wait), then cancel what is left."""
        running = list(self._drainers.values())
        if not running:
            return
        _done, late = await asyncio.wait(running, timeout=STOP_WAIT_SECONDS)
        if late:
            log.warning("inbound: %d message(s) not handled at shutdown", self.pending)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
