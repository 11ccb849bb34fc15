"""A programmable HTTP server on loopback for tests (Google Sheet export, etc.)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jobs.sources.loopback import LoopbackServer


@dataclass
class Canned:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain; charset=utf-8"


Handler = Callable[[Request], Canned]


class FakeHttpServer:
    """Register `(method, path) -> Canned | callable`; every request is recorded."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Canned | Handler] = {}
        self.requests: list[Request] = []
        app = Starlette(routes=[Route("/{path:path}", self._dispatch, methods=["GET", "POST", "HEAD", "PUT"])])
        self._server = LoopbackServer(app)

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def route(self, method: str, path: str, response: Canned | Handler) -> None:
        self.routes[(method.upper(), path)] = response

    async def _dispatch(self, request: Request) -> Response:
        self.requests.append(request)
        entry = self.routes.get((request.method, request.url.path))
        if entry is None:
            return Response("not found", status_code=404)
        canned = entry(request) if callable(entry) else entry
        body = canned.body.encode() if isinstance(canned.body, str) else canned.body
        return Response(body, status_code=canned.status, headers=canned.headers, media_type=canned.content_type)

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()
