"""Embedded PostgreSQL (pgserver) for a zero-setup start when no URL is configured.

pgserver runs a real PostgreSQL 16 from a wheel, listening on a Unix socket in
the data directory with trust auth. Several processes on the same data
directory share one server (pgserver reference-counts handles and the last one
stops it — the postmaster running then, even one another process restarted after
a crash: `db/embedded_handles.py`). As root, pgserver creates a system user `pgserver`, chowns the data
directory to it and adds o+rx to the data directory's parents; see README.
"""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from core.settings import ConfigError
from db.embedded_handles import release_now, take_over_cleanup

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "cicero"


class EmbeddedDatabaseError(RuntimeError):
    """pgserver could not start; the message says what to do."""


@dataclass
class EmbeddedServer:
    data_dir: Path
    admin_uri: str  # the `postgres` database on the socket
    handle: Any

    def uri_for(self, database: str) -> str:
        base, _, query = self.admin_uri.partition("?")
        return f"{base.rsplit('/', 1)[0]}/{database}?{query}"


@contextmanager
def _start_lock(data_dir: Path) -> Iterator[None]:
    """Serialise initdb/start between processes that share `data_dir`."""
    lock_path = data_dir.parent / f".{data_dir.name}.start.lock"
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def usable_directory(data_dir: Path) -> None:
    """Raise OSError unless files can be created beside and inside `data_dir` (not e.g. under /proc)."""
    probe = data_dir.parent / f".{data_dir.name}.probe-{os.getpid()}"
    probe.write_text("")
    probe.unlink()


def start_embedded(data_dir: Path, cleanup: str = "stop") -> EmbeddedServer:
    """Start (or join) the embedded server for `data_dir`."""
    data_dir = Path(data_dir).resolve()
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EmbeddedDatabaseError(f"pgserver is not installed ({exc}); run `make run` to install") from None
    try:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        usable_directory(data_dir)
    except OSError as exc:
        raise ConfigError([f"database.data_dir: cannot use {data_dir} for the embedded PostgreSQL: "
                           f"{exc.strerror or exc}; choose a writable directory or set [database] url"]) from None
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.parent))
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        with _start_lock(data_dir):
            server = pgserver.get_server(data_dir, cleanup_mode=cleanup)
    except Exception as exc:  # pgserver raises plain exceptions with the pg log text
        raise EmbeddedDatabaseError(
            f"could not start the embedded PostgreSQL in {data_dir}: {exc}. "
            f"Check the log at {data_dir / 'log'} or set [database] url."
        ) from None
    if cleanup == "stop":  # stop whatever postmaster serves data_dir when the last user leaves
        take_over_cleanup(server)
    return EmbeddedServer(data_dir=data_dir, admin_uri=server.get_uri(), handle=server)


def stop_embedded(data_dir: Path) -> None:
    """Give up this process's handle on the embedded server of `data_dir`; the server stops when it was the last.

    For a data directory that is about to be removed (the demo's temporary one);
    nothing happens when no server runs there.
    """
    data_dir = Path(data_dir).resolve()
    if not (data_dir / "postmaster.pid").exists():
        return
    import pgserver

    with _start_lock(data_dir):
        server = pgserver.get_server(data_dir, cleanup_mode="stop")  # this process's handle when it has one
    release_now(server)
