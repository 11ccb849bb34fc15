"""Hardening, input side (issue 18, points 5, 6, 7): formulas, digits, NRP padding, CSV that misparsed.

Through the public doors: `cicero import-users` / `cicero users …` (`bot.cli.main`)
and the HTTP API; assertions on what is stored and what the operator reads.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.cli import main
from db.audit import audit_rows
from db.personnel import get_personnel, upsert_personnel, Personnel
from tests.support.api import api_client, api_deps, bearer, build_world, dashboard_token, make_account, noon_clock

HEADER = "user_id,nama,title,divisi,jabatan,whatsapp,insta,tiktok\n"


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")

    def run_sync(*args: str) -> tuple[int, str]:
        code = main(["--config", str(tmp_path / "absent.toml"), *args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    async def run(*args: str) -> tuple[int, str]:  # the CLI runs its own event loop: give it a thread
        return await asyncio.to_thread(run_sync, *args)

    return run


@pytest.fixture
async def world(pool):
    await build_world(pool)
    await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
    return pool


def _sheet(tmp_path, text: str, *, encoding: str = "utf-8", name: str = "sheet.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


# --------------------------------------------------------------------------- 5: formula prefixes

async def test_formulas_are_refused_on_import_cli_and_api(world, cli, tmp_path, settings):
    source = _sheet(tmp_path, HEADER +
                    '75030001,"=HYPERLINK(""http://x"",""klik"")",BRIPDA,SAT BINMAS,,,,\n'
                    "75030002,BUDI,+AKP,SAT BINMAS,,,,\n"
                    "75030003,ANI,BRIPDA,-SAT LANTAS,,,,\n"
                    "75030004,EKO,BRIPDA,SAT LANTAS,@SUM(A1),,,\n"
                    "75030005,WATI,BRIPDA,SAT LANTAS,BANIT,,,\n")
    code, out = await cli("import-users", "--client", "POLRES_KEDIRI", source)
    assert code == 1 and "rejected 4" in out and "created 1" in out
    assert "tidak boleh diawali" in out
    for nrp in ("75030001", "75030002", "75030003", "75030004"):
        assert await get_personnel(world, nrp) is None
    code, out = await cli("users", "add", "75030009", "--client", "POLRES_KEDIRI", "--name", "=1+1")
    assert code == 2 and "tidak boleh diawali" in out and await get_personnel(world, "75030009") is None
    async with api_client(api_deps(settings, world, noon_clock())) as http:
        token = bearer(await dashboard_token(http, "op_kediri"))
        r = await http.post("/api/users/create", headers=token, json={
            "client_id": "POLRES_KEDIRI", "user_id": "75030010", "nama": "RUDI", "jabatan": "=cmd|' /C calc'!A0"})
        assert r.status_code == 422 and "jabatan" in r.json()["message"]
        r = await http.put("/api/users/75020001", headers=token, json={"divisi": "+SAT RESKRIM"})
        assert r.status_code == 422
    assert (await get_personnel(world, "75020001")).division == "SAT RESKRIM"


# --------------------------------------------------------------------------- 6: digits and NRP padding

async def test_fullwidth_and_arabic_indic_digits_are_the_same_nrp(world, cli, tmp_path, settings):
    code, out = await cli("users", "add", "７５０１１２３５", "--client", "POLRES_KEDIRI", "--name", "Budi Lebar")
    assert code == 0 and "75011235" in out
    code, out = await cli("users", "add", "٧٥٠١١٢٣٥", "--client", "POLRES_KEDIRI", "--name", "Budi Lebar", "--rank", "AKP")
    assert code == 0 and "updated 75011235" in out
    assert await world.fetchval("SELECT count(*) FROM personnel WHERE name = 'BUDI LEBAR'") == 1
    async with api_client(api_deps(settings, world, noon_clock())) as http:
        token = bearer(await dashboard_token(http, "op_kediri"))
        r = await http.get("/api/users/٧٥٠١١٢٣٥", headers=token)
        assert r.status_code == 200 and r.json()["data"]["user_id"] == "75011235"
        r = await http.post("/api/users/create", headers=token, json={
            "client_id": "POLRES_KEDIRI", "user_id": "７５０１１２３５", "nama": "BUDI LEBAR", "whatsapp": "٠٨١٢٣٤٥٦٧٨٩٠"})
        assert r.status_code == 200 and r.json()["data"]["whatsapp"] == "6281234567890"
    assert await world.fetchval("SELECT count(*) FROM personnel WHERE name = 'BUDI LEBAR'") == 1


async def test_an_nrp_that_lost_its_leading_zero_is_padded_on_every_path(world, cli, tmp_path, settings):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["user_id", "nama"])
    book.active.append([7654321, "Angka Excel"])        # the xlsx number of 07654321
    book.save(tmp_path / "sheet.xlsx")
    code, out = await cli("import-users", "--client", "POLRES_KEDIRI", str(tmp_path / "sheet.xlsx"))
    assert code == 0 and "created 1" in out
    assert (await get_personnel(world, "07654321")).name == "ANGKA EXCEL"
    code, _ = await cli("import-users", "--client", "POLRES_KEDIRI", _sheet(tmp_path, HEADER + "1234567,Teks CSV,,,,,,\n"))
    assert code == 0 and (await get_personnel(world, "01234567")).name == "TEKS CSV"
    code, out = await cli("users", "add", "1234567", "--client", "POLRES_KEDIRI", "--name", "Teks CSV", "--rank", "IPDA")
    assert code == 0 and "updated 01234567" in out
    async with api_client(api_deps(settings, world, noon_clock())) as http:
        token = bearer(await dashboard_token(http, "op_kediri"))
        assert (await http.get("/api/users/1234567", headers=token)).json()["data"]["user_id"] == "01234567"
    assert await world.fetchval("SELECT count(*) FROM personnel WHERE nrp IN ('1234567', '7654321')") == 0
    long_nip = "198001012005011001"
    code, _ = await cli("users", "add", long_nip, "--client", "POLRES_KEDIRI", "--name", "Pns")
    assert code == 0 and await get_personnel(world, long_nip) is not None  # longer ids are kept as they are


async def test_users_dedupe_reports_then_merges_near_duplicates_with_an_audit_trail(world, cli):
    # stored before the digit rules: beside the real 75020001 (BUDI), and two spellings of 01234567
    await upsert_personnel(world, [
        Personnel(nrp="７５０２０００１", name="BUDI", client_id="POLRES_KEDIRI", whatsapp="6281299999999",
                  position=None, roles=["operator"]),
        Personnel(nrp="1234567", name="ANI", client_id="POLRES_KEDIRI", instagram="ani.ig"),
        Personnel(nrp="١٢٣٤٥٦٧", name="ANI", client_id="POLRES_KEDIRI", tiktok="ani.tt", exception=True),
        Personnel(nrp="٧٧٠١٠٠٠١", name="RUDI LAIN", client_id="POLRES_KEDIRI"),   # 77010001 is in BLITAR
    ])
    code, out = await cli("users", "dedupe", "--dry-run")
    assert code == 1 and "would merge" in out and "client berbeda" in out and "nothing written" in out
    assert await get_personnel(world, "01234567") is None
    code, out = await cli("users", "dedupe")
    assert code == 1 and "2 merged, 1 to check by hand" in out
    budi = await get_personnel(world, "75020001")
    assert budi.whatsapp == "6281200000001"  # the real row's own value wins over the duplicate's
    assert set(budi.roles) == {"ditbinmas", "operator"} and budi.active
    ani = await get_personnel(world, "01234567")
    assert (ani.instagram, ani.tiktok, ani.exception, ani.active) == ("ani.ig", "ani.tt", True, True)
    stale = await world.fetch("SELECT nrp, active FROM personnel WHERE nrp IN ('７５０２０００１', '1234567', '١٢٣٤٥٦٧')")
    assert len(stale) == 3 and not any(r["active"] for r in stale)
    assert await get_personnel(world, "٧٧٠١٠٠٠١") is not None  # left for a person to decide
    audited = {r.entity_id: r for r in await audit_rows(world, entity="personnel", limit=500)
               if r.note and r.note.startswith("dedupe")}
    assert set(audited) == {"75020001", "01234567", "1234567", "١٢٣٤٥٦٧", "７５０２０００１"}
    assert audited["1234567"].after["active"] is False and audited["1234567"].channel == "cli"
    code, out = await cli("users", "dedupe")
    assert "0 merged, 1 to check by hand" in out  # a second run finds only the one left for a person


# --------------------------------------------------------------------------- 7: CSV that misparsed

async def test_an_unterminated_quote_is_an_error_with_its_line_not_a_merged_row(world, cli, tmp_path):
    source = _sheet(tmp_path, HEADER + "75030001,BUDI,BRIPDA,,,,,\n"
                                       '75030002,"SITI,BRIPDA,,,,,\n'
                                       "75030003,ANI,BRIPDA,,,,,\n")
    code, out = await cli("import-users", "--client", "POLRES_KEDIRI", source)
    assert code == 2 and "CSV rusak di baris 3" in out and "tanda kutip" in out
    assert await world.fetchval("SELECT count(*) FROM personnel WHERE nrp LIKE '7503%'") == 0


async def test_a_quoted_cell_that_swallows_a_line_break_is_rejected(world, cli, tmp_path):
    source = _sheet(tmp_path, HEADER + '75030001,"BUDI\n75030002",BRIPDA,,,,,\n75030003,ANI,,,,,,\n')
    code, out = await cli("import-users", "--client", "POLRES_KEDIRI", source)
    assert code == 1 and "pindah baris" in out and "created 1" in out
    assert await get_personnel(world, "75030001") is None


async def test_cells_over_the_field_limits_are_rejected(world, cli, tmp_path):
    source = _sheet(tmp_path, HEADER + f"75030001,{'A' * 100_000},BRIPDA,,,,,\n"
                                       f"75030002,BUDI,{'B' * 61},,,,,\n"
                                       f"75030003,ANI,BRIPDA,{'C' * 121},,,,\n"
                                       "75030004,EKO,BRIPDA,SAT,BANIT,,,\n")
    code, out = await cli("import-users", "--client", "POLRES_KEDIRI", source)
    assert code == 1 and "rejected 3" in out and "created 1" in out
    assert "nama terlalu panjang (100000 karakter, maksimal 200)" in out and "A" * 100 not in out
    assert "pangkat terlalu panjang" in out and "divisi terlalu panjang" in out


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("utf-16", ","), ("utf-16", "\t"),
                                                 ("utf-16-le", ";")])
async def test_utf16_and_utf8_with_bom_are_read(world, cli, tmp_path, encoding, delimiter):
    text = (HEADER + "75030001,Siti Nurhalizah,BRIPDA,SAT LANTAS,,,siti.ig,\n").replace(",", delimiter)
    code, out = await cli("import-users", "--client", "POLRES_KEDIRI", _sheet(tmp_path, text, encoding=encoding))
    assert code == 0 and "created 1" in out, out
    siti = await get_personnel(world, "75030001")
    assert (siti.name, siti.division, siti.instagram) == ("SITI NURHALIZAH", "SAT LANTAS", "siti.ig")
