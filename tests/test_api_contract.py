"""Contract tests: every dashboard call (dashboard_contract.md §1–§3) and every field it reads."""

from __future__ import annotations

import pytest

from db.clients import get_client
from handlers.reports.attendance import Period, Platform, build_attendance
from tests.support.api import (
    PASSWORD, api_client, api_deps, bearer, build_world, dashboard_token, make_account, noon_clock,
)
from tests.support.factories import wib

DAY = {"periode": "harian", "tanggal": "2025-01-15"}


@pytest.fixture
async def world(pool):
    await build_world(pool)
    await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
    await make_account(pool, "binmas", role="ditbinmas", client_ids=["DITBINMAS"])
    await make_account(pool, "root", role="admin", client_ids=[])
    return pool


@pytest.fixture
async def http(world, settings):
    async with api_client(api_deps(settings, world, noon_clock())) as client:
        yield client


@pytest.fixture
async def op(http):
    return bearer(await dashboard_token(http, "op_kediri"))


def browser_status(row: dict, total_posts: int, count_key: str) -> str:
    """cd/utils/engagementStatus.ts as the contract describes it."""
    if not row.get("username"):
        return "noUsername"
    n = min(row[count_key], total_posts)
    if total_posts == 0:
        return "belum"
    return "sudah" if n >= total_posts else "kurang" if n > 0 else "belum"


