"""POST /api/dashboard/komplain/insta|tiktok: recorded, checked against stored engagement, forwarded to the operator."""

from __future__ import annotations

import pytest

from db.job_runs import finish_run, record_client, start_run
from tests.support.api import (
    KEDIRI_OPERATOR, bearer, build_world, dashboard_token, make_account,
)
from tests.support.factories import Factory, wib
from tests.support.pages import deliver_outbox

pytest_plugins = ["tests.support.page_fixtures"]  # the clock and http fixtures


@pytest.fixture
async def world(pool):
    await build_world(pool)
    await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
    run = await start_run(pool, job="fetch_engagement", phase="engagement_only", trigger="schedule",
                          started_at=wib(2025, 1, 15, 11, 0))
    await record_client(pool, run, "POLRES_KEDIRI", {"ok": True})
    await finish_run(pool, run, status="ok", finished_at=wib(2025, 1, 15, 11, 5))
    return pool


@pytest.fixture
async def op(http):
    return bearer(await dashboard_token(http, "op_kediri"))


async def test_complaint_reports_what_is_recorded_and_goes_to_the_operator(http, op, world, settings, clock):
    r = await http.post("/api/dashboard/komplain/insta", json={"nrp": "75020003"}, headers=op)   # AGUS: 1 of 3
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True and body["message"] == body["data"]["message"]
    assert "Tercatat 1 dari 3 konten" in body["message"] and "pukul 11.05 WIB" in body["message"]
    data = body["data"]
    assert (data["recorded"], data["tasks"], data["done"]) == (False, 3, 1)
    assert data["missing_links"] == ["https://www.instagram.com/p/KDR2/", "https://www.instagram.com/p/KDR3/"]
    assert data["last_fetched_at"] == "2025-01-15T04:05:00Z" and data["forwarded_to_operator"] is True
    row = await world.fetchrow("SELECT * FROM complaints WHERE id = $1", data["complaint_id"])
    assert (row["nrp"], row["platform"], row["done"], row["tasks"], row["reported_by"]) == \
        ("75020003", "instagram", 1, 3, "op_kediri")
    assert row["issue"] == "sudah melaksanakan tetapi belum terdata"
    sent = await deliver_outbox(world, settings, clock)
    assert [m.to for m in sent] == [KEDIRI_OPERATOR]
    text = sent[0].text
    assert "Komplain absensi Instagram" in text and "NRP 75020003" in text and "@agus.ig" in text
    assert "https://www.instagram.com/p/KDR2/" in text and "op_kediri" in text


async def test_once_the_like_is_fetched_the_answer_says_it_is_recorded(http, op, world):
    await Factory(world).likes("KDR2", ["agus.ig"])
    await Factory(world).likes("KDR3", ["agus.ig"])
    r = await http.post("/api/dashboard/komplain/insta",
                        json={"user_id": "75020003", "username": "agus.ig", "client_id": "POLRES_KEDIRI",
                              "issue": "Like sudah, belum masuk"}, headers=op)
    data = r.json()["data"]
    assert data["recorded"] is True and data["missing_links"] == []
    assert r.json()["message"].startswith("Sudah terdata: like @agus.ig tercatat pada semua 3 konten")


async def test_tiktok_complaint_and_username_mismatch(http, op):
    r = await http.post("/api/dashboard/komplain/tiktok", json={"nrp": "75020003", "username_tiktok": "@agus_lain"},
                        headers=op)
    body = r.json()
    assert r.status_code == 200 and body["data"]["platform"] == "tiktok"
    assert (body["data"]["tasks"], body["data"]["done"]) == (2, 0)
    assert body["message"].startswith("Username yang dilaporkan (@agus_lain) berbeda dengan yang terdaftar (@agus.tt)")
    no_username = await http.post("/api/dashboard/komplain/insta", json={"nrp": "75020002"}, headers=op)  # SITI
    assert "belum diisi" in no_username.json()["message"] and no_username.json()["data"]["recorded"] is False


async def test_complaints_are_scoped_and_validated(http, op, world, settings, clock):
    r = await http.post("/api/dashboard/komplain/insta", json={"nrp": "77010001"}, headers=op)   # BLITAR's
    assert r.status_code in (403, 404)
    assert (await http.post("/api/dashboard/komplain/insta", json={}, headers=op)).status_code == 422
    r = await http.post("/api/dashboard/komplain/insta", json={"nrp": "75020003", "issue": "=HYPERLINK(1)"},
                        headers=op)
    assert r.status_code == 422
    assert (await http.post("/api/dashboard/komplain/insta", json={"nrp": "75020003"})).status_code == 401
    assert await world.fetchval("SELECT count(*) FROM complaints") == 0
    assert await deliver_outbox(world, settings, clock) == []


async def test_a_client_without_operator_number_records_but_does_not_forward(http, op, world, settings, clock):
    await world.execute("UPDATE clients SET operator_phone = NULL WHERE id = 'POLRES_KEDIRI'")
    r = await http.post("/api/dashboard/komplain/insta", json={"nrp": "75020001"}, headers=op)     # BUDI: 3 of 3
    data = r.json()["data"]
    assert data["recorded"] is True and data["forwarded_to_operator"] is False
    assert "belum punya nomor operator" in r.json()["message"]
    assert await deliver_outbox(world, settings, clock) == []
