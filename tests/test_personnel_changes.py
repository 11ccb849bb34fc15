"""Every personnel change goes through one path that writes the row and its audit row together."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import asyncpg
import pytest

from bot.cli import main
from db.audit import Actor, audit_rows
from db.personnel import Personnel, get_personnel
from jobs.personnel_changes import save_personnel
from tests.support.factories import Factory

OPERATOR = Actor("6281200000002", "whatsapp")


async def test_a_change_is_written_and_audited_with_only_the_changed_fields(pool):
    await Factory(pool).client("POLRES_A")
    budi = Personnel(nrp="75010001", name="BUDI", client_id="POLRES_A", instagram="budi_old")
    [created] = await save_personnel(pool, OPERATOR, [budi], action="personnel.update")
    assert created.created and created.changes_attendance
    [changed] = await save_personnel(pool, OPERATOR, [replace(budi, instagram="budi")], action="personnel.update")
    assert changed.changed_fields == ("instagram",)
    assert await save_personnel(pool, OPERATOR, [replace(budi, instagram="budi")], action="personnel.update") == []
    assert (await get_personnel(pool, "75010001")).instagram == "budi"
    rows = await audit_rows(pool, entity="personnel", entity_id="75010001")
    assert [(r.action, r.before, r.after) for r in rows][0] == (
        "personnel.update", {"instagram": "budi_old"}, {"instagram": "budi"})
    assert rows[1].action == "personnel.create" and rows[1].before is None and rows[1].after["name"] == "BUDI"


async def test_a_failed_write_leaves_no_audit_row(pool):
    ghost = Personnel(nrp="75010002", name="ANI", client_id="NO_SUCH_CLIENT")
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await save_personnel(pool, OPERATOR, [ghost], action="personnel.update")
    assert await audit_rows(pool, entity="personnel") == []


async def test_cli_users_add_is_audited_as_the_cli_user(pool, database_url, monkeypatch):
    await Factory(pool).client("POLRES_A")
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    args = ["users", "add", "75010003", "--client", "POLRES_A", "--name", "Citra", "--instagram", "citra"]
    assert await asyncio.to_thread(main, args) == 0
    [row] = await audit_rows(pool, entity="personnel", entity_id="75010003")
    assert row.channel == "cli" and row.actor.startswith("cli:") and row.after["instagram"] == "citra"
