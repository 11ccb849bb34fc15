"""The inbound pipeline: once per message dedup, per-sender order, LID resolution, a bounded backlog."""

from __future__ import annotations

import asyncio

from bot.inbound import InboundPipeline, Outcome
from bot.whatsapp.fake import FakeGateway

A, B = "6281100000001", "6281100000002"


class Recorder:
    """A handler that records what it handled; messages whose text is in `gates` wait for their gate."""

    def __init__(self):
        self.handled: list[tuple[str | None, str]] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.entered: dict[str, asyncio.Event] = {}

    def gate(self, text: str) -> asyncio.Event:
        self.entered[text] = asyncio.Event()
        self.gates[text] = asyncio.Event()
        return self.gates[text]

    async def __call__(self, msg):
        if msg.text in self.gates:
            self.entered[msg.text].set()
            await self.gates[msg.text].wait()
        self.handled.append((msg.sender_phone, msg.text))
        return Outcome.REPLIED


async def test_one_senders_messages_are_handled_in_order_while_another_sender_goes_on():
    gw, rec = FakeGateway(), Recorder()
    await gw.start(InboundPipeline(rec))
    release = rec.gate("lambat")
    first = asyncio.create_task(gw.inject("lambat", phone=A))
    second = asyncio.create_task(gw.inject("kedua", phone=A))
    await rec.entered["lambat"].wait()
    assert await gw.inject("lain", phone=B) is Outcome.REPLIED  # B is not stuck behind A's slow message
    assert rec.handled == [(B, "lain")]
    release.set()
    assert await first is Outcome.REPLIED and await second is Outcome.REPLIED
    assert rec.handled == [(B, "lain"), (A, "lambat"), (A, "kedua")]


async def test_duplicates_and_empty_texts_never_reach_the_handler():
    gw, rec = FakeGateway(), Recorder()
    await gw.start(InboundPipeline(rec))
    assert await gw.inject("help", phone=A, message_id="M1") is Outcome.REPLIED
    assert await gw.inject("help", phone=A, message_id="M1") is Outcome.DUPLICATE
    assert await gw.inject("help", phone=A, message_id="M1", chat="120363000000000001@g.us") is Outcome.REPLIED
    assert await gw.inject("   ", phone=A) is Outcome.EMPTY
    assert len(rec.handled) == 2


async def test_a_lid_sender_gets_its_number_before_the_handler_sees_it():
    gw, rec = FakeGateway(lid_map={"555@lid": A}), Recorder()
    await gw.start(InboundPipeline(rec, resolve_lid=gw.phone_for_lid))
    await gw.inject("help", phone=None, lid="555@lid", chat="555@lid")
    await gw.inject("help", phone=None, lid="777@lid", chat="777@lid")  # not in the map: stays unknown
    assert rec.handled == [(A, "help"), (None, "help")]


async def test_the_backlog_is_bounded_and_a_flood_waits_at_the_door():
    gw, rec = FakeGateway(), Recorder()
    pipeline = InboundPipeline(rec, capacity=2)
    await gw.start(pipeline)
    release = rec.gate("blok")
    tasks = [asyncio.create_task(gw.inject("blok", phone=A, message_id=f"F{i}")) for i in range(5)]
    await rec.entered["blok"].wait()
    for _ in range(5):
        await asyncio.sleep(0)
    assert pipeline.pending == 1  # capacity 2: one handling, one waiting; three wait to be accepted
    release.set()
    assert [await t for t in tasks] == [Outcome.REPLIED] * 5


async def test_a_handler_failure_is_contained_and_the_next_message_runs(caplog):
    async def flaky(msg):
        if msg.text == "meledak":
            raise RuntimeError("bug")
        return Outcome.REPLIED

    gw = FakeGateway()
    await gw.start(InboundPipeline(flaky))
    assert await gw.inject("meledak", phone=A) is Outcome.ERROR
    assert await gw.inject("help", phone=A) is Outcome.REPLIED
    assert "handling a WhatsApp message failed" in caplog.text
