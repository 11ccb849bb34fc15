"""The collection's HTTP transport: httpx on httpcore's pool, over a plain asyncio network backend.

Why: a collection cycle makes thousands of requests, and with httpx's default
transport a large share of the client's CPU per request went into the pool's
housekeeping, not into HTTP. Before and after every request httpcore asks each
pooled connection whether its socket is readable (a dropped keep-alive); with
anyio's streams every such question builds a dict of socket attributes, calls
`getpeername()` and polls the socket — 20 connections × 2 scans per request.
Here the stream is an asyncio `Protocol` that already knows: the event loop has
delivered any bytes or EOF that arrived, so "readable" is a flag, no syscall.
Writes and reads skip anyio's wrappers too.

Only the network layer is ours. HTTP/1.1 parsing, keep-alive and the pool stay
httpcore's (its documented `AsyncNetworkBackend` interface); the client stays an
`httpx.AsyncClient`, and errors are httpx's (`httpx.ReadTimeout`, `ConnectError`…),
so the bounds of `bounded_http.py` and the retries of `rapidapi.py` see the same
things as before. `collection_transport(limits)` returns None when the
environment configures a proxy: httpx's own transport then handles it as before.

`CollectionHttp` (what `fetch_deps` builds) is the `httpx.AsyncClient` on this
transport that also carries a `lean_http.LeanPool`: the collection's GETs
(`bounded_get`) go through that leaner path, anything else through httpx.
"""

from __future__ import annotations

import asyncio
import ssl
import typing
import urllib.request

import httpcore
import httpx

from jobs.sources.lean_http import LeanPool

READ_HIGH_WATER = 1 << 20  # stop reading the socket while this much is buffered and unread
READ_LOW_WATER = 1 << 18

_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (  # most specific first
    (httpcore.ConnectTimeout, httpx.ConnectTimeout), (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout), (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException), (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError), (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError), (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError), (httpcore.ProtocolError, httpx.ProtocolError),
)


def _mapped(exc: Exception) -> Exception:
    for source, target in _EXCEPTIONS:
        if isinstance(exc, source):
            return target(str(exc))
    return exc


class _Protocol(asyncio.Protocol):
    """Buffers what the loop receives; bounded by pausing the socket above READ_HIGH_WATER."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False  # EOF or connection lost
        self.error: Exception | None = None
        self.paused = False
        self._waiter: asyncio.Future | None = None
        self._drain: asyncio.Future | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_HIGH_WATER and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.error = exc
        self._wake()
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    def pause_writing(self) -> None:
        self._drain = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)
        self._drain = None

    async def wait_data(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def drained(self) -> None:
        if self._drain is not None:
            await self._drain


class _Stream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        p = self._protocol
        if not p.buffer and not p.closed:
            try:
                async with asyncio.timeout(timeout):
                    while not p.buffer and not p.closed:
                        await p.wait_data()
            except TimeoutError:
                raise httpcore.ReadTimeout(f"no data within {timeout}s") from None
        if not p.buffer:
            if p.error is not None:
                raise httpcore.ReadError(str(p.error) or p.error.__class__.__name__)
            return b""  # the peer closed the connection
        data = bytes(p.buffer[:max_bytes])
        del p.buffer[:max_bytes]
        if p.paused and len(p.buffer) < READ_LOW_WATER and not p.closed:
            p.paused = False
            self._transport.resume_reading()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._protocol.closed or self._transport.is_closing():
            raise httpcore.WriteError("connection closed")
        self._transport.write(buffer)
        try:
            async with asyncio.timeout(timeout):
                await self._protocol.drained()
        except TimeoutError:
            raise httpcore.WriteTimeout(f"could not send within {timeout}s") from None

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> "_Stream":
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(self._transport, self._protocol, ssl_context,
                                                 server_hostname=server_hostname)
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"TLS handshake not done within {timeout}s") from None
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        self._protocol.transport = transport
        return _Stream(transport, self._protocol)

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":  # an idle keep-alive connection with data or EOF pending is finished
            return self._protocol.closed or bool(self._protocol.buffer)
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """TCP connections as asyncio protocols (TLS through `loop.start_tls`)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable | None = None) -> _Stream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    _Protocol, host, port, local_addr=(local_address, 0) if local_address else None)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection to {host}:{port} within {timeout}s") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        for option in socket_options or ():
            transport.get_extra_info("socket").setsockopt(*option)
        return _Stream(transport, protocol)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable | None = None) -> _Stream:
        raise httpcore.ConnectError("unix sockets are not used by the collection")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: typing.AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        try:
            async for part in self._stream:
                yield part
        except Exception as exc:
            if (mapped := _mapped(exc)) is exc:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        await self._stream.aclose()


class CollectionTransport(httpx.AsyncBaseTransport):
    """httpcore's HTTP/1.1 pool over `AsyncioBackend`, as an httpx transport."""

    def __init__(self, limits: httpx.Limits, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            http1=True, http2=False, network_backend=AsyncioBackend())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                             target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        try:
            resp = await self._pool.handle_async_request(req)
        except Exception as exc:
            if (mapped := _mapped(exc)) is exc:
                raise
            raise mapped from exc
        return httpx.Response(status_code=resp.status, headers=resp.headers, stream=_ResponseStream(resp.stream),
                              extensions=resp.extensions)

    async def aclose(self) -> None:
        await self._pool.aclose()


class CollectionHttp(httpx.AsyncClient):
    """The collection's client (`fetch_deps`): an `httpx.AsyncClient` on `CollectionTransport`, carrying `lean`,
    the `LeanPool` that `bounded_get` sends its GETs through. With a proxy configured there is no lean pool
    and the transport is httpx's own (which honours the proxy)."""

    def __init__(self, limits: httpx.Limits) -> None:
        transport = collection_transport(limits)
        super().__init__(limits=limits, transport=transport)
        self.lean: LeanPool | None = LeanPool(limits) if transport is not None else None

    async def aclose(self) -> None:
        if self.lean is not None:
            await self.lean.aclose()
        await super().aclose()

    async def __aexit__(self, *exc) -> None:
        if self.lean is not None:
            await self.lean.aclose()
        await super().__aexit__(*exc)


def collection_transport(limits: httpx.Limits) -> CollectionTransport | None:
    """The collection's transport; None (httpx's default, which honours it) when a proxy is configured."""
    proxies = urllib.request.getproxies()
    if any(proxies.get(scheme) for scheme in ("http", "https", "all")):
        return None
    return CollectionTransport(limits)
