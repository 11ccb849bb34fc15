"""`ApiPart`: the HTTP API served by uvicorn inside the service loop (`cicero run`, `cicero api`).

The socket is bound in `start()`, so a busy port is one clear error at start-up
(`ApiPortBusy`, exit 4). uvicorn does not install signal handlers here: the host
process owns SIGINT/SIGTERM and stops parts in order. The HTTP server is h11
with `[api] max_header_bytes` as its limit for a request line + headers, and it
does not read `X-Forwarded-For` itself (`bot/api/limits.py` does, for
`[api] trusted_proxies` only).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
from pathlib import Path
from typing import Any, Callable

import h11
import uvicorn
from pydantic import SecretStr
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.api.app import create_app
from bot.api.deps import ApiDeps
from core.listening import tcp_listener
from core.settings import ConfigError, Settings

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0


class ApiPortBusy(Exception):
    """The API's address cannot be listened on; the message names it and what to change."""


class _JsonH11Protocol(H11Protocol):
    """uvicorn's h11 server, answering requests it cannot parse (headers too large…) with JSON."""

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"success": False, "message": "Permintaan HTTP tidak valid atau header terlalu besar",
                           "reason": "bad_request"}).encode()
        event = h11.Response(status_code=400, reason=b"Bad Request", headers=[
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")])
        self.transport.write(self.conn.send(event))
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


def check_api_settings(settings: Settings) -> None:
    """Refuse an explicitly configured example JWT secret outside development (one clear line).

    With no secret configured at all, a random one is generated once and kept
    beside the data directory (`generated_secret_path`), so a zero-setup start
    works and tokens survive restarts, without ever using a publicly known value.
    """
    api = settings.api
    if not api.uses_example_secret() or settings.is_development:
        return
    if "jwt_secret" in api.model_fields_set or api.jwt_secret_file:
        raise ConfigError([
            "api.jwt_secret: the example secret is only allowed with [general] environment = \"development\"; "
            "set CICERO_API__JWT_SECRET or [api] jwt_secret_file"
        ])
    path = generated_secret_path(settings)
    try:
        api.jwt_secret = SecretStr(load_or_create_secret(path))
    except OSError as exc:
        raise ConfigError([f"database.data_dir: cannot keep the generated JWT secret in {path}: {exc.strerror}; "
                           "choose a writable data_dir or set CICERO_API__JWT_SECRET"]) from None
    log.warning("no [api] jwt_secret configured: using the generated one in %s "
                "(set CICERO_API__JWT_SECRET to choose your own)", path)


def generated_secret_path(settings: Settings) -> Path:
    return Path(settings.database.data_dir).resolve().parent / "jwt-secret"


def load_or_create_secret(path: Path) -> str:
    """Read the secret at `path`, or write a new random one there (mode 0600)."""
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


class _HostedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):  # the host process owns signals
        yield


class ApiPart:
    name = "api"

    def __init__(self, deps: ApiDeps, *, host: str | None = None, port: int | None = None):
        check_api_settings(deps.settings)
        self.deps = deps
        self.host = host or deps.settings.api.host
        self.port = deps.settings.api.port if port is None else port
        self.app = create_app(deps)
        self._server: _HostedServer | None = None
        self._task: asyncio.Task | None = None

    @classmethod
    def from_context(cls, app_context: Any, peers: Callable[[], list[Any]] | list[Any] = ()) -> "ApiPart":
        peer_fn = peers if callable(peers) else (lambda: list(peers))
        deps = ApiDeps(settings=app_context.settings, db=app_context.db.pool, clock=app_context.clock, peers=peer_fn)
        return cls(deps)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _bind(self) -> socket.socket:
        try:
            sock = tcp_listener(self.host, self.port)
        except OSError as exc:
            raise ApiPortBusy(f"api.port: the HTTP API cannot listen on {self.host}:{self.port}: {exc.strerror}; "
                              "change [api] port (CICERO_API__PORT) or stop the other process") from None
        sock.listen(2048)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        return sock

    async def start(self) -> None:
        sock = self._bind()
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=5, backlog=2048, http=_JsonH11Protocol,
                                h11_max_incomplete_event_size=self.deps.settings.api.max_header_bytes,
                                proxy_headers=False, server_header=False)
        self._server = _HostedServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="api-server")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if self._task.done():
                exc = self._task.exception()
                raise RuntimeError(f"HTTP API failed to start: {exc!r}")
            if loop.time() > deadline:
                raise RuntimeError("HTTP API did not start within 10 s")
            await asyncio.sleep(0.01)
        log.info("HTTP API listening on %s", self.base_url)

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            self._server.force_exit = True
            await self._task
        self._server = self._task = None

    def health(self) -> dict:
        return {"status": "ok" if self._server and self._server.started else "down"}
