"""Connecting the fake gateway to a router the way the service does: through the inbound pipeline."""

from __future__ import annotations

from bot.inbound import InboundPipeline
from bot.router import Router
from bot.whatsapp.fake import FakeGateway


async def start_chat(gateway: FakeGateway, router: Router) -> InboundPipeline:
    """gateway → InboundPipeline (dedup, per-sender order, LID resolution) → router, as `bot/chat_service.py`."""
    pipeline = InboundPipeline(router.handle, resolve_lid=gateway.phone_for_lid)
    await gateway.start(pipeline)
    return pipeline
