"""The collection's GETs without httpx's per-request machinery: HTTP/1.1 keep-alive over asyncio, parsed by httptools.

Why: a collection cycle makes ~4,500 requests and the cicero process is the
busiest part of it. Per likers page (51 KB) the client spent ~2.3 ms CPU, of
which httpx's request and response building (URL and query objects, header
merging, cookie extraction, the auth/redirect loop) took ~0.7 ms and httpcore's
pool with h11's pure-Python parsing ~0.9 ms. Here one request is a formatted
byte string and the answer is parsed in C by httptools (already a dependency,
uvicorn's parser): ~0.15 ms.

Only what `bounded_http.bounded_get` needs: GET, the raw (still encoded) body
up to a cap, keep-alive reuse, TLS, and httpx's exception classes for network
trouble, so the deadline, the decoded-body cap and the retries above it see the
same things as on httpx's path. `jobs/sources/http_transport.py: CollectionHttp`
is the `httpx.AsyncClient` that carries a `LeanPool`; `bounded_get` uses the
pool when its client has one.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httptools
import httpx

USER_AGENT = f"python-httpx/{httpx.__version__}"  # what the upstream saw before; nothing depends on it


class RawBodyTooLarge(Exception):
    """The body (as sent, before decoding) passed the cap; the connection was dropped."""


@dataclass(frozen=True)
class RawAnswer:
    status_code: int
    headers: httpx.Headers
    body: bytes  # as sent: still gzip/deflate-encoded when Content-Encoding says so


def query_string(params: dict[str, Any]) -> str:
    """`params` encoded as httpx encodes them (True → "true", None → "")."""
    return urlencode([(k, "true" if v is True else "false" if v is False else "" if v is None else v)
                      for k, v in params.items()])


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: at most one request in flight; the answer is parsed as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.idle_since = time.monotonic()
        self._answer: asyncio.Future | None = None
        self._cap = 0
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._body = bytearray()
        self._complete = False
        self._got_bytes = False
        self._too_large = False
        self._keep_alive = False

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self._answer is None:  # bytes nobody asked for: the connection cannot be trusted any more
            self._drop()
            return
        self._got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed HTTP answer: {exc}"))
        if self._too_large:
            self._fail(RawBodyTooLarge(f"body over {self._cap:,} bytes"))

    def eof_received(self) -> bool:
        self._lost(None)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost(exc)

    # ------------------------------------------------------------------ httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        if len(self._body) + len(body) > self._cap:
            self._too_large = True  # raised from data_received (httptools wraps a callback's exception)
        elif not self._too_large:
            self._body += body

    def on_message_complete(self) -> None:
        self._complete = True
        self._keep_alive = self.parser.should_keep_alive()  # only known here: the parser resets after
        if self._answer is not None and not self._answer.done() and not self._too_large:
            self._answer.set_result(None)

    # ------------------------------------------------------------------ use

    def reusable(self, expiry: float) -> bool:
        return not self.closed and time.monotonic() - self.idle_since < expiry

    async def request(self, head: bytes, cap: int) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
        """Send `head`; (status, raw headers, raw body, keep-alive). Raises httpx errors or RawBodyTooLarge."""
        self._answer = asyncio.get_running_loop().create_future()
        self._cap, self._status, self._headers, self._body = cap, 0, [], bytearray()
        self._complete = self._got_bytes = self._too_large = self._keep_alive = False
        try:
            self.transport.write(head)
            await self._answer
            keep = self._keep_alive and not self.closed
            return self._status, self._headers, bytes(self._body), keep
        finally:
            self._answer = None
            self.idle_since = time.monotonic()

    @property
    def answered_nothing(self) -> bool:
        """True when the last request got no byte back (a kept-alive connection the server had closed)."""
        return not self._got_bytes

    def _fail(self, exc: Exception) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(exc)
        self._drop()

    def _lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._answer is None or self._answer.done():
            return
        if self._status and not self._complete and self._ends_at_eof():
            self._complete = True  # no length and not chunked: the body ends with the connection
            self._answer.set_result(None)
            return
        text = "server disconnected without sending a complete answer"
        self._answer.set_exception(httpx.ReadError(f"{text}: {exc}") if exc else httpx.RemoteProtocolError(text))

    def _ends_at_eof(self) -> bool:
        names = {name.lower() for name, _ in self._headers}
        return b"content-length" not in names and b"transfer-encoding" not in names

    def _drop(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def close(self) -> None:
        self._drop()


class LeanPool:
    """Kept-alive connections per (scheme, host, port), at most `max_connections` requests at once."""

    def __init__(self, limits: httpx.Limits, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._max = limits.max_connections or 100
        self._keep = limits.max_keepalive_connections if limits.max_keepalive_connections is not None else self._max
        self._expiry = limits.keepalive_expiry if limits.keepalive_expiry is not None else 5.0
        self._ssl = ssl_context
        self._slots: asyncio.Semaphore | None = None
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}

    async def get(self, url: str, params: dict[str, Any], headers: dict[str, str], *, max_body: int) -> RawAnswer:
        """GET `url` with `params`; the raw answer, its body at most `max_body` bytes as sent."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise httpx.UnsupportedProtocol(f"cannot GET {url!r}")
        port = parts.port or (443 if scheme == "https" else 80)
        target = (parts.path or "/") + "?" + "&".join(q for q in (parts.query, query_string(params)) if q)
        head = _request_head(target, parts.netloc, headers)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max)
        async with self._slots:
            return await self._send((scheme, parts.hostname, port), head, max_body)

    async def _send(self, key: tuple[str, str, int], head: bytes, cap: int) -> RawAnswer:
        for attempt in (1, 2):
            conn, reused = await self._connection(key)
            try:
                status, raw_headers, body, keep = await conn.request(head, cap)
            except httpx.TransportError:
                conn.close()
                if reused and conn.answered_nothing and attempt == 1:
                    continue  # the server had closed the idle connection: once more on a new one
                raise
            except BaseException:  # cancelled (the deadline), body too large: the connection is mid-answer
                conn.close()
                raise
            self._release(key, conn, keep)
            return RawAnswer(status, httpx.Headers(raw_headers), body)
        raise AssertionError("unreachable")

    async def _connection(self, key: tuple[str, str, int]) -> tuple[_Connection, bool]:
        idle = self._idle.get(key, [])
        while idle:
            conn = idle.pop()
            if conn.reusable(self._expiry):
                return conn, True
            conn.close()
        scheme, host, port = key
        loop = asyncio.get_running_loop()
        tls = None
        if scheme == "https":
            tls = self._ssl = self._ssl or httpx.create_ssl_context()
        try:
            _, conn = await loop.create_connection(_Connection, host, port, ssl=tls,
                                                   server_hostname=host if tls else None)
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or exc.__class__.__name__) from exc
        return conn, False

    def _release(self, key: tuple[str, str, int], conn: _Connection, keep: bool) -> None:
        idle = self._idle.setdefault(key, [])
        if keep and not conn.closed and len(idle) < self._keep:
            idle.append(conn)
        else:
            conn.close()

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


_DEFAULT_HEADERS = (("Accept", "*/*"), ("Connection", "keep-alive"), ("User-Agent", USER_AGENT))  # httpx's


def _request_head(target: str, netloc: str, headers: dict[str, str]) -> bytes:
    given = {name.lower() for name in headers}
    lines = [f"GET {target} HTTP/1.1", f"Host: {netloc}"]
    lines += [f"{name}: {value}" for name, value in _DEFAULT_HEADERS if name.lower() not in given]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if any("\r" in line or "\n" in line for line in lines):
        raise httpx.LocalProtocolError("a header or the target holds a line break")
    try:
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    except UnicodeEncodeError:
        raise httpx.LocalProtocolError("a header holds characters HTTP cannot carry") from None
