"""The fake RapidAPI's injectable faults (`FakeRapidApi.fail`), the hostile ones included."""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
FAULT_KINDS = ("429", "500", "404", "slow", "truncated", "empty", "trickle", "gzip_bomb", "huge_string", "flood")


@dataclass
class Fault:
    call: str
    kind: str
    key: str | None = None
    times: int | None = 1  # None = until cleared
    retry_after: float | None = None  # for 429; None = no header
    delay: float = 0.0  # for slow / trickle
    size: int = 0  # for gzip_bomb / huge_string / flood
    hits: int = 0

    def matches(self, call: str, key: str | None) -> bool:
        if self.call != call or (self.key is not None and self.key != key):
            return False
        return self.times is None or self.hits < self.times


async def trickle(delay: float):
    yield b'{"data": '
    for _ in range(100_000):
        await asyncio.sleep(delay)
        yield b" "


def bomb(size: int) -> bytes:
    out = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * (1 << 20)
    parts = [out.compress(chunk) for _ in range(max(1, size >> 20))]
    return b"".join(parts) + out.flush()
