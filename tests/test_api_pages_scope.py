"""Scope of the dashboard pages: another client's handle, summary, Anev and personnel roles; NRP renames."""

from __future__ import annotations

import pytest

from db.audit import audit_rows
from db.exception_requests import open_request
from tests.support.api import (
    BLITAR_OPERATOR, KEDIRI_OPERATOR, bearer, dashboard_token, operator_token,
)
from tests.support.factories import wib
from tests.support.pages import page_world

pytest_plugins = ["tests.support.page_fixtures"]  # the clock and http fixtures

DAY = {"client_id": "POLRES_KEDIRI", "periode": "harian", "tanggal": "2025-01-15"}


@pytest.fixture
async def world(pool):
    await page_world(pool)
    return pool


async def token(http, name):
    return bearer(await dashboard_token(http, name))


async def test_post_pages_refuse_another_clients_handle_and_name_an_unknown_one(http):
    blitar = await token(http, "op_blitar")
    for path in ("/api/insta/rapid-profile", "/api/insta/rapid-info", "/api/insta/rapid-posts",
                 "/api/tiktok/rapid-profile", "/api/tiktok/rapid-info", "/api/tiktok/rapid-posts"):
        r = await http.get(path, params={"username": "polreskediri"}, headers=blitar)
        assert r.status_code == 403 and r.json()["reason"] == "forbidden_client", (path, r.text)
        r = await http.get(path, params={"username": "akun.asing"}, headers=blitar)
        assert r.status_code == 404 and r.json()["reason"] == "account_not_found"
        assert "@akun.asing" in r.json()["message"]
    own = await http.get("/api/insta/rapid-profile", params={"username": "polresblitar"}, headers=blitar)
    assert own.status_code == 200 and own.json()["data"]["followers"] is None   # never fetched: null, not 0
    r = await http.get("/api/tiktok/rapid-posts", params={"client_id": "POLRES_KEDIRI"}, headers=blitar)
    assert r.status_code == 403
    r = await http.get("/api/social/aggregator", params={"client_id": "POLRES_KEDIRI"}, headers=blitar)
    assert r.status_code == 403
    r = await http.get("/api/social/aggregator", headers={**blitar, "X-Client-Id": "POLRES_KEDIRI"})
    assert r.status_code == 403


async def test_operator_login_tokens_reach_the_pages_of_their_client_only(http):
    op = bearer(await operator_token(http, "POLRES_KEDIRI", "0" + KEDIRI_OPERATOR[2:]))
    assert (await http.get("/api/social/aggregator", headers=op)).json()["data"]["client_id"] == "POLRES_KEDIRI"
    assert (await http.get("/api/clients/POLRES_KEDIRI/summary", params={"month": "2025-01"}, headers=op)).status_code == 200
    other = bearer(await operator_token(http, "POLRES_BLITAR", BLITAR_OPERATOR))
    assert (await http.get("/api/clients/POLRES_KEDIRI/summary", headers=other)).status_code == 403


async def test_summary_and_anev_of_another_client_are_forbidden(http):
    blitar = await token(http, "op_blitar")
    r = await http.get("/api/clients/POLRES_KEDIRI/summary", params={"month": "2025-01"}, headers=blitar)
    assert r.status_code == 403 and r.json()["reason"] == "forbidden_client"
    for path in ("/api/dashboard/anev", "/api/dashboard/anev/export"):
        r = await http.get(path, params={"time_range": "7d", "client_id": "POLRES_KEDIRI"}, headers=blitar)
        assert r.status_code == 403
        r = await http.get(path, params={"time_range": "7d"}, headers={**blitar, "X-Client-Id": "POLRES_KEDIRI"})
        assert r.status_code == 403
    # a directorate sees its satker (personnel carry its role) but not an unrelated Polres
    binmas = await token(http, "binmas")
    assert (await http.get("/api/clients/POLRES_KEDIRI/summary", headers=binmas)).status_code == 200
    assert (await http.get("/api/clients/POLRES_BLITAR/summary", headers=binmas)).status_code == 403
    r = await http.get("/api/dashboard/anev", params={"time_range": "7d", "client_id": "DITBINMAS",
                                                      "scope": "direktorat", "role": "DITBINMAS"}, headers=binmas)
    assert r.status_code == 200
    satker = {row["client_id"] for row in r.json()["data"]["aggregates"]["tasks"]}
    assert {"DITBINMAS", "POLRES_KEDIRI"} <= satker and "POLRES_BLITAR" not in satker
    # no token at all
    assert (await http.get("/api/dashboard/anev")).status_code == 401
    assert (await http.get("/api/clients/POLRES_KEDIRI/summary")).status_code == 401


