"""`cicero reports …` as an admin types it: bad input exits 2 with the reason, dry run queues nothing."""

import asyncio

import asyncpg
import pytest

from bot.cli import main


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    monkeypatch.setenv("CICERO_WHATSAPP__ADMINS", '["6281100000001"]')
    monkeypatch.setenv("COLUMNS", "250")
    config = str(tmp_path / "none.toml")

    def run(*args: str) -> tuple[int, str]:
        code = main(["--config", config, *args])
        return code, capsys.readouterr().out

    return run


def outbox_count(database_url: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            return await conn.fetchval("SELECT count(*) FROM outbox WHERE kind = 'report'")
        finally:
            await conn.close()

    return asyncio.run(count())


def test_reports_are_managed_from_the_cli(cli, database_url):
    cli("db", "migrate")
    asyncio.run(_truncate(database_url))
    assert cli("clients", "add", "DITBINMAS", "--name", "Ditbinmas", "--type", "direktorat",
               "--group", "120363000000000001", "--operator", "081100000010")[0] == 0
    assert cli("clients", "add", "POLRES_A", "--name", "Polres A", "--type", "org", "--parent", "DITBINMAS",
               "--group", "120363000000000002", "--operator", "081100000020")[0] == 0
    code, out = cli("reports", "catalog")
    assert code == 0 and "combined_recap" in out and "kasatker_report" in out

    code, out = cli("reports", "add", "--report", "completeness_recap", "--client", "polres_a",
                    "--to", "group", "--to", "number:0812-3456-7890", "--at", "6.45", "--at", "18:20")
    assert code == 0 and "added subscription #1" in out and "06:45, 18:20" in out

    for args, reason in [
        (("--report", "nope"), "unknown report action id 'nope'"),
        (("--client", "POLRES_Z"), "unknown client POLRES_Z"),
        (("--at", "18:75"), "invalid time '18:75'"),
        (("--at", "* * * *"), "invalid time"),
        (("--at", "0 8 * * 1"), "malformed cron"),
        (("--to", "number:abc"), "invalid number"),
        (("--to", "group:https://chat.whatsapp.com/x"), "invalid group id"),
        (("--to", "bupati"), "unknown recipient 'bupati'"),
        (("--period", "decade"), "unknown period 'decade'"),
    ]:
        base = {"--report": "completeness_recap", "--client": "POLRES_A", "--to": "group", "--at": "18:20"}
        base[args[0]] = args[1]
        code, out = cli("reports", "add", *[x for kv in base.items() for x in kv])
        assert code == 2 and reason in out, (args, out)

    code, out = cli("reports", "set", "1", "--active", "no", "--at", "07:00")
    assert code == 0 and "switched off" in out
    code, out = cli("reports", "list")
    assert code == 0 and "inactive: dinonaktifkan" in out and "07.00" in out
    assert cli("reports", "set", "abc")[0] == 2
    code, out = cli("reports", "set", "99", "--active", "yes")
    assert code == 2 and "no report subscription #99" in out

    code, out = cli("reports", "send-now", "1", "--dry-run")
    assert code == 0 and "120363000000000002@g.us, 6281234567890" in out and "dry run: nothing queued" in out
    assert "POLRES A" in out.upper()
    assert outbox_count(database_url) == 0
    code, out = cli("reports", "send-now", "1")
    assert code == 0 and "queued 2 message(s) for 2 recipient(s)" in out
    assert outbox_count(database_url) == 2

    code, out = cli("reports", "remove", "1")
    assert code == 0 and "removed subscription #1" in out
    assert cli("reports", "remove", "1")[0] == 2
    assert cli("reports", "send-now", "1")[0] == 2

    code, out = cli("reports", "seed")
    assert code == 0 and "added" in out
    code, out = cli("reports", "list", "--client", "POLRES_A")
    assert "ig_likes_by_division" in out and "(from settings)" in out
    code, out = cli("reports", "list", "--client", "DITBINMAS")
    assert "inactive: client tidak punya nomor super admin" in out   # the leaders' recaps: nobody to send to


async def _truncate(url: str) -> None:
    from tests.conftest import truncate_all

    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        await truncate_all(pool)
    finally:
        await pool.close()
