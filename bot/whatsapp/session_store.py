"""Where whatsmeow keeps the WhatsApp session: our PostgreSQL database, as a URL Go's lib/pq opens.

Kept apart from `neonize_adapter.py` because it needs nothing of neonize.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def session_store_url(dsn: str, password: str | None = None) -> str:
    """The URL whatsmeow (Go lib/pq) opens: our DSN, the password inlined, SSL off for local servers.

    lib/pq defaults to `sslmode=require`, which local PostgreSQL servers refuse;
    a DSN that names no sslmode gets `sslmode=disable` for localhost and sockets.
    """
    parts = urlsplit(dsn)
    netloc = parts.netloc
    if password and "@" in netloc and ":" not in netloc.split("@", 1)[0]:
        user, host = netloc.split("@", 1)
        netloc = f"{user}:{password}@{host}"
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    host = parts.hostname or query.get("host", "")
    if "sslmode" not in query and (not host or host.startswith("/") or host in ("localhost", "127.0.0.1", "::1")):
        query["sslmode"] = "disable"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="/"), parts.fragment))
