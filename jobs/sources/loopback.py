"""Serve an ASGI app on 127.0.0.1 on a free port, inside the running loop.

Used by the fake RapidAPI (tests and `cicero demo`) and by test HTTP fakes:
real sockets, real HTTP, nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import uvicorn

from core.listening import tcp_listener


@dataclass
class LoopbackServer:
    app: object
    host: str = "127.0.0.1"
    port: int = 0
    _server: uvicorn.Server | None = None
    _task: asyncio.Task | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> "LoopbackServer":
        sock = tcp_listener(self.host, self.port)   # TCP_NODELAY on every answer (see core/listening.py)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # the host process owns signals
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await self._task
