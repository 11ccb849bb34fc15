"""Serve an ASGI app on 127.0.0.1 on a free port, inside the running loop.

Used by the fake RapidAPI (tests and `cicero demo`) and by test HTTP fakes:
real sockets, real HTTP, nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import uvicorn


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
        # proto IPPROTO_TCP (not 0): asyncio sets TCP_NODELAY only on sockets that say they are TCP, and an
        # accepted socket inherits it; without it Nagle holds each answer's body until the client's delayed
        # ACK of the headers — 40 ms per request on a kept-alive connection
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
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
