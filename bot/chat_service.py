"""The WhatsApp service part: a transport (neonize or console) feeding the router.

`build_chat_part(app, reporter)` picks the transport (`options["transport"]`
from `cicero console`, else `[whatsapp] transport`) and builds the router with
the command registry and a collection starter for `fetch`. The part's
`gateway` is shared with the outbox sender, so scheduled messages go out
through the same connection (and appear in `cicero console`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable

from bot.router import Router
from core.chat_port import ChatGateway
from handlers.context import CollectionBusy
from handlers.registry import all_commands
from core.reporting import Reporter

log = logging.getLogger(__name__)

DepsFactory = Callable[[], Any]  # () -> async context manager yielding jobs.fetch.FetchDeps


@dataclass
class AdminCollection:
    """`handlers.context.CollectionStarter` over `jobs.fetch.run_cycle(trigger="admin")`.

    Owns one FetchDeps (one shared HTTP client) between `open()` and `close()`.
    A second admin request while one admin run is in flight is refused with a
    clear message (the scheduled run, if any, is handled by run_cycle's own lock:
    an admin run then waits for it and reports `queued`).
    """

    deps_factory: DepsFactory
    runner: Any = None  # jobs.fetch.ClientRunner; the queue's QueueRunner when [queue] url is set
    _cm: Any = None
    _deps: Any = None
    _busy: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def open(self) -> None:
        self._cm = self.deps_factory()
        self._deps = await self._cm.__aenter__()

    async def close(self) -> None:
        if self._cm is not None:
            await self._cm.__aexit__(None, None, None)
            self._cm = self._deps = None

    async def __call__(self, client_id: str | None = None) -> Any:
        from jobs.fetch import run_cycle

        if self._deps is None:
            raise RuntimeError("collection is not open")
        if self._busy.locked():
            raise CollectionBusy("⏳ Pengambilan data yang diminta admin masih berjalan. Tunggu hasilnya dulu.")
        async with self._busy:
            return await run_cycle(self._deps, client_ids=[client_id] if client_id else None, trigger="admin",
                                   runner=self.runner)


@dataclass
class ChatPart:
    gateway: ChatGateway
    router: Router
    collection: AdminCollection | None = None
    name: str = "whatsapp"

    async def start(self) -> None:
        purged = await self.router.sessions.purge_expired()
        if purged:
            log.info("removed %d expired conversation(s)", purged)
        if self.collection is not None:
            await self.collection.open()
        await self.gateway.start(self.router.handle)

    def health(self) -> dict:
        """For /api/health: transport, connected, logged in, since (no numbers, no secrets)."""
        getter = getattr(self.gateway, "connection_state", None)
        state = getter() if callable(getter) else None
        connected = state.connected if state else self.gateway.is_connected()
        logged_in = state.logged_in if state else connected
        logged_out = bool(state) and state.detail in ("LoggedOut", "StreamReplaced", "TemporaryBan")
        status = "ok" if connected else ("logged_out" if logged_out else "down")
        return {
            "status": status,
            "transport": self.gateway.name,
            "connected": connected,
            "logged_in": logged_in,
            "since": state.since.isoformat() if state and state.since else None,
            "detail": state.detail if state else "",
        }

    async def stop(self) -> None:
        try:
            await self.gateway.stop()
        finally:
            if self.collection is not None:
                await self.collection.close()


def build_gateway(app, reporter: Reporter) -> ChatGateway:
    """The transport named by `options["transport"]` or `[whatsapp] transport`."""
    s = app.settings
    transport = app.options.get("transport") or s.whatsapp.transport
    if transport == "console":
        from bot.whatsapp.console import ConsoleGateway

        phone = app.options.get("console_as") or (s.whatsapp.admins[0] if s.whatsapp.admins else "6280000000000")
        return ConsoleGateway(phone=phone, clock=app.clock, on_eof=app.options.get("on_eof"))
    from bot.whatsapp.neonize_adapter import NeonizeGateway, session_store_url

    target = app.db.target
    return NeonizeGateway(
        session_url=session_store_url(target.dsn, target.password),
        session_name=s.whatsapp.session_name,
        clock=app.clock,
        reporter=reporter,
        ignore_older_than=timedelta(seconds=s.whatsapp.ignore_older_than_seconds),
        pair_phone=app.options.get("pair_phone"),
        print_line=lambda text: app.console.print(text, markup=False, highlight=False),
    )


def build_chat_part(app, reporter: Reporter, *, deps_factory: DepsFactory | None = None) -> ChatPart:
    from jobs.fetch import fetch_deps

    gateway = build_gateway(app, reporter)
    factory = deps_factory or (lambda: fetch_deps(app.settings, app.db.pool, app.clock, reporter=reporter))
    collection = AdminCollection(factory)
    router = Router(
        settings=app.settings,
        pool=app.db.pool,
        clock=app.clock,
        reporter=reporter,
        gateway=gateway,
        commands=all_commands(),
        collection=collection,
    )
    return ChatPart(gateway=gateway, router=router, collection=collection)
