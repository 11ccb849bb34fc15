"""Hardening, configuration side (issue 18, points 1 and 8): secret files, and exits that name the problem.

Everything goes through the `cicero` entry point (`bot.cli.main`, or a subprocess
where the process itself matters) and asserts on what an operator reads.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.api.security import KIND_DASHBOARD, issue_token
from bot.cli import main
from core.settings import EXAMPLE_JWT_SECRET, load_settings
from tests.support.api import api_client, api_deps, bearer, build_world, make_account, noon_clock

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEYS = [  # (section, key, how the loaded value is read)
    ("database", "password", lambda s: s.database.password),
    ("instagram", "key", lambda s: s.instagram.key),
    ("tiktok", "key", lambda s: s.tiktok.key),
    ("api", "jwt_secret", lambda s: s.api.jwt_secret),
]


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "250")

    def run(*args: str, config: Path | str | None = None) -> tuple[int, str]:
        code = main(["--config", str(config or tmp_path / "absent.toml"), *args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("section, key, read", SECRET_KEYS, ids=[f"{s}.{k}" for s, k, _ in SECRET_KEYS])
def test_every_secret_file_is_read_whenever_it_is_set(tmp_path, cli, section, key, read):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-from-the-file-0123456789abcdef\n")
    config = _config(tmp_path, f'[{section}]\n{key}_file = "{secret}"\n')
    assert read(load_settings(config).settings).get_secret_value() == "s3cr3t-from-the-file-0123456789abcdef"
    code, out = cli("config", "check", config=config)
    assert code == 0, out
    assert "s3cr3t" not in out
    row = next(line for line in out.splitlines() if f" {key} " in line and section in line)
    assert "(set, hidden)" in row, row


@pytest.mark.parametrize("section, key, read", SECRET_KEYS, ids=[f"{s}.{k}" for s, k, _ in SECRET_KEYS])
def test_a_secret_and_its_file_both_set_is_an_error(tmp_path, cli, monkeypatch, section, key, read):
    secret = tmp_path / "secret"
    secret.write_text("from-file-0123456789abcdefghij")
    config = _config(tmp_path, f'[{section}]\n{key}_file = "{secret}"\n')
    monkeypatch.setenv(f"CICERO_{section.upper()}__{key.upper()}", "from-env-0123456789abcdefghij")
    code, out = cli("config", "check", config=config)
    assert code == 3
    assert f"{key} and {key}_file are both set" in out and "from-env" not in out and "from-file" not in out


@pytest.mark.parametrize("section, key, read", SECRET_KEYS, ids=[f"{s}.{k}" for s, k, _ in SECRET_KEYS])
def test_a_missing_or_unreadable_secret_file_is_one_clear_line(tmp_path, cli, section, key, read):
    config = _config(tmp_path, f'[{section}]\n{key}_file = "{tmp_path / "nope"}"\n')
    code, out = cli("config", "check", config=config)
    assert code == 3 and "Traceback" not in out
    assert f"{key}_file: cannot read secret file {tmp_path / 'nope'}: No such file or directory" in out
    empty = tmp_path / "empty"
    empty.write_text("\n")
    code, out = cli("config", "check", config=_config(tmp_path, f'[{section}]\n{key}_file = "{empty}"\n'))
    assert code == 3 and f"{key}_file: secret file {empty} is empty" in out
    code, out = cli("config", "check", config=_config(tmp_path, f'[{section}]\n{key}_file = "{tmp_path}"\n'))
    assert code == 3 and "is a directory, not a secret file" in out


async def test_a_token_forged_with_the_example_secret_is_refused_when_the_file_holds_the_real_one(
        tmp_path, pool, database_url):
    """The attack: jwt_secret_file was ignored, so a token signed with the public example secret read data."""
    await build_world(pool)
    account = await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
    secret = tmp_path / "jwt"
    secret.write_text("the-real-secret-" + "x" * 40)
    settings = load_settings(_config(tmp_path, f'[general]\nenvironment = "development"\n'
                                               f'[database]\nurl = "{database_url}"\n'
                                               f'[api]\njwt_secret_file = "{secret}"\n')).settings
    clock = noon_clock()
    forged = issue_token(EXAMPLE_JWT_SECRET, now=clock.now(), lifetime=timedelta(hours=1), kind=KIND_DASHBOARD,
                         subject=str(account.id), role="admin", client_ids=["POLRES_BLITAR"])
    async with api_client(api_deps(settings, pool, clock)) as http:
        r = await http.get("/api/users/list", params={"client_id": "POLRES_BLITAR"}, headers=bearer(forged.token))
        assert r.status_code == 401 and r.json()["reason"] == "invalid_token"
        login = await http.post("/api/auth/dashboard-login", json={"username": "op_kediri",
                                                                   "password": "rahasia-kuat-123"})
        assert login.status_code == 200
        r = await http.get("/api/users/list", headers=bearer(login.json()["token"]))
        assert r.status_code == 200 and r.json()["total"] > 0


def test_production_api_starts_with_the_secret_from_its_file(tmp_path, cli):
    """Before: "set api.jwt_secret" although jwt_secret_file was set. Now `config check` has nothing to say."""
    secret = tmp_path / "jwt"
    secret.write_text("production-secret-" + "y" * 40)
    config = _config(tmp_path, f'[api]\njwt_secret_file = "{secret}"\n')
    code, out = cli("config", "check", config=config)
    assert code == 0 and "note:" not in out and "example value" not in out  # no "jwt_secret is not set" note
    from bot.api.part import check_api_settings

    check_api_settings(load_settings(config).settings)  # production: no ConfigError


# --------------------------------------------------------------------------- point 8: clear exits


def test_a_binary_config_file_is_a_configuration_error(tmp_path, cli):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\x00\x9f\xff\xfe binary \x81")
    code, out = cli("config", "check", config=path)
    assert code == 3 and "Unexpected error" not in out and "not a text file" in out


def test_a_config_path_that_is_a_directory_is_an_error_not_a_missing_file(tmp_path, cli):
    code, out = cli("config", "check", config=tmp_path)
    assert code == 3 and "is a directory, not a configuration file" in out and "not found" not in out


def test_a_comma_separated_list_in_the_environment_names_the_variable(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("CICERO_WHATSAPP__ADMINS", "6281,6282")
    code, out = cli("config", "check")
    assert code == 3 and "Unexpected error" not in out
    assert "whatsapp.admins" in out and "CICERO_WHATSAPP__ADMINS" in out and "JSON" in out


def test_a_data_dir_under_proc_names_the_key(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("CICERO_DATABASE__DATA_DIR", "/proc/cicero/pgdata")
    monkeypatch.delenv("CICERO_DATABASE__URL", raising=False)
    code, out = cli("db", "status")
    assert code == 3 and "Unexpected error" not in out
    assert "database.data_dir" in out and "/proc/cicero/pgdata" in out


@pytest.mark.slow
def test_a_busy_api_port_names_the_port_and_exits_4(tmp_path, database_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CICERO_DATABASE__URL": database_url,
               "CICERO_API__PORT": str(port), "CICERO_API__JWT_SECRET": "z" * 48, "COLUMNS": "250",
               "CICERO_INSTAGRAM__BASE_URL": "http://127.0.0.1:9", "CICERO_TIKTOK__BASE_URL": "http://127.0.0.1:9"}
        proc = subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "absent.toml"), "api"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 4, out
    assert f"127.0.0.1:{port}" in out and "api.port" in out and "Unexpected error" not in out
