"""Who uses an embedded PostgreSQL, and stopping it when the last user leaves — whichever postmaster runs.

pgserver keeps the pids of the processes using a data directory in
`.handle_pids.json` and, at exit, the last of them stops the server *it
remembers*. Two gaps left a PostgreSQL running with no cicero process:

* the postmaster crashed and another process started a new one: the last
  process remembered the dead one, saw it was not running and stopped nothing;
* a process was killed (`kill -9`, OOM) before its exit hook ran: its pid
  stayed in the list forever, so nobody was ever "last".

`release_handle` replaces pgserver's exit hook: it drops this pid and every pid
that no longer runs, and when none is left it stops the postmaster that is
running in the data directory *now* (read from `postmaster.pid`).
`orphaned_postmaster` is what `cicero doctor` reports: a running postmaster
whose list holds no live process.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HANDLES_FILE = ".handle_pids.json"


def _live_pids(data_dir: Path, *, without: int | None = None) -> list[int]:
    import psutil
    from pgserver.utils import DiskList

    return [p for p in DiskList(data_dir / HANDLES_FILE).get() if p != without and psutil.pid_exists(p)]


def _running_postmaster(data_dir: Path) -> Any | None:
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    return info if info is not None and info.is_running() else None


def orphaned_postmaster(data_dir: Path) -> int | None:
    """The pid of a PostgreSQL running on `data_dir` that no live cicero process uses, else None."""
    data_dir = Path(data_dir).resolve()
    if not (data_dir / "postmaster.pid").exists():
        return None
    info = _running_postmaster(data_dir)
    if info is None or _live_pids(data_dir, without=os.getpid()):
        return None
    return info.pid


def release_handle(data_dir: Path, system_user: str | None) -> None:
    """Give up this process's use of `data_dir`; the last live user stops whatever postmaster runs there."""
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import DiskList

    data_dir = Path(data_dir).resolve()
    with PostgresServer._lock:
        if not data_dir.is_dir():  # removed meanwhile (a temporary demo directory): nothing runs there
            PostgresServer._instances.pop(data_dir, None)
            return
        remaining = _live_pids(data_dir, without=os.getpid())
        DiskList(data_dir / HANDLES_FILE).put(remaining)
        PostgresServer._instances.pop(data_dir, None)
        if remaining:
            return
        info = _running_postmaster(data_dir)
        if info is None:
            return
        _stop(data_dir, system_user, info)


def _stop(data_dir: Path, system_user: str | None, info: Any) -> None:
    from pgserver._commands import pg_ctl

    try:
        pg_ctl(["-w", "stop"], pgdata=data_dir, user=system_user)
        log.info("stopped the embedded PostgreSQL in %s (pid %s)", data_dir, info.pid)
        return
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        log.warning("pg_ctl stop failed for %s (%s); terminating pid %s", data_dir, exc, info.pid)
    import psutil

    try:
        info.process.terminate()
        info.process.wait(5)
    except psutil.TimeoutExpired:
        info.process.kill()
    except psutil.NoSuchProcess:
        pass


def take_over_cleanup(server: Any) -> None:
    """Use `release_handle` instead of pgserver's own exit hook for `server` (once per server object)."""
    if getattr(server, "_cicero_release", None) is not None:
        return
    atexit.unregister(server._cleanup)

    def release() -> None:
        release_handle(server.pgdata, server.system_user)

    server._cicero_release = release
    atexit.register(release)


def release_now(server: Any) -> None:
    """Give up `server` now instead of at exit (a data directory about to be removed)."""
    release = getattr(server, "_cicero_release", None)
    if release is None:
        server.cleanup()
        return
    atexit.unregister(release)
    server._cicero_release = None
    release()
