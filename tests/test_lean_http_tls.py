"""The lean collection GET path over TLS, as it talks to the real RapidAPI: certificate checked, name checked,
connection kept alive. A loopback HTTPS server with a certificate made for the test by `openssl`."""

from __future__ import annotations

import asyncio
import ssl
import subprocess

import httpx
import pytest

from jobs.sources.lean_http import LeanPool

BODY = b'{"data": {"items": []}}'


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = str(folder / "key.pem"), str(folder / "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


async def https_server(cert: str, key: str) -> tuple[asyncio.Server, int, list[int]]:
    """Answers every GET with BODY on the same connection; counts the connections it accepted."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    accepted: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        try:
            while (await reader.readuntil(b"\r\n\r\n")).startswith(b"GET "):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    return server, server.sockets[0].getsockname()[1], accepted


async def test_https_answers_on_a_kept_alive_verified_connection(certificate):
    cert, key = certificate
    server, port, accepted = await https_server(cert, key)
    pool = LeanPool(httpx.Limits(max_connections=4), ssl_context=ssl.create_default_context(cafile=cert))
    try:
        for _ in range(3):
            answer = await pool.get(f"https://localhost:{port}/v1/likers", {"code": "ABC"}, {"x-rapidapi-key": "k"},
                                    max_body=1000)
            assert answer.status_code == 200 and answer.body == BODY
        assert len(accepted) == 1   # one TLS handshake for the three requests
    finally:
        await pool.aclose()
        server.close()
        await server.wait_closed()


async def test_https_refuses_an_untrusted_certificate_or_a_wrong_name(certificate):
    cert, key = certificate
    server, port, _ = await https_server(cert, key)
    try:
        untrusted = LeanPool(httpx.Limits(max_connections=1), ssl_context=ssl.create_default_context())
        with pytest.raises(httpx.ConnectError):
            await untrusted.get(f"https://localhost:{port}/", {}, {}, max_body=1000)
        await untrusted.aclose()
        wrong_name = LeanPool(httpx.Limits(max_connections=1), ssl_context=ssl.create_default_context(cafile=cert))
        with pytest.raises(httpx.ConnectError):   # the certificate names localhost, not 127.0.0.1
            await wrong_name.get(f"https://127.0.0.1:{port}/", {}, {}, max_body=1000)
        await wrong_name.aclose()
    finally:
        server.close()
        await server.wait_closed()
