"""`cicero outbox`: list, filter, show and retry through the real command line."""

import asyncio

import asyncpg

from bot.cli import main
from jobs.outbox import enqueue


def _seed(database_url):
    async def go():
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute("TRUNCATE outbox RESTART IDENTITY CASCADE")
            await enqueue(conn, recipient="120363000000000111@g.us", kind="task_scheduled",
                          body="📋 *Daftar Tugas — Polres A*\nisi", idempotency_key="a")
            await enqueue(conn, recipient="6281100000001", kind="admin_log", body="❌ *GALAT*\nrusak",
                          idempotency_key="b")
            await conn.execute("UPDATE outbox SET status = 'dead', attempts = 5, last_error = 'not a participant' "
                               "WHERE idempotency_key = 'b'")
        finally:
            await conn.close()

    asyncio.run(go())


def _status(database_url, key):
    async def go():
        conn = await asyncpg.connect(database_url)
        try:
            return await conn.fetchrow("SELECT status, attempts FROM outbox WHERE idempotency_key = $1", key)
        finally:
            await conn.close()

    return tuple(asyncio.run(go()))


def test_outbox_list_filter_show_and_retry(tmp_path, capsys, monkeypatch, database_url):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    _seed(database_url)
    assert main(["--config", str(cfg), "outbox"]) == 0
    out = capsys.readouterr().out
    assert "pending 1" in out and "dead 1" in out and "Daftar Tugas" in out and "not a participant" in out
    assert main(["--config", str(cfg), "outbox", "--status", "dead"]) == 0
    out = capsys.readouterr().out
    assert "GALAT" in out and "Daftar Tugas" not in out.split("outbox —", 1)[1].split("\n", 1)[1]
    assert main(["--config", str(cfg), "outbox", "show", "1"]) == 0
    assert "isi" in capsys.readouterr().out
    assert main(["--config", str(cfg), "outbox", "retry", "1"]) == 2  # pending, not dead
    assert "hanya pesan 'dead'" in capsys.readouterr().out
    assert main(["--config", str(cfg), "outbox", "retry", "2"]) == 0
    assert _status(database_url, "b") == ("pending", 0)
    assert main(["--config", str(cfg), "outbox", "retry", "99"]) == 2
