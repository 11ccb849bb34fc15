"""The client and personnel management commands as the README shows them."""

import pytest

from bot.cli import main


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    config = str(tmp_path / "none.toml")

    def run(*args: str) -> tuple[int, str]:
        code = main(["--config", config, *args])
        return code, capsys.readouterr().out

    return run


def test_clients_and_users_round_trip(cli, pool):
    code, out = cli("db", "migrate")
    assert code == 0 and "up to date" in out
    code, out = cli("clients", "add", "polres_blitar", "--name", "Polres Blitar", "--type", "org",
                    "--instagram", "@PolresBlitar", "--tiktok", "polresblitar",
                    "--group", "120363012345678901", "--operator", "0812-1111-2222")
    assert code == 0 and "POLRES_BLITAR" in out
    code, out = cli("clients", "set", "POLRES_BLITAR", "--active", "no", "--super", "+62 813 3333 4444")
    assert code == 0
    code, out = cli("clients", "list")
    assert "polresblitar" in out and "120363012345678901@g.us" in out and "6281211112222" in out
    assert "no" in out
    code, out = cli("clients", "add", "X1", "--name", "X", "--type", "org", "--group", "https://chat.whatsapp.com/abc")
    assert code == 2 and "tautan undangan" in out
    code, out = cli("clients", "set", "NOPE", "--name", "Y")
    assert code == 2 and "tidak ditemukan" in out

    code, out = cli("users", "add", "87020123", "--client", "POLRES_BLITAR", "--name", "budi santoso",
                    "--rank", "bripka", "--instagram", "@Budi.S", "--whatsapp", "081234567890", "--role", "ditbinmas")
    assert code == 0 and "created" in out
    code, out = cli("users", "add", "87020123", "--client", "POLRES_BLITAR", "--name", "Budi Santoso", "--exception")
    assert code == 0 and "updated" in out
    code, out = cli("users", "list", "--client", "POLRES_BLITAR")
    assert "BUDI SANTOSO" in out and "budi.s" in out and "6281234567890" in out and "yes" in out
    code, out = cli("users", "add", "ABC", "--client", "POLRES_BLITAR", "--name", "X")
    assert code == 2 and "harus angka" in out


async def test_stored_values_are_normalised(cli, pool):
    import asyncio

    await asyncio.to_thread(cli, "clients", "add", "POLRES_X", "--name", "Polres X", "--type", "org",
                            "--operator", "0812 9999 0000")
    await asyncio.to_thread(cli, "users", "add", "1", "--client", "polres_x", "--name", "a", "--tiktok", "@TikTok.A")
    row = await pool.fetchrow("SELECT * FROM personnel WHERE nrp = '00000001'")  # padded to [personnel] nrp_length
    assert row["tiktok"] == "tiktok.a" and row["client_id"] == "POLRES_X"
    assert await pool.fetchval("SELECT operator_phone FROM clients WHERE id = 'POLRES_X'") == "6281299990000"
