"""What a person sees on the terminal: literal square brackets, tables that wrap, honest config words, ISO logs."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands.common import CliContext

ROOT = Path(__file__).resolve().parent.parent
ISO_STAMP = re.compile(r"\b20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\b")
SHORT_STAMP = re.compile(r"\b\d\d/\d\d/\d\d\b")


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CICERO_INSTAGRAM__BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("CICERO_TIKTOK__BASE_URL", "http://127.0.0.1:1")
    config = str(tmp_path / "none.toml")

    def run(*args: str, columns: int = 200) -> tuple[int, str]:
        monkeypatch.setenv("COLUMNS", str(columns))
        code = main(["--config", config, *args])
        return code, capsys.readouterr().out

    return run


def test_doctor_keeps_square_brackets(cli, database_url, monkeypatch):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    code, out = cli("doctor")
    assert "[whatsapp] admins is empty" in out
    assert 'set [whatsapp] admins = ["62812…"]' in out
    assert "[instagram] key_file" in out
    assert code in (0, 1) and "Traceback" not in out


def test_a_table_too_wide_for_80_columns_wraps_instead_of_cutting_ids(cli, database_url, monkeypatch):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    long_id = "POLRES_KABUPATEN_TULUNGAGUNG_WILAYAH_SELATAN"
    assert cli("clients", "add", long_id, "--name", "Polres Kabupaten Tulungagung Wilayah Selatan",
               "--type", "org", "--instagram", "polres.tulungagung.wilayah.selatan",
               "--group", "120363012345678901234")[0] == 0
    code, out = cli("clients", "list", columns=80)
    assert code == 0
    assert "…" not in out
    body = [line for line in out.splitlines() if line.startswith("│")]
    assert body and max(len(line) for line in body) <= 80
    assert column(body, 0) == long_id  # wrapped over several lines, every character there
    assert column(body, 6) == "120363012345678901234@g.us"
    assert column(body, 4) == "polres.tulungagung.wilayah.selatan"


def column(lines: list[str], index: int) -> str:
    """The text of one column of a rich table's body (its cell's fragments, line by line, joined)."""
    return "".join(line.split("│")[index + 1].strip() for line in lines)


def test_config_check_says_not_set_for_an_unset_jwt_secret(cli, monkeypatch):
    monkeypatch.delenv("CICERO_API__JWT_SECRET", raising=False)
    monkeypatch.delenv("CICERO_GENERAL__ENVIRONMENT", raising=False)
    code, out = cli("config", "check")
    assert code == 0
    row = next(line for line in out.splitlines() if "jwt_secret " in line)
    assert "(not set)" in row and "hidden" not in row
    assert "api.jwt_secret is not set: `cicero run` generates a random one in" in out
    assert "jwt-secret" in out


def test_config_problems_count_items_from_one_and_name_the_environment_variable(cli, tmp_path, monkeypatch,
                                                                                capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[whatsapp]\nadmins = ["081234567890", "0812abc"]\n')
    assert main(["--config", str(bad), "config", "check"]) == 3
    out = capsys.readouterr().out
    assert "whatsapp.admins: item 2: malformed phone number" in out

    monkeypatch.setenv("CICERO_API__PORT", "eighty")
    code, out = cli("config", "check")
    assert code == 3
    assert "api.port:" in out and "(from the environment variable CICERO_API__PORT)" in out


def test_logs_have_iso_timestamps_and_no_xdg_or_ffmpeg_warnings(tmp_path, embedded_dir):
    """A first `cicero db migrate` on the embedded database, as a newcomer runs it (no XDG_RUNTIME_DIR)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CICERO_") and k != "XDG_RUNTIME_DIR"}
    env.update(CICERO_DATABASE__DATA_DIR=str(embedded_dir / "var" / "pgdata"), COLUMNS="200")
    done = subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(tmp_path / "none.toml"), "db", "migrate"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "applied migration 0001_initial" in done.stderr
    line = next(x for x in done.stderr.splitlines() if "applied migration 0001_initial" in x)
    assert ISO_STAMP.search(line) and not SHORT_STAMP.search(line), line
    assert "XDG_RUNTIME_DIR" not in done.stdout + done.stderr


def test_the_ffmpeg_warning_of_the_whatsapp_library_is_silenced(capsys, monkeypatch):
    import argparse

    from neonize.utils import ffmpeg

    CliContext(args=argparse.Namespace()).setup_logging()
    monkeypatch.setattr(ffmpeg, "_ffmpeg_checked", False)
    monkeypatch.setenv("PATH", "/nonexistent")
    ffmpeg.check_ffmpeg_available()
    logging.getLogger("cicero.test").warning("a warning Cicero means")
    err = capsys.readouterr().err
    assert "ffmpeg" not in err
    assert "a warning Cicero means" in err and ISO_STAMP.search(err)
