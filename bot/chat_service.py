"""The WhatsApp service part: a transport (neonize or console) feeding the inbound pipeline and the router.

`build_chat_part(app, reporter, collection=…)` picks the transport
(`options["transport"]` from `cicero console`, else `[whatsapp] transport`)
and builds transport → `InboundPipeline` → `Router` with the command registry,
the service's collector (for `fetch` and dirrequest 12–16) and the task queue.
The part's `gateway` is shared with the outbox sender, so scheduled messages
go out through the same connection (and appear in `cicero console`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.inbound import InboundPipeline
from bot.router import Router
from core.chat_port import ChatGateway
from core.reporting import Reporter
from db.bot_status import whatsapp_device_count
from handlers.context import Collect
from handlers.registry import all_commands
from jobs.queue.model import TaskQueue

log = logging.getLogger(__name__)


@dataclass
class ChatPart:
    gateway: ChatGateway
    router: Router
    pipeline: InboundPipeline
    name: str = "whatsapp"

    async def start(self) -> None:
        purged = await self.router.sessions.purge_expired()
        if purged:
            log.info("removed %d expired conversation(s)", purged)
        await self.gateway.start(self.pipeline)

    def health(self) -> dict:
        """For /api/health: transport, connected, logged in, since (no numbers, no secrets)."""
        state = self.gateway.connection_state()
        logged_out = state.detail in ("LoggedOut", "StreamReplaced", "TemporaryBan")
        status = "ok" if state.connected else ("logged_out" if logged_out else "down")
        return {
            "status": status,
            "transport": self.gateway.name,
            "connected": state.connected,
            "logged_in": state.logged_in,
            "since": state.since.isoformat() if state.since else None,
            "detail": state.detail,
        }

    async def stop(self) -> None:
        try:
            await self.pipeline.stop()  # messages already accepted are answered while still connected
        finally:
            await self.gateway.stop()


def build_gateway(app, reporter: Reporter) -> ChatGateway:
    """The transport named by `options["transport"]` or `[whatsapp] transport`."""
    s = app.settings
    transport = app.options.get("transport") or s.whatsapp.transport
    if transport == "console":
        from bot.whatsapp.console import ConsoleGateway

        phone = app.options.get("console_as") or (s.whatsapp.admins[0] if s.whatsapp.admins else "6280000000000")
        return ConsoleGateway(phone=phone, clock=app.clock, on_eof=app.options.get("on_eof"),
                              files_dir=Path(s.whatsapp.console_files_dir))
    from bot.whatsapp.neonize_adapter import NeonizeGateway, session_store_url

    target = app.db.target

    async def is_paired() -> bool:
        return await whatsapp_device_count(app.db.pool) > 0

    return NeonizeGateway(
        session_url=session_store_url(target.dsn, target.password),
        session_name=s.whatsapp.session_name,
        clock=app.clock,
        reporter=reporter,
        ignore_older_than=timedelta(seconds=s.whatsapp.ignore_older_than_seconds),
        pair_phone=app.options.get("pair_phone"),
        print_line=lambda text: app.console.print(text, markup=False, highlight=False),
        is_paired=is_paired,
    )


def build_chat_part(app, reporter: Reporter, *, collection: Collect | None = None,
                    task_queue: TaskQueue | None = None) -> ChatPart:
    gateway = build_gateway(app, reporter)
    router = Router(
        settings=app.settings,
        pool=app.db.pool,
        clock=app.clock,
        reporter=reporter,
        gateway=gateway,
        commands=all_commands(),
        collection=collection,
        task_queue=task_queue,
    )
    return ChatPart(gateway=gateway, router=router,
                    pipeline=InboundPipeline(router.handle, resolve_lid=gateway.phone_for_lid))
