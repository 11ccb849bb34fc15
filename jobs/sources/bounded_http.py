"""One HTTP GET with hard bounds: a total deadline and a cap on the decoded body.

httpx's own timeouts bound each connect and each read, so an upstream that
sends one byte every few seconds never trips them; and its decoders inflate a
whole compressed chunk at once, so a small gzip body can become gigabytes.
`bounded_get` therefore:

* runs the request, headers and body inside ONE deadline (`asyncio.timeout`);
* asks only for `gzip`/`deflate`, reads the raw bytes and inflates them itself
  with an output limit per step, stopping as soon as the decoded body would
  pass `max_body_bytes` (`BodyTooLarge`) — memory stays near the cap whatever
  the compression ratio;
* refuses any other content encoding (`UnexpectedEncoding`).

A client with a lean pool (`http_transport.CollectionHttp`, the collection's)
sends the GET through it: the whole raw body (capped) then the same bounded
inflating; any other client goes through httpx's streaming as above.

`longest_string_bytes(body)` finds the longest JSON string of a body cheaply
(only needed when the body itself is longer than the string cap).
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass

import httpx

from jobs.sources.lean_http import LeanPool, RawBodyTooLarge

ACCEPT_ENCODING = "gzip, deflate"
_STEP = 256 * 1024  # bytes inflated per decompress call


class BodyTooLarge(Exception):
    """The decoded body passed the cap; the request was abandoned."""


class UnexpectedEncoding(Exception):
    """The answer used a content encoding we did not ask for."""


class DeadlinePassed(Exception):
    """The whole request (connect, headers, body) did not finish within its deadline."""


@dataclass(frozen=True)
class BoundedResponse:
    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def _decoder(encoding: str):
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(wbits=zlib.MAX_WBITS)
    raise UnexpectedEncoding(f"unexpected content encoding {encoding!r}")


def _inflate(decoder, chunk: bytes, out: bytearray, cap: int) -> None:
    data = chunk
    while data:
        room = cap - len(out) + 1  # one byte past the cap proves it is too large
        piece = decoder.decompress(data, min(_STEP, room))
        out += piece
        if len(out) > cap:
            raise BodyTooLarge(f"decoded body over {cap:,} bytes")
        data = decoder.unconsumed_tail


async def bounded_get(http: httpx.AsyncClient, url: str, *, params: dict, headers: dict, deadline_seconds: float,
                      max_body_bytes: int) -> BoundedResponse:
    """GET within `deadline_seconds` in total, the body decoded and at most `max_body_bytes` long.

    A client with a `lean` pool (`http_transport.CollectionHttp`) sends it there; any other through httpx.
    """
    headers = {**headers, "Accept-Encoding": ACCEPT_ENCODING}
    lean = getattr(http, "lean", None)
    try:
        async with asyncio.timeout(deadline_seconds):
            if lean is not None:
                return await _lean_get(lean, url, params, headers, max_body_bytes)
            async with http.stream("GET", url, params=params, headers=headers,
                                   timeout=deadline_seconds) as response:
                decoder = _decoder(response.headers.get("Content-Encoding", ""))
                body = bytearray()
                async for chunk in response.aiter_raw():
                    if decoder is None:
                        body += chunk
                        if len(body) > max_body_bytes:
                            raise BodyTooLarge(f"body over {max_body_bytes:,} bytes")
                    else:
                        _inflate(decoder, chunk, body, max_body_bytes)
                if decoder is not None:
                    body += decoder.flush()
                    if len(body) > max_body_bytes:
                        raise BodyTooLarge(f"decoded body over {max_body_bytes:,} bytes")
                return BoundedResponse(response.status_code, response.headers, bytes(body))
    except TimeoutError:
        raise DeadlinePassed(f"no complete answer within {deadline_seconds:g}s") from None


async def _lean_get(lean: LeanPool, url: str, params: dict, headers: dict, cap: int) -> BoundedResponse:
    """The whole answer from the lean pool, then decoded with the same per-step output limit."""
    try:  # an encoded body a little over the cap may still decode to one under it
        raw = await lean.get(url, params, headers, max_body=cap + cap // 64 + 4096)
    except RawBodyTooLarge:
        raise BodyTooLarge(f"body over {cap:,} bytes") from None
    decoder = _decoder(raw.headers.get("Content-Encoding", ""))
    if decoder is None:
        if len(raw.body) > cap:
            raise BodyTooLarge(f"body over {cap:,} bytes")
        return BoundedResponse(raw.status_code, raw.headers, raw.body)
    body = bytearray()
    _inflate(decoder, raw.body, body, cap)
    body += decoder.flush()
    if len(body) > cap:
        raise BodyTooLarge(f"decoded body over {cap:,} bytes")
    return BoundedResponse(raw.status_code, raw.headers, bytes(body))


def longest_string_bytes(body: bytes) -> int:
    """The length in bytes of the longest JSON string (or other run between quotes) in `body`."""
    return max(map(len, body.replace(b'\\"', b"").split(b'"')), default=0)
