from pathlib import Path

import pytest

from bot.cli import main
from core.settings import ConfigError, effective_rows, load_settings


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_missing_file_means_defaults(tmp_path, monkeypatch):
    loaded = load_settings(tmp_path / "nope.toml")
    assert not loaded.file_found
    s = loaded.settings
    assert s.general.timezone == "Asia/Jakarta"
    assert s.schedule.post_fetch == ["5,30 6-16 * * *", "5 17 * * *"]
    assert s.schedule.engagement_only == ["30 17-21 * * *", "0 18-22 * * *"]
    assert s.queue.url == ""
    assert s.fetch.client_concurrency == 4


def test_env_overrides_one_key_and_keeps_the_rest_of_the_section(tmp_path, monkeypatch):
    path = write(tmp_path, '[api]\nport = 9000\nhost = "0.0.0.0"\n')
    monkeypatch.setenv("CICERO_API__PORT", "9100")
    s = load_settings(path).settings
    assert s.api.port == 9100
    assert s.api.host == "0.0.0.0"


def test_env_list_is_json(tmp_path, monkeypatch):
    monkeypatch.setenv("CICERO_WHATSAPP__ADMINS", '["0812 3456 7890", "+6281111111111"]')
    s = load_settings(tmp_path / "none.toml").settings
    assert s.whatsapp.admins == ["6281234567890", "6281111111111"]


def test_secret_from_file_is_read_and_never_shown(tmp_path):
    secret = tmp_path / "rapidapi"
    secret.write_text("top-secret-key\n")
    path = write(tmp_path, f'[instagram]\nkey_file = "{secret}"\n')
    s = load_settings(path).settings
    assert s.instagram.key.get_secret_value() == "top-secret-key"
    assert "top-secret-key" not in repr(s)
    shown = {(sec, k): v for sec, k, v in effective_rows(s)}
    assert shown[("instagram", "key")] == "(set, hidden)"
    assert "top-secret-key" not in str(shown)


def test_database_password_in_url_is_masked():
    s = load_settings(Path("/nonexistent.toml"), database={"url": "postgresql://app:hunter2@db:5432/cicero"}).settings
    shown = {(sec, k): v for sec, k, v in effective_rows(s)}
    assert "hunter2" not in shown[("database", "url")]


@pytest.mark.parametrize("toml, key, why", [
    ('[api]\nport = "eighty"\n', "api.port", "integer"),
    ('[general]\ntimezone = "Asia/Jakartaa"\n', "general.timezone", "unknown timezone"),
    ('[whatsapp]\nadmins = ["0812abc"]\n', "whatsapp.admins", "malformed phone number"),
    ('[whatsapp]\nadmin_groups = ["https://chat.whatsapp.com/abc"]\n', "whatsapp.admin_groups", "malformed group id"),
    ('[schedule]\npost_fetch = ["5,30 6-16 * *"]\n', "schedule.post_fetch", "5-field"),
    ('[schedule]\npost_fetch = ["61 6 * * *"]\n', "schedule.post_fetch", "not a valid cron"),
    ('[schedule]\nengagement_only = ["0 7 * * 1-5"]\n', "schedule.engagement_only", "by name"),
    ('[api]\nprot = 80\n', "api.prot", "unknown key"),
    ('[apii]\nport = 80\n', "[apii]", "unknown section"),
    ('[database]\nurl = "mysql://x"\n', "database.url", "postgresql://"),
    ('[attendance]\ncomplete_percent = 50\npartial_percent = 60\n', "attendance", "below complete_percent"),
    ('[api\nport = 1\n', "not valid TOML", ""),
])
def test_each_bad_value_names_its_key_and_why(tmp_path, toml, key, why):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, toml))
    text = str(info.value)
    assert key in text
    assert why in text


def test_config_check_prints_table_and_exits_zero(tmp_path, capsys):
    path = write(tmp_path, '[whatsapp]\nadmins = ["081234567890"]\n[instagram]\nkey = "abc123secret"\n')
    assert main(["--config", str(path), "config", "check"]) == 0
    out = capsys.readouterr().out
    assert "6281234567890" in out
    assert "abc123secret" not in out
    assert "configuration OK" in out


def test_config_check_reports_bad_key_without_traceback(tmp_path, capsys):
    path = write(tmp_path, '[general]\ntimezone = "Mars/Olympus"\n')
    assert main(["--config", str(path), "config", "check"]) == 3
    out = capsys.readouterr().out
    assert "general.timezone" in out and "unknown timezone" in out
    assert "Traceback" not in out


def test_config_path_from_env(tmp_path, monkeypatch, capsys):
    path = write(tmp_path, '[api]\nport = 8123\n')
    monkeypatch.setenv("CICERO_CONFIG", str(path))
    assert main(["config", "check"]) == 0
    assert "8123" in capsys.readouterr().out


def test_example_config_is_valid_and_documents_every_key():
    import tomllib

    example = Path(__file__).parent.parent / "config.example.toml"
    load_settings(example)
    text = example.read_text()
    data = tomllib.loads(text)
    for section, key, _ in effective_rows(load_settings(example).settings):
        documented = key in data.get(section, {}) or f"# {key}" in text
        assert documented, f"{section}.{key} is missing from config.example.toml"
