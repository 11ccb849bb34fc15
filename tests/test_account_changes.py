"""The one write path for dashboard accounts, as the CLI, WhatsApp and the dashboard's own flows call it."""

from __future__ import annotations

import pytest

from db.audit import Actor, audit_rows
from db.clients import Client, upsert_client
from db.dashboard_accounts import account_by_username
from jobs.account_changes import AccountError, create_dashboard_account, known_roles

ACTOR = Actor("tester", "api")


async def test_roles_follow_the_directorate_clients_and_a_pending_account_is_created_disabled(pool):
    await upsert_client(pool, Client(id="DITRESKRIMUM", name="Dit Reskrimum", type="direktorat"))
    assert "ditreskrimum" in await known_roles(pool)
    created = await create_dashboard_account(pool, ACTOR, username="krimum", role="DitReskrimum", whatsapp=None,
                                             client_ids=["ditreskrimum"], active=False)
    assert created.account.role == "ditreskrimum" and created.account.client_ids == ["DITRESKRIMUM"]
    assert (await account_by_username(pool, "KRIMUM")).active is False
    (row,) = await audit_rows(pool, entity="dashboard_account")
    assert row.after["active"] is False and row.client_id == "DITRESKRIMUM"


async def test_refusals_name_what_is_wrong_and_write_nothing(pool):
    await upsert_client(pool, Client(id="POLRES_A", name="A", type="org"))
    await create_dashboard_account(pool, ACTOR, username="op_a", role="operator", whatsapp=None,
                                   client_ids=["POLRES_A"], password="rahasia-kuat-1")
    cases = [
        (dict(username="op_a"), "sudah dipakai"),
        (dict(username="x"), "username harus 3–64 karakter"),
        (dict(role="operatr"), "tidak dikenal"),
        (dict(client_ids=[]), "minimal satu client"),
        (dict(client_ids=["NOPE"]), "client tidak ditemukan: NOPE"),
        (dict(whatsapp="12"), "nomor WhatsApp"),
        (dict(password="pendek"), "password harus 8–128 karakter"),
    ]
    for change, message in cases:
        wanted = dict(username="op_b", role="operator", whatsapp=None, client_ids=["POLRES_A"]) | change
        with pytest.raises(AccountError, match=message):
            await create_dashboard_account(pool, ACTOR, **wanted)
    assert await account_by_username(pool, "op_b") is None
    assert len(await audit_rows(pool, entity="dashboard_account")) == 1