async def test_dashboard_login_returns_token_and_user_fields(http):
    r = await http.post("/api/auth/dashboard-login", json={"username": " OP_Kediri ", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True and body["token"].count(".") == 2
    user = body["user"]
    assert user["client_id"] == "POLRES_KEDIRI"
    assert isinstance(user["user_id"], str) and user["user_id"]
    assert user["username"] == "op_kediri" and user["role"] == "operator"
    assert "password" not in r.text and "$argon2" not in r.text


async def test_dashboard_login_failure_is_json_with_message(http):
    r = await http.post("/api/auth/dashboard-login", json={"username": "op_kediri", "password": "salah-sekali"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["success"] is False and r.json()["message"].startswith("Login gagal")


async def test_client_profile_fields(http, op):
    r = await http.get("/api/clients/profile", params={"client_id": "polres_kediri", "role": "operator"}, headers=op)
    assert r.status_code == 200, r.text
    c = r.json()["client"]
    assert c["client_id"] == "POLRES_KEDIRI" and c["nama"] == "POLRES KEDIRI"
    assert c["client_type"] == "ORG" and c["regional_id"] == "JATIM"
    assert c["client_insta"] == "polreskediri" and c["client_tiktok"] == "polreskediri"
    for flag in ("client_insta_status", "client_tiktok_status", "client_amplify_status", "premium_status"):
        assert isinstance(c[flag], bool)
    assert c["client_insta_status"] is True
    assert "premium_tier" in c and "premium_expires_at" in c
    assert "operator_phone" not in r.text and "6281234500001" not in r.text


async def test_directorate_profile_type(http):
    token = bearer(await dashboard_token(http, "binmas"))
    r = await http.get("/api/clients/profile", params={"client_id": "DITBINMAS", "role": "ditbinmas"}, headers=token)
    assert r.json()["client"]["client_type"] == "DIREKTORAT"


async def test_rekap_likes_contract(http, op, world, settings):
    r = await http.get("/api/insta/rekap-likes", headers=op,
                       params={**DAY, "client_id": "POLRES_KEDIRI", "role": "operator", "scope": "ORG",
                               "regional_id": "JATIM"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True
    rows = body["data"]
    assert isinstance(rows, list) and len(rows) == 4  # active personnel only
    for row in rows:
        for key in ("user_id", "nama", "title", "divisi", "jabatan", "username", "client_id", "client_name",
                    "jumlah_like"):
            assert key in row
        assert row["client_id"] == "POLRES_KEDIRI" and row["client_name"] == "POLRES KEDIRI"
        assert isinstance(row["jumlah_like"], int)
    by_name = {row["nama"]: row for row in rows}
    assert by_name["BUDI"]["jumlah_like"] == 3 and by_name["BUDI"]["username"] == "budi.ig"
    assert by_name["AGUS"]["jumlah_like"] == 1
    assert by_name["SITI"]["username"] == "" and by_name["SITI"]["jumlah_like"] == 0
    assert by_name["EKO"]["jumlah_like"] == 3  # exception counts as done
    assert body["totalPosts"] == 3 and body["summary"]["totalPosts"] == 3
    assert body["usersCount"] == 4 and body["summary"]["totalUsers"] == 4
    # the browser recomputes statuses from rows; the counters must agree with it
    statuses = [browser_status(row, body["totalPosts"], "jumlah_like") for row in rows]
    assert body["sudahUsersCount"] == statuses.count("sudah") == 2
    assert body["kurangUsersCount"] == statuses.count("kurang") == 1
    assert body["belumUsersCount"] == statuses.count("belum") == 0
    assert body["noUsernameUsersCount"] == statuses.count("noUsername") == 1
    d = body["summary"]["distribution"]
    assert (d["sudah"], d["kurang"], d["belum"], d["noUsername"], d["noPosts"]) == (2, 1, 0, 1, 0)
    assert [p["permalink"] for p in body["posts"]] == [f"https://www.instagram.com/p/KDR{i}/" for i in (1, 2, 3)]
    assert body["posts"][0]["created_at"] == "2025-01-15T01:00:00Z"


async def test_rekap_numbers_are_the_attendance_engine_numbers(http, op, world):
    body = (await http.get("/api/insta/rekap-likes", headers=op, params={**DAY, "client_id": "POLRES_KEDIRI"})).json()
    client = await get_client(world, "POLRES_KEDIRI")
    report = await build_attendance(world, client, Period.on(wib(2025, 1, 15).date()), Platform.INSTAGRAM)
    assert [(r["user_id"], r["jumlah_like"]) for r in body["data"]] == [(p.nrp, p.done) for p in report.people]
    assert body["sudahUsersCount"] == report.tally.lengkap and body["usersCount"] == report.tally.personnel


async def test_rekap_komentar_contract(http, op):
    r = await http.get("/api/tiktok/rekap-komentar", headers=op,
                       params={"client_id": "POLRES_KEDIRI", "periode": "harian", "tanggal": "2025-01-15",
                               "tanggal_mulai": "2025-01-15", "start_date": "2025-01-15",
                               "tanggal_selesai": "2025-01-15", "end_date": "2025-01-15",
                               "role": "operator", "scope": "ORG"})
    assert r.status_code == 200, r.text
    body = r.json()
    rows = body["data"]
    for row in rows:
        for key in ("user_id", "nama", "title", "divisi", "username", "client_id", "client_name", "jumlah_komentar"):
            assert key in row
        assert row["client_id"] == "POLRES_KEDIRI"
        assert isinstance(row["jumlah_komentar"], int)
    assert body["totalPosts"] == 2 and body["summary"]["totalPosts"] == 2
    assert body["usersCount"] == 4
    d = body["summary"]["distribution"]
    assert d == {"sudah": 2, "kurang": 0, "belum": 1, "noUsername": 1, "noPosts": 0}
    assert body["sudahUsersCount"] == 2 and body["belumUsersCount"] == 1 and body["noUsernameUsersCount"] == 1
    assert body["usersWithCommentsCount"] == 2  # BUDI + exception EKO
    assert {row["nama"]: row["jumlah_komentar"] for row in rows}["BUDI"] == 2


async def test_rekap_for_directorate_without_client_id_returns_rows_of_every_satker(http):
    token = bearer(await dashboard_token(http, "binmas"))
    r = await http.get("/api/insta/rekap-likes", headers=token,
                       params={**DAY, "role": "ditbinmas", "scope": "DIREKTORAT", "regional_id": "JATIM"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["client_id"] == "DITBINMAS" and body["totalPosts"] == 1
    rows = {row["nama"]: row for row in body["data"]}
    # DITBINMAS' own officer and a KEDIRI role holder; SLEMAN (regional DIY) is filtered out by regional_id
    assert set(rows) == {"DEDI", "BUDI"}
    assert rows["BUDI"]["client_id"] == "POLRES_KEDIRI" and rows["DEDI"]["client_id"] == "DITBINMAS"
    assert body["usersCount"] == 2 and body["sudahUsersCount"] == 2
    everywhere = (await http.get("/api/insta/rekap-likes", headers=token,
                                 params={**DAY, "role": "ditbinmas", "scope": "DIREKTORAT"})).json()
    assert {row["nama"] for row in everywhere["data"]} == {"DEDI", "BUDI", "YOGA"}
    # the page then asks for the profile of every client_id in the rows: its satker are visible to it
    for client_id in {row["client_id"] for row in everywhere["data"]}:
        r = await http.get("/api/clients/profile", headers=token, params={"client_id": client_id})
        assert r.status_code == 200, client_id
    # a client with no ditbinmas role holder is not
    assert (await http.get("/api/clients/profile", headers=token, params={"client_id": "POLRES_BLITAR"})
            ).status_code == 403


async def test_dashboard_stats_contract(http, op):
    r = await http.get("/api/dashboard/stats", headers=op,
                       params={**DAY, "client_id": "POLRES_KEDIRI", "role": "operator", "scope": "ORG"})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["client_id"] == "POLRES_KEDIRI" and data["scope"] == "org"
    assert (data["igPosts"], data["ttPosts"], data["users"], data["clients"]) == (3, 2, 4, 1)


async def test_users_list_contract(http, op):
    r = await http.get("/api/users/list", headers=op,
                       params={"client_id": "POLRES_KEDIRI", "role": "operator", "scope": "ORG", "regional_id": "JATIM"})
    assert r.status_code == 200, r.text
    rows = r.json()["data"]
    assert {row["user_id"] for row in rows} == {"75020001", "75020002", "75020003", "75020004"}
    for row in rows:
        for key in ("user_id", "nama", "title", "divisi", "jabatan", "insta", "tiktok", "email", "status",
                    "client_id", "nama_client", "client_name"):
            assert key in row
        assert row["client_id"] == "POLRES_KEDIRI" and row["status"] is True
    budi = next(row for row in rows if row["nama"] == "BUDI")
    assert budi["insta"] == "budi.ig" and budi["tiktok"] == "budi.tt"
    assert budi["roles"] == ["ditbinmas", "operator"]  # every person of an org client carries operator


async def test_users_list_of_foreign_client_is_forbidden_and_there_is_no_unscoped_listing(http, op):
    r = await http.get("/api/users/list", headers=op, params={"client_id": "POLRES_BLITAR"})
    assert r.status_code == 403 and r.json()["reason"] == "forbidden_client"
    assert (await http.get("/api/users", headers=op)).status_code in (404, 405)


async def test_user_create_get_and_update(http, op, world):
    r = await http.post("/api/users/create", headers=op, json={
        "client_id": "POLRES_KEDIRI", "nama": "wahyu  santoso", "title": "bripda", "user_id": "75029999",
        "divisi": "sat lantas", "insta": "@Wahyu.IG"})
    assert r.status_code == 201, r.text
    row = r.json()["data"]
    assert row["nama"] == "WAHYU SANTOSO" and row["insta"] == "wahyu.ig" and row["client_id"] == "POLRES_KEDIRI"
    again = await http.post("/api/users/create", headers=op, json={
        "client_id": "POLRES_KEDIRI", "nama": "WAHYU SANTOSO", "user_id": "75029999"})
    assert again.status_code == 200 and again.json()["data"]["insta"] == "wahyu.ig"  # blank never wipes
    r = await http.put("/api/users/75029999", headers=op, json={"nama": "Wahyu S", "title": "BRIPTU",
                                                               "divisi": "SAT LANTAS", "user_id": "75029999"})
    assert r.status_code == 200 and r.json()["data"]["title"] == "BRIPTU"
    r = await http.put("/api/users/75029999", headers=op, json={"status": False})
    assert r.json()["data"]["status"] is False
    assert (await http.get("/api/users/75029999", headers=op)).json()["data"]["status"] is False
    # body keys are never column names; unknown keys are ignored
    r = await http.put("/api/users/75029999", headers=op, json={"client_id": "POLRES_BLITAR", "password_hash": "x"})
    assert r.status_code == 200 and r.json()["data"]["client_id"] == "POLRES_KEDIRI"
    # a person of another client is invisible (404, like an unknown NRP: nothing names the owner) and
    # cannot be taken over
    for r in (await http.get("/api/users/77010001", headers=op),
              await http.put("/api/users/77010001", headers=op, json={"nama": "X"})):
        assert r.status_code == 404 and r.json()["reason"] == "user_not_found", r.text
        assert "BLITAR" not in r.text
    taken = await http.post("/api/users/create", headers=op, json={
        "client_id": "POLRES_KEDIRI", "nama": "RUDI", "user_id": "77010001"})
    assert taken.status_code == 409
    # a new user_id renames (the /users page edits the NRP this way); taking someone's NRP is refused
    assert (await http.put("/api/users/75029999", headers=op, json={"user_id": "75020001"})).status_code == 409
    renamed = await http.put("/api/users/75029999", headers=op, json={"user_id": "75029998", "nama": "Wahyu S"})
    assert renamed.status_code == 200 and renamed.json()["data"]["user_id"] == "75029998"
    assert (await http.get("/api/users/75029999", headers=op)).status_code == 404
    assert (await http.get("/api/users/99999999", headers=op)).status_code == 404


async def test_post_history_contract(http, op):
    r = await http.get("/api/insta/posts", headers=op,
                       params={"client_id": "POLRES_KEDIRI", "start_date": "2025-01-01", "end_date": "2025-01-31"})
    assert r.status_code == 200, r.text
    posts = r.json()["data"]
    assert [p["shortcode"] for p in posts] == ["KDR3", "KDR2", "KDR1"]
    for p in posts:
        for key in ("id", "caption", "like_count", "comment_count", "created_at", "permalink"):
            assert key in p
    assert posts[0]["like_count"] == 43 and posts[0]["recorded_likes"] == 2
    alias = await http.get("/api/instagram/posts", headers=op, params={"client_id": "POLRES_KEDIRI", **DAY})
    assert len(alias.json()["data"]) == 3
    r = await http.get("/api/tiktok/posts", headers=op,
                       params={"client_id": "POLRES_KEDIRI", "start_date": "2025-01-15", "end_date": "2025-01-15"})
    videos = r.json()["data"]
    assert len(videos) == 2
    for v in videos:
        for key in ("video_id", "caption", "like_count", "comment_count", "created_at", "share_url"):
            assert key in v
        assert v["share_url"].startswith("https://www.tiktok.com/@polreskediri/video/")
    # today by default (the clock says 15 Jan 2025)
    assert len((await http.get("/api/tiktok/posts", headers=op)).json()["data"]) == 2


async def test_clients_listing_is_scoped(http, op):
    r = await http.get("/api/clients", headers=op)
    assert [c["client_id"] for c in r.json()["data"]] == ["POLRES_KEDIRI"]
    assert (await http.get("/api/clients/POLRES_KEDIRI", headers=op)).json()["data"]["nama"] == "POLRES KEDIRI"
    assert (await http.get("/api/clients/POLRES_BLITAR", headers=op)).status_code == 403
    admin = bearer(await dashboard_token(http, "root"))
    assert len((await http.get("/api/clients", headers=admin)).json()["data"]) == 4
    assert (await http.get("/api/clients/NOPE", headers=admin)).status_code == 404


async def test_only_admin_creates_clients(http, op):
    body = {"client_id": "polres_malang", "nama": "POLRES MALANG", "client_type": "ORG", "client_insta": "@PolresMalang",
            "regional_id": "jatim", "client_operator": "0812-3450-0077"}
    assert (await http.post("/api/clients", headers=op, json=body)).status_code == 403
    admin = bearer(await dashboard_token(http, "root"))
    r = await http.post("/api/clients", headers=admin, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["data"]["client_id"] == "POLRES_MALANG" and r.json()["data"]["client_insta"] == "polresmalang"
    assert (await http.post("/api/clients", headers=admin, json=body)).status_code == 409


async def test_logout_revokes_the_token(http):
    token = bearer(await dashboard_token(http, "op_kediri"))
    assert (await http.post("/api/auth/logout", headers=token)).json()["success"] is True
    r = await http.get("/api/clients/profile", headers=token)
    assert r.status_code == 401 and r.json()["reason"] == "invalid_token"


async def test_cors_preflight_with_json_content_type_on_get(http):
    r = await http.options("/api/insta/rekap-likes", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert r.headers["access-control-allow-credentials"] == "true"
    allowed = r.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    bad = await http.options("/api/insta/rekap-likes", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in bad.headers


async def test_errors_are_json_everywhere(http, op):
    for r in [await http.get("/api/nope"), await http.delete("/api/clients", headers=op),
              await http.post("/api/auth/dashboard-login", content=b"{not json", headers={"Content-Type": "application/json"}),
              await http.post("/api/auth/dashboard-login", json={"username": "x"}),
              await http.get("/api/insta/rekap-likes", headers=op, params={"periode": "tahunan"})]:
        assert r.headers["content-type"].startswith("application/json"), r.text
        assert r.json()["success"] is False and r.json()["message"]
    assert (await http.get("/api/nope")).status_code == 404
    r = await http.post("/api/auth/dashboard-login", json={"username": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["password"]


async def test_server_error_is_json_without_traceback(settings, pool):
    broken = await __import__("asyncpg").create_pool(settings.database.url, min_size=1, max_size=1)
    await broken.close()
    async with api_client(api_deps(settings, broken, noon_clock()), raise_app_exceptions=False) as http:
        r = await http.post("/api/auth/login", json={"client_id": "POLRES_KEDIRI", "client_operator": "0812"})
    assert r.status_code == 500 and r.json() == {
        "success": False, "message": "Terjadi kesalahan di server; coba lagi nanti", "reason": "server_error"}


async def test_health_needs_no_auth_and_shows_no_secrets(http, settings):
    r = await http.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["components"]["database"]["status"] == "ok"
    assert body["components"]["whatsapp"]["status"] and body["components"]["scheduler"]["status"]
    assert settings.api.jwt_secret.get_secret_value() not in r.text and "postgres" not in r.text


async def test_openapi_docs_are_served(http):
    assert (await http.get("/docs")).status_code == 200
    spec = (await http.get("/openapi.json")).json()
    assert "/api/insta/rekap-likes" in spec["paths"] and "/api/users/list" in spec["paths"]
