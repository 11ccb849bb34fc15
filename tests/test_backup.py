"""`cicero backup` and `cicero restore`: restored into a fresh database, the data and the JWT secret are back."""

from __future__ import annotations

import asyncio
import os
import secrets
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bot.cli import main
from db.backup import PgTool, pick_tool
from tests.conftest import _admin, _with_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_database(pg_server_url):
    """An empty database (no migrations) on the test server."""
    name = f"cicero_restore_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(_admin(pg_server_url, f'CREATE DATABASE "{name}"'))
    yield _with_database(pg_server_url, name)
    asyncio.run(_admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def cli(monkeypatch, capsys, url: str, data_dir: Path, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("CICERO_DATABASE__URL", url)
    monkeypatch.setenv("CICERO_DATABASE__DATA_DIR", str(data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    code = main(["--config", str(data_dir.parent / "none.toml"), *args])
    return code, capsys.readouterr().out


def test_backup_then_restore_into_a_fresh_database_and_read_it(database_url, fresh_database, tmp_path,
                                                               monkeypatch, capsys):
    source_var, target_var = tmp_path / "old" / "var", tmp_path / "new" / "var"
    source_var.mkdir(parents=True)
    (source_var / "jwt-secret").write_text("the-generated-secret\n")
    run = lambda url, var, *a: cli(monkeypatch, capsys, url, var / "pgdata", *a)  # noqa: E731
    assert run(database_url, source_var, "clients", "add", "POLRES_BLITAR", "--name", "Polres Blitar", "--type",
               "org", "--instagram", "polresblitar", "--group", "120363012345678901")[0] == 0
    assert run(database_url, source_var, "users", "add", "87020123", "--client", "POLRES_BLITAR", "--name",
               "Budi Santoso", "--instagram", "budi.s")[0] == 0

    bundle = tmp_path / "cicero.tar"
    code, out = run(database_url, source_var, "backup", str(bundle))
    assert code == 0, out
    assert f"backup written: {bundle}" in out and "var/jwt-secret included" in out
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600  # it holds the session and the secret
    with tarfile.open(bundle) as tar:
        assert sorted(tar.getnames()) == ["cicero.dump", "jwt-secret", "manifest.json"]

    code, out = run(fresh_database, target_var, "restore", str(bundle))
    assert code == 0, out
    assert "rows       : clients 1, personnel 1" in out
    assert f"JWT secret restored to {target_var / 'jwt-secret'}" in out
    assert (target_var / "jwt-secret").read_text() == "the-generated-secret\n"
    assert stat.S_IMODE((target_var / "jwt-secret").stat().st_mode) == 0o600
    # the restored database reads like the old one
    code, out = run(fresh_database, target_var, "clients", "list")
    assert code == 0 and "POLRES_BLITAR" in out and "120363012345678901@g.us" in out
    code, out = run(fresh_database, target_var, "users", "list", "--client", "POLRES_BLITAR")
    assert "BUDI SANTOSO" in out and "budi.s" in out
    code, out = run(fresh_database, target_var, "db", "status")
    assert code == 0  # every migration of the backup is there

    # a second restore into the now populated database is refused, unless forced
    code, out = run(fresh_database, target_var, "restore", str(bundle))
    assert code == 2 and "already has" in out and "--force" in out
    code, out = run(fresh_database, target_var, "restore", str(bundle), "--force")
    assert code == 0 and "rows       : clients 1, personnel 1" in out


def test_restore_refuses_what_is_not_a_backup(fresh_database, tmp_path, monkeypatch, capsys):
    junk = tmp_path / "junk.tar"
    with tarfile.open(junk, "w") as tar:
        tar.add(__file__, arcname="../../etc/passwd")
    code, out = cli(monkeypatch, capsys, fresh_database, tmp_path / "var" / "pgdata", "restore", str(junk))
    assert code == 2 and "cannot restore" in out and "Traceback" not in out
    code, out = cli(monkeypatch, capsys, fresh_database, tmp_path / "var" / "pgdata", "restore",
                    str(tmp_path / "missing.tar"))
    assert code == 2 and "does not exist" in out


def test_the_client_matches_the_server_version():
    tools = [PgTool(Path("/usr/lib/postgresql/15/bin/pg_dump"), "15.20", "system"),
             PgTool(Path("/opt/pgserver/bin/pg_dump"), "16.2", "bundled with pgserver")]
    assert pick_tool("pg_dump", 16, tools).version == "16.2"  # the embedded server: never the system 15
    assert pick_tool("pg_dump", 15, tools).version == "15.20"
    assert pick_tool("pg_dump", 14, tools).version == "15.20"  # the oldest newer one
    with pytest.raises(Exception, match="no pg_dump for PostgreSQL 17"):
        pick_tool("pg_dump", 17, tools)


@pytest.mark.slow
def test_backup_and_restore_of_the_embedded_postgresql_16(embedded_dir):
    """The newcomer's case: the documented system pg_dump 15 failed against the embedded server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CICERO_")}
    env["COLUMNS"] = "200"

    def cicero(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(embedded_dir / "none.toml"), *args],
                              cwd=ROOT, env={**env, "CICERO_DATABASE__DATA_DIR": str(data_dir)},
                              capture_output=True, text=True, timeout=180)

    old, new = embedded_dir / "old" / "pgdata", embedded_dir / "new" / "pgdata"
    assert cicero(old, "clients", "add", "DITBINMAS", "--name", "Direktorat Binmas", "--type",
                  "direktorat").returncode == 0
    bundle = embedded_dir / "embedded.tar"
    done = cicero(old, "backup", str(bundle))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pg_dump 16." in done.stdout and "bundled with pgserver" in done.stdout
    done = cicero(new, "restore", str(bundle))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pg_restore 16." in done.stdout and "clients 1" in done.stdout
    listed = cicero(new, "clients", "list")
    assert "DITBINMAS" in listed.stdout

