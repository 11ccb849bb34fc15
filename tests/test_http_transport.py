"""The collection's HTTP transport (asyncio network backend under httpcore) against raw loopback servers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from jobs.sources.bounded_http import BodyTooLarge, bounded_get
from jobs.sources.http_transport import CollectionTransport, collection_transport

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4)


class RawServer:
    """An HTTP/1.1 server on loopback that answers each request with `body`; counts connections."""

    def __init__(self, body: bytes, *, close_after_response: bool = False, stall: bool = False):
        self.body = body
        self.close_after_response = close_after_response
        self.stall = stall
        self.connections = 0
        self.requests = 0
        self._server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    return
                self.requests += 1
                if self.stall:
                    await asyncio.sleep(30)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(self.body) + self.body)
                await writer.drain()
                if self.close_after_response:  # a keep-alive connection the server drops while idle
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1/likes"

    async def __aexit__(self, *exc) -> None:
        self._server.close()


async def get(http: httpx.AsyncClient, url: str, *, deadline: float = 5.0, cap: int = 20 * 2**20):
    return await bounded_get(http, url, params={"x": "1"}, headers={}, deadline_seconds=deadline,
                             max_body_bytes=cap)


async def test_keep_alive_connections_are_reused():
    server = RawServer(b'{"ok": true}')
    async with server as url, httpx.AsyncClient(transport=CollectionTransport(LIMITS)) as http:
        for _ in range(20):
            assert (await get(http, url)).content == b'{"ok": true}'
    assert server.requests == 20 and server.connections == 1


async def test_a_connection_the_server_dropped_while_idle_is_replaced_not_an_error():
    server = RawServer(b"[1]", close_after_response=True)
    async with server as url, httpx.AsyncClient(transport=CollectionTransport(LIMITS)) as http:
        for _ in range(5):
            assert (await get(http, url)).content == b"[1]"
            await asyncio.sleep(0.01)  # the loop sees the server's FIN before the next request
    assert server.connections == 5


async def test_a_large_body_arrives_whole_and_the_cap_still_holds():
    body = b'"' + b"a" * (6 * 2**20) + b'"'  # bigger than the read buffer's high-water mark
    async with RawServer(body) as url, httpx.AsyncClient(transport=CollectionTransport(LIMITS)) as http:
        assert (await get(http, url)).content == body
        with pytest.raises(BodyTooLarge):
            await get(http, url, cap=2**20)


async def test_timeouts_and_refused_connections_are_httpx_errors():
    async with RawServer(b"{}", stall=True) as url, httpx.AsyncClient(transport=CollectionTransport(LIMITS)) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(url, timeout=0.2)
        with pytest.raises(httpx.ConnectError):
            await http.get("http://127.0.0.1:9/", timeout=2)


def test_a_configured_proxy_keeps_httpx_default_transport(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(collection_transport(LIMITS), CollectionTransport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert collection_transport(LIMITS) is None
