"""`tcp_listener(host, port)`: a bound TCP socket for a server the process runs (the API, the loopback fakes).

Created as IPPROTO_TCP, not protocol 0: asyncio turns Nagle off (TCP_NODELAY) only
on sockets whose protocol says TCP, and accepted connections inherit it. With
Nagle on, an answer written in two parts (headers, then body) waits for the
client's delayed ACK: 40 ms added to every response of more than one packet.
"""

from __future__ import annotations

import socket


def tcp_listener(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port), not yet listening; OSError (closed) when the address is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
