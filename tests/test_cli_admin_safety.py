"""CLI safety and audit: `clients add` never silently replaces, moves are said, unknown clients fail,
dashboard roles are checked, no terminal is no traceback, and `cicero audit` shows every channel's changes."""

from __future__ import annotations

import asyncio

import pytest

from bot.cli import main
from core.passwords import verify_password
from db.audit import audit_rows
from db.clients import get_client
from db.dashboard_accounts import account_for_login
from tests.support.api import api_client, api_deps, bearer, dashboard_token, make_account, noon_clock


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("CICERO_DASHBOARD_PASSWORD", raising=False)
    config = str(tmp_path / "none.toml")

    def run(*args: str) -> tuple[int, str]:
        code = main(["--config", config, *args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return lambda *args: asyncio.to_thread(run, *args)


async def test_clients_add_on_an_existing_id_refuses_unless_replace(cli, pool):
    assert (await cli("clients", "add", "POLRES_A", "--name", "Polres A", "--type", "org", "--instagram", "polresa",
                      "--group", "120363000000000001@g.us", "--operator", "0812 1111 2222"))[0] == 0
    code, out = await cli("clients", "add", "POLRES_A", "--name", "Polres A", "--type", "org")
    assert code == 2 and "already exists" in out and "cicero clients set POLRES_A" in out and "--replace" in out
    client = await get_client(pool, "POLRES_A")
    assert (client.instagram, client.group_ids, client.operator_phone) == (
        "polresa", ["120363000000000001@g.us"], "6281211112222")        # nothing was wiped
    code, out = await cli("clients", "set", "POLRES_A", "--tiktok", "polresa.tt")
    assert code == 0 and "changed: tiktok" in out
    code, out = await cli("clients", "add", "POLRES_A", "--name", "Polres A Baru", "--type", "org", "--replace")
    assert code == 0 and (await get_client(pool, "POLRES_A")).group_ids == []
    actions = [(r.action, r.channel) for r in await audit_rows(pool, client_id="POLRES_A")]
    assert actions == [("client.replace", "cli"), ("client.update", "cli"), ("client.create", "cli")]


async def test_users_add_says_when_it_moves_a_person_and_list_refuses_an_unknown_client(cli, pool):
    await cli("clients", "add", "POLRES_A", "--name", "A", "--type", "org")
    await cli("clients", "add", "POLRES_B", "--name", "B", "--type", "org")
    assert (await cli("users", "add", "87001001", "--client", "POLRES_A", "--name", "Ani"))[0] == 0
    code, out = await cli("users", "add", "87001001", "--client", "POLRES_B", "--name", "Ani")
    assert code == 0 and "moved: 87001001 was in POLRES_A; now in POLRES_B" in out
    code, out = await cli("users", "add", "87001001", "--client", "POLRES_B", "--name", "Ani")
    assert code == 0 and "moved" not in out
    code, out = await cli("users", "list", "--client", "NOPE")
    assert code == 2 and "client NOPE tidak ditemukan" in out
    assert (await audit_rows(pool, entity_id="87001001"))[0].action == "personnel.move"


async def test_dashboard_roles_are_checked_and_no_terminal_is_a_clear_error(cli, pool, monkeypatch):
    await cli("clients", "add", "POLRES_A", "--name", "A", "--type", "org")
    monkeypatch.setenv("CICERO_DASHBOARD_PASSWORD", "rahasia-kuat-1")
    code, out = await cli("dashboard-users", "add", "op_a", "--role", "operatr", "--client", "POLRES_A")
    assert code == 2 and "peran 'operatr' tidak dikenal" in out and "operator" in out
    assert await account_for_login(pool, "op_a") is None

    monkeypatch.delenv("CICERO_DASHBOARD_PASSWORD")
    code, out = await cli("dashboard-users", "add", "op_a", "--role", "operator", "--client", "POLRES_A")
    assert code == 2 and "no terminal to ask the password" in out and "EOFError" not in out

    code, out = await cli("dashboard-users", "add", "op_a", "--role", "Operator", "--client", "polres_a",
                          "--whatsapp", "0812 9999 0000", "--generate-password")
    assert code == 0 and "generated password for op_a (shown once, not stored):" in out
    password = out.split("not stored): ")[1].split()[0]
    account, password_hash = await account_for_login(pool, "op_a")
    assert account.role == "operator" and verify_password(password_hash, password)

    code, out = await cli("dashboard-users", "set", "op_a", "--role", "ditbinmasx")
    assert code == 2 and "tidak dikenal" in out
    code, out = await cli("dashboard-users", "set", "op_a", "--active", "no")
    assert code == 0 and "active no" in out
    rows = await audit_rows(pool, entity="dashboard_account")
    assert [r.action for r in rows] == ["dashboard_account.deactivate", "dashboard_account.create"]
    assert password not in str([(r.before, r.after, r.note) for r in rows])


async def test_cicero_audit_lists_changes_from_the_api_and_the_cli(cli, pool, settings):
    await make_account(pool, "root", role="admin", client_ids=[])
    async with api_client(api_deps(settings, pool, noon_clock())) as http:
        admin = bearer(await dashboard_token(http, "root"))
        body = {"client_id": "polres_malang", "nama": "POLRES MALANG", "client_type": "org"}
        assert (await http.post("/api/clients", headers=admin, json=body)).status_code == 201
    await cli("clients", "set", "POLRES_MALANG", "--instagram", "polresmalang")
    code, out = await cli("audit", "--client", "polres_malang", "--since", "7d")
    assert code == 0 and "2 audit row(s)" in out
    assert "root" in out and "api" in out and "client.create" in out
    assert "cli" in out and "client.update" in out and "polresmalang" in out
    code, out = await cli("audit", "--since", "2020-01-01", "--client", "NOBODY")
    assert code == 0 and "0 audit row(s)" in out
    code, out = await cli("audit", "--since", "kemarin")
    assert code == 2 and "YYYY-MM-DD" in out