async def test_roles_changes_follow_the_scope_rules(http, world):
    op, binmas, root = await token(http, "op_kediri"), await token(http, "binmas"), await token(http, "root")
    agus = "/api/users/75020003/roles"
    r = await http.put(agus, json={"roles": ["ditbinmas"]}, headers=op)
    assert r.status_code == 403 and r.json()["reason"] == "role_not_allowed"
    assert (await http.put(agus, json={"roles": ["operator"]}, headers=op)).status_code == 200   # no change
    r = await http.put(agus, json={"roles": ["ditbinmas"]}, headers=binmas)
    assert r.status_code == 200 and r.json()["data"]["roles"] == ["ditbinmas", "operator"]
    assert (await http.put(agus, json={"roles": ["ditbinmas", "ditlantas"]}, headers=binmas)).status_code == 403
    r = await http.put(agus, json={"roles": ["raja"]}, headers=root)
    assert r.status_code == 422 and "raja" in r.json()["message"]
    r = await http.put(agus, json={"roles": ["ditlantas"]}, headers=root)
    assert r.status_code == 200 and r.json()["data"]["roles"] == ["ditlantas", "operator"]
    assert await world.fetchval("SELECT roles FROM personnel WHERE nrp = '75020003'") == ["ditlantas"]
    audit = await audit_rows(world, entity="personnel", entity_id="75020003")
    assert [a.action for a in audit][:2] == ["personnel.roles", "personnel.roles"]
    assert audit[0].before == {"roles": ["ditbinmas"]} and audit[0].after == {"roles": ["ditlantas"]}
    # someone of another client is not reachable at all
    assert (await http.put("/api/users/77010001/roles", json={"roles": []}, headers=op)).status_code in (403, 404)


async def test_roles_on_create_are_applied_with_the_same_rules(http, world):
    op, binmas = await token(http, "op_kediri"), await token(http, "binmas")
    person = {"client_id": "POLRES_KEDIRI", "nama": "Baru", "user_id": "75021111", "divisi": "SAT LANTAS"}
    assert (await http.post("/api/users/create", json={**person, "roles": ["ditbinmas"]}, headers=op)).status_code == 403
    r = await http.post("/api/users/create", json={**person, "roles": ["operator"]}, headers=op)
    assert r.status_code == 201 and r.json()["data"]["roles"] == ["operator"]
    r = await http.post("/api/users/create", json={**person, "user_id": "75021112", "roles": ["ditbinmas"]},
                        headers=binmas)
    assert r.status_code == 201 and r.json()["data"]["roles"] == ["ditbinmas", "operator"]


async def test_nrp_rename_moves_every_reference_in_one_audited_change(http, world, settings):
    op = await token(http, "op_kediri")
    await open_request(world, nrp="75020003", client_id="POLRES_KEDIRI", exception=True, reason="cuti",
                       requested_by="6281234500001", at=wib(2025, 1, 15, 9))
    before = (await http.get("/api/insta/rekap-likes", params=DAY, headers=op)).json()
    r = await http.put("/api/user_roles/update", json={"old_user_id": "75020003", "new_user_id": "75020033"},
                       headers=op)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["user_id"] == "75020033" and r.json()["data"]["nama"] == "AGUS"
    after = (await http.get("/api/insta/rekap-likes", params=DAY, headers=op)).json()
    likes = {row["user_id"]: row["jumlah_like"] for row in after["data"]}
    assert likes["75020033"] == 1 and "75020003" not in likes       # the attendance ledger followed
    assert after["summary"]["figures"] == before["summary"]["figures"]
    assert await world.fetchval("SELECT nrp FROM exception_requests") == "75020033"
    assert await world.fetchval("SELECT count(*) FROM attendance_ledger WHERE nrp = '75020003'") == 0
    audit = await audit_rows(world, entity="personnel", entity_id="75020033")
    assert audit[0].action == "personnel.rename" and audit[0].before == {"nrp": "75020003"}
    assert audit[0].channel == "api" and audit[0].actor == "op_kediri"
    assert (await http.get("/api/users/75020003", headers=op)).status_code == 404
    # the dashboard renames with PUT /api/users/{old} first, then calls this: still a success
    again = await http.put("/api/user_roles/update", json={"old_user_id": "75020003", "new_user_id": "75020033"},
                           headers=op)
    assert again.status_code == 200
    taken = await http.put("/api/user_roles/update", json={"old_user_id": "75020033", "new_user_id": "75020001"},
                           headers=op)
    assert taken.status_code == 409 and taken.json()["reason"] == "user_exists"
    foreign = await http.put("/api/user_roles/update", json={"old_user_id": "77010001", "new_user_id": "77019999"},
                             headers=op)
    assert foreign.status_code in (403, 404)
    assert await world.fetchval("SELECT count(*) FROM personnel WHERE nrp = '77010001'") == 1
    bad = await http.put("/api/user_roles/update", json={"old_user_id": "75020033", "new_user_id": "12ab"}, headers=op)
    assert bad.status_code == 422
