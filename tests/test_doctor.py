import asyncio

from bot.cli import main
from tests.support.http_fake import Canned


async def test_doctor_all_good_with_reachable_services(database_url, http_fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "250")
    http_fake.route("GET", "/", Canned(status=200, body="ok"))
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    monkeypatch.setenv("CICERO_WHATSAPP__TRANSPORT", "console")
    monkeypatch.setenv("CICERO_WHATSAPP__ADMINS", '["081100000001"]')
    monkeypatch.setenv("CICERO_GENERAL__ENVIRONMENT", "development")
    monkeypatch.setenv("CICERO_INSTAGRAM__BASE_URL", http_fake.base_url)
    monkeypatch.setenv("CICERO_TIKTOK__BASE_URL", "http://127.0.0.1:1")
    # The fake server lives on this test's loop: run the command in a thread.
    code = await asyncio.to_thread(main, ["--config", str(tmp_path / "none.toml"), "doctor"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "answered HTTP 200" in out
    assert "unreachable" in out and "offline" in out  # tiktok on a closed port: a note, not a failure
    assert "applied" in out
    assert "no blocking problems" in out


def test_doctor_names_the_database_problem_and_exits_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("CICERO_DATABASE__URL", "postgresql://postgres@127.0.0.1:1/none")
    monkeypatch.setenv("CICERO_INSTAGRAM__BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("CICERO_TIKTOK__BASE_URL", "http://127.0.0.1:1")
    code = main(["--config", str(tmp_path / "none.toml"), "doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert "cannot reach PostgreSQL" in out
    assert "jwt secret" in out  # production with the example secret is flagged
    assert "Traceback" not in out
