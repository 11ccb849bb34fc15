"""`RequestGuard`: what every request goes through before any router sees it (pure ASGI middleware).

* **Client address.** `X-Forwarded-For` is believed only when the connecting
  address is in `[api] trusted_proxies` (default: none); then the client is the
  right-most address in the header that is not itself a trusted proxy. The
  result replaces `scope["client"]`, so login throttling and the login log
  see the same address as everything else.
* **Body size.** A body larger than `[api] max_body_bytes` gets 413 before
  anything parses it: at once when `Content-Length` says so, else as soon as the
  streamed (chunked) body passes the limit. The body is read here and replayed
  to the app, so the app never holds more than the limit either.
* **Header size.** A request line + headers over `[api] max_header_bytes`
  gets 431. (The HTTP server already refuses, with 400, headers that arrive in
  pieces past that size, so it never buffers much more than one read.)
* **Query size.** More than `[api] max_list_items` query values in one request
  gets 422 (a list parameter repeated thousands of times).
* **Headers on every answer.** `X-Content-Type-Options: nosniff`,
  `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`, and on `/api/…`
  (personal data) `Cache-Control: no-store` unless the route set its own.

"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
NO_STORE = (b"cache-control", b"no-store")
PERSONAL_DATA_PREFIX = "/api/"


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int
    max_list_items: int
    max_header_bytes: int
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def from_settings(cls, api) -> "Limits":
        return cls(api.max_body_bytes, api.max_list_items, api.max_header_bytes,
                   tuple(ipaddress.ip_network(n, strict=False) for n in api.trusted_proxies))

    def trusts(self, address: str | None) -> bool:
        if not address or not self.trusted_proxies:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted_proxies)


def client_address(peer: str | None, forwarded_for: str | None, limits: Limits) -> str | None:
    """The address a request is from: the peer, or (behind a trusted proxy) the first untrusted hop."""
    if not forwarded_for or not limits.trusts(peer):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not limits.trusts(hop):
            return _valid_ip(hop) or peer
    return _valid_ip(hops[0]) if hops else peer


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _header(scope: Scope, name: bytes) -> str | None:
    values = [v for k, v in scope.get("headers") or [] if k.lower() == name]
    return b",".join(values).decode("latin-1") if values else None


async def send_json_error(send: Send, status: int, message: str, reason: str) -> None:
    body = json.dumps({"success": False, "message": message, "reason": reason}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *SECURITY_HEADERS, NO_STORE]})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


class RequestGuard:
    def __init__(self, app: ASGIApp, limits: Limits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        if peer:
            address = client_address(peer[0], _header(scope, b"x-forwarded-for"), self.limits)
            scope = {**scope, "client": (address, peer[1])}
        if self._header_bytes(scope) > self.limits.max_header_bytes:
            await send_json_error(send, 431, f"Header permintaan terlalu besar (maksimal "
                                  f"{self.limits.max_header_bytes} byte)", "headers_too_large")
            return
        if self._too_many_query_items(scope):
            await send_json_error(send, 422, f"Terlalu banyak parameter (maksimal {self.limits.max_list_items})",
                                  "validation_error")
            return
        try:
            replay = await self._read_body(scope, receive)
        except BodyTooLarge:
            await send_json_error(send, 413, f"Isi permintaan terlalu besar (maksimal "
                                  f"{self.limits.max_body_bytes} byte)", "payload_too_large")
            return
        await self.app(scope, replay, self._with_headers(scope, send))

    @staticmethod
    def _header_bytes(scope: Scope) -> int:
        return (len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
                + sum(len(k) + len(v) + 4 for k, v in scope.get("headers") or []))

    def _too_many_query_items(self, scope: Scope) -> bool:
        query = scope.get("query_string") or b""
        if not query:
            return False
        try:
            parse_qsl(query.decode("latin-1"), keep_blank_values=True, max_num_fields=self.limits.max_list_items)
        except ValueError:
            return True
        return False

    async def _read_body(self, scope: Scope, receive: Receive) -> Receive:
        """Read the whole body (bounded), and return a `receive` that hands it to the app once."""
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                if int(declared.split(",")[0].strip()) > self.limits.max_body_bytes:
                    raise BodyTooLarge
            except ValueError:
                pass  # the HTTP server refuses malformed lengths itself
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # disconnect: let the app see it
                first = message
                break
            size += len(message.get("body", b""))
            if size > self.limits.max_body_bytes:
                raise BodyTooLarge
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                first = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                break
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return first
            return await receive()

        return replay

    @staticmethod
    def _with_headers(scope: Scope, send: Send) -> Send:
        personal = scope.get("path", "").startswith(PERSONAL_DATA_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                extra = [h for h in SECURITY_HEADERS if h[0] not in present]
                if personal and NO_STORE[0] not in present:
                    extra.append(NO_STORE)
                message = {**message, "headers": headers + extra}
            await send(message)

        return send_with_headers
