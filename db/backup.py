"""pg_dump and pg_restore with a client that can talk to the server.

pg_dump refuses a server newer than itself ("server version mismatch"), and the
embedded server is PostgreSQL 16 (the `pgserver` wheel) while the system's
client may be 15. `pick_tool` looks at the clients it can find — the ones
bundled with pgserver, the one on PATH, `/usr/lib/postgresql/*/bin` — and takes
the one whose major version equals the server's, else the oldest one that is
newer. Every run has a deadline; the password goes through `PGPASSWORD`, never
the command line.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from db.pool import DatabaseTarget, Executor

SYSTEM_BIN_GLOB = "/usr/lib/postgresql/*/bin"
MAX_ERROR_CHARS = 2000


class BackupError(RuntimeError):
    """pg_dump/pg_restore is missing, too old, failed or ran out of time; the message says which."""


@dataclass(frozen=True)
class PgTool:
    path: Path
    version: str  # "16.2"
    origin: str  # "bundled with pgserver" | "system"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def describe(self) -> str:
        return f"{self.path.name} {self.version} ({self.origin}, {self.path})"


def _bin_dirs() -> list[tuple[Path, str]]:
    dirs: list[tuple[Path, str]] = []
    try:
        from pgserver._commands import POSTGRES_BIN_PATH  # the wheel's own binaries

        dirs.append((Path(POSTGRES_BIN_PATH), "bundled with pgserver"))
    except ImportError:  # pragma: no cover - pgserver is a dependency
        pass
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append((Path(on_path).resolve().parent, "system"))
    dirs += [(Path(p), "system") for p in sorted(Path("/").glob(SYSTEM_BIN_GLOB.lstrip("/")))]
    seen, out = set(), []
    for folder, origin in dirs:
        if folder.resolve() not in seen:
            seen.add(folder.resolve())
            out.append((folder, origin))
    return out


def tool_version(path: Path) -> str | None:
    """'16.2' from `pg_dump --version`, or None when it does not run."""
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\b(\d+)(?:\.(\d+))?", done.stdout)
    return f"{found.group(1)}.{found.group(2) or 0}" if done.returncode == 0 and found else None


def available_tools(name: str) -> list[PgTool]:
    tools = []
    for folder, origin in _bin_dirs():
        path = folder / name
        version = tool_version(path) if path.is_file() else None
        if version:
            tools.append(PgTool(path, version, origin))
    return tools


def pick_tool(name: str, server_major: int, tools: list[PgTool] | None = None) -> PgTool:
    """The `name` client for a server of `server_major`: the same major version, else the oldest newer one."""
    tools = available_tools(name) if tools is None else tools
    usable = sorted((t for t in tools if t.major >= server_major), key=lambda t: (t.major != server_major, t.major))
    if usable:
        return usable[0]
    found = ", ".join(t.describe() for t in tools) or "none"
    raise BackupError(f"no {name} for PostgreSQL {server_major} (found: {found}); install the PostgreSQL "
                      f"{server_major} client or reinstall Cicero (`make install`) for the bundled one")


async def server_major(db: Executor) -> int:
    return int(await db.fetchval("SHOW server_version_num")) // 10000


async def server_version(db: Executor) -> str:
    return await db.fetchval("SHOW server_version")


async def restored_counts(db: Executor) -> dict[str, int]:
    """Rows of the main tables, to show that a restore holds data."""
    row = await db.fetchrow(
        """SELECT (SELECT count(*) FROM clients) AS clients, (SELECT count(*) FROM personnel) AS personnel,
                  (SELECT count(*) FROM instagram_posts) AS instagram_posts,
                  (SELECT count(*) FROM tiktok_posts) AS tiktok_posts, (SELECT count(*) FROM outbox) AS outbox"""
    )
    return dict(row)


async def user_table_count(db: Executor) -> int:
    """Tables in the public schema: 0 for a fresh database."""
    return await db.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")


async def _run(tool: PgTool, args: list[str], target: DatabaseTarget, timeout: float) -> str:
    env = {**os.environ}
    if target.password:
        env["PGPASSWORD"] = target.password
    proc = await asyncio.create_subprocess_exec(str(tool.path), *args, f"--dbname={target.dsn}", env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise BackupError(f"{tool.path.name} did not finish within {timeout / 60:g} minutes") from None
    if proc.returncode != 0:
        text = (err or out).decode("utf-8", "replace").strip()[-MAX_ERROR_CHARS:]
        raise BackupError(f"{tool.path.name} failed (exit {proc.returncode}): {text}")
    return err.decode("utf-8", "replace")


async def dump_database(target: DatabaseTarget, tool: PgTool, out: Path, *, timeout: float) -> None:
    """`pg_dump -Fc` of the whole database (the WhatsApp session tables included) into `out`."""
    await _run(tool, ["--format=custom", "--no-owner", "--no-privileges", f"--file={out}"], target, timeout)


async def restore_database(target: DatabaseTarget, tool: PgTool, dump: Path, *, clean: bool,
                           timeout: float) -> None:
    """`pg_restore` of a custom-format dump; `clean` first drops the objects the dump contains."""
    args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        args += ["--clean", "--if-exists"]
    await _run(tool, [*args, str(dump)], target, timeout)
