"""The collection's HTTP transport (asyncio network backend under httpcore) against raw loopback servers."""

from __future__ import annotations

import asyncio
import gzip

import httpx
import pytest

from jobs.sources.bounded_http import BodyTooLarge, DeadlinePassed, bounded_get
from jobs.sources.http_transport import CollectionHttp, CollectionTransport, collection_transport

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4)


class RawServer:
    """An HTTP/1.1 server on loopback that answers each request with `body`; counts connections."""

    def __init__(self, body: bytes, *, close_after_response: bool = False, stall: bool = False,
                 framing: str = "length", extra_headers: bytes = b""):
        self.body = body
        self.close_after_response = close_after_response
        self.stall = stall
        self.framing = framing  # "length" (Content-Length), "chunked", or "eof" (the body ends with the connection)
        self.extra_headers = extra_headers
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
                writer.write(self._answer())
                await writer.drain()
                if self.framing == "eof":
                    return
                if self.close_after_response:  # a keep-alive connection the server drops while idle
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    def _answer(self) -> bytes:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + self.extra_headers
        if self.framing == "chunked":
            half = len(self.body) // 2
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (self.body[:half], self.body[half:]) if c)
            return head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
        if self.framing == "eof":
            return head + b"Connection: close\r\n\r\n" + self.body
        return head + b"Content-Length: %d\r\n\r\n" % len(self.body) + self.body

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


# ---------------------------------------------------------------------- the lean GET path (CollectionHttp)

async def test_lean_path_reuses_kept_alive_connections():
    server = RawServer(b'{"ok": true}')
    async with server as url, CollectionHttp(LIMITS) as http:
        for _ in range(20):
            answer = await get(http, url)
            assert (answer.status_code, answer.content) == (200, b'{"ok": true}')
            assert answer.headers["content-type"] == "application/json"
    assert server.requests == 20 and server.connections == 1


async def test_lean_path_replaces_a_connection_the_server_closed_even_without_waiting():
    server = RawServer(b"[1]", close_after_response=True)
    async with server as url, CollectionHttp(LIMITS) as http:
        for _ in range(5):  # no pause: the next request may race the server's FIN, and is sent again
            assert (await get(http, url)).content == b"[1]"
    assert server.connections == 5


@pytest.mark.parametrize("framing", ["length", "chunked", "eof"])
async def test_lean_path_reads_every_body_framing_whole(framing):
    body = b'{"names": "' + b"a" * 300_000 + b'"}'
    async with RawServer(body, framing=framing) as url, CollectionHttp(LIMITS) as http:
        for _ in range(2):
            assert (await get(http, url)).content == body


async def test_lean_path_keeps_the_caps_and_decodes_gzip():
    body = b'"' + b"a" * (6 * 2**20) + b'"'
    async with RawServer(body) as url, CollectionHttp(LIMITS) as http:
        assert (await get(http, url)).content == body
        with pytest.raises(BodyTooLarge):
            await get(http, url, cap=2**20)
        assert (await get(http, url)).content == body  # the dropped connection is not reused
    packed = gzip.compress(body)
    async with RawServer(packed, extra_headers=b"Content-Encoding: gzip\r\n") as url, CollectionHttp(LIMITS) as http:
        assert (await get(http, url)).content == body
        with pytest.raises(BodyTooLarge):
            await get(http, url, cap=2**20)


async def test_lean_path_deadline_and_refusal():
    async with RawServer(b"{}", stall=True) as url, CollectionHttp(LIMITS) as http:
        with pytest.raises(DeadlinePassed):
            await get(http, url, deadline=0.2)
        with pytest.raises(httpx.ConnectError):
            await get(http, "http://127.0.0.1:9/")


async def test_lean_path_refuses_a_header_that_would_split_the_request():
    server = RawServer(b"{}")
    async with server as url, CollectionHttp(LIMITS) as http:
        for bad in ({"X-RapidAPI-Key": "k\r\nX-Injected: 1"}, {"X-RapidAPI-Key": "kunci\u2603"}):
            with pytest.raises(httpx.LocalProtocolError):
                await bounded_get(http, url, params={}, headers=bad, deadline_seconds=5, max_body_bytes=1024)
    assert server.requests == 0
