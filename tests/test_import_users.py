"""Personnel import from CSV, XLSX and a Google Sheet served over loopback."""

import openpyxl
import pytest

from bot.cli import main
from db.clients import Client, upsert_client
from db.personnel import Personnel, get_personnel, upsert_personnel
from jobs.personnel_import import import_personnel
from jobs.sources.sheet import SheetError, csv_export_url, read_source
from tests.support.http_fake import Canned
from db.audit import Actor

IMPORTER = Actor("cli:tester", "cli")

HEADER = "user_id,nama,title,divisi,jabatan,whatsapp,insta,tiktok\n"


@pytest.fixture
async def client(pool):
    return await upsert_client(pool, Client(id="POLRES_BLITAR", name="Polres Blitar", type="org"))


async def run_import(pool, text, tmp_path, *, dry_run=False):
    path = tmp_path / "sheet.csv"
    path.write_text(text, encoding="utf-8")
    sheet = await read_source(str(path))
    async with pool.acquire() as conn, conn.transaction():
        return await import_personnel(conn, "POLRES_BLITAR", sheet, actor=IMPORTER, dry_run=dry_run)


async def test_good_rows_are_created_normalised(pool, client, tmp_path):
    report = await run_import(pool, HEADER +
        "87020123,Budi Santoso,Bripka,Sat Binmas,Banit,0812-3456-7890,@Budi.S,@BudiTok\n"
        "87020124,siti aminah,brigpol,sat lantas,,,,\n", tmp_path)
    assert report.totals() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    budi = await get_personnel(pool, "87020123")
    assert (budi.name, budi.rank, budi.division) == ("BUDI SANTOSO", "BRIPKA", "SAT BINMAS")
    assert (budi.whatsapp, budi.instagram, budi.tiktok) == ("6281234567890", "budi.s", "buditok")
    assert budi.client_id == "POLRES_BLITAR" and budi.active


async def test_bad_rows_are_rejected_with_reasons_and_good_ones_kept(pool, client, tmp_path):
    report = await run_import(pool, HEADER +
        "87020123,Budi,Bripka,Binmas,,,,\n"
        ",Tanpa NRP,,,,,,\n"
        "ABC,Huruf,,,,,,\n"
        "87020125,,,,,,,\n"
        "87020126,Nomor Salah,,,,08xx,,\n"
        "87020127,User Salah,,,,,budi santoso,\n"
        "87020123,Budi Lagi,,,,,,\n", tmp_path)
    assert report.totals() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 6}
    reasons = {o.line: o.reason for o in report.rejected}
    assert "NRP kosong" in reasons[3]
    assert "harus angka" in reasons[4]
    assert "nama kosong" in reasons[5]
    assert "nomor tidak valid" in reasons[6]
    assert "username tidak valid" in reasons[7]
    assert "baris 2" in reasons[8]
    assert await pool.fetchval("SELECT count(*) FROM personnel") == 1


async def test_reimport_keeps_usernames_numbers_and_flags_when_cells_are_blank(pool, client, tmp_path):
    await upsert_personnel(pool, [Personnel(
        nrp="87020123", name="BUDI", client_id="POLRES_BLITAR", instagram="budi.s", tiktok="buditok",
        whatsapp="6281234567890", exception=True, roles=["ditbinmas"])])
    report = await run_import(pool, HEADER + "87020123,Budi,Bripka,Binmas,Banit,,,\n", tmp_path)
    assert report.totals()["updated"] == 1
    budi = await get_personnel(pool, "87020123")
    assert (budi.instagram, budi.tiktok, budi.whatsapp) == ("budi.s", "buditok", "6281234567890")
    assert budi.exception and budi.roles == ["ditbinmas"]
    assert budi.rank == "BRIPKA"
    again = await run_import(pool, HEADER + "87020123,Budi,Bripka,Binmas,Banit,,,\n", tmp_path)
    assert again.totals()["unchanged"] == 1


async def test_dry_run_writes_nothing(pool, client, tmp_path):
    report = await run_import(pool, HEADER + "87020123,Budi,,,,,,\n", tmp_path, dry_run=True)
    assert report.totals()["created"] == 1
    assert await pool.fetchval("SELECT count(*) FROM personnel") == 0


async def test_missing_required_column_is_a_clear_error(pool, client, tmp_path):
    with pytest.raises(SheetError, match="kolom wajib tidak ada: user_id"):
        await run_import(pool, "nrp_x,nama\n1,Budi\n", tmp_path)


async def test_xlsx_with_numeric_nrp_cells(pool, client, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["user_id", "nama", "title", "divisi", "jabatan", "insta"])
    ws.append([87020123, "Budi", "Bripka", "Binmas", "Banit", "@budi"])
    ws.append([87020124.0, "Siti", "Brigpol", "Lantas", None, None])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    sheet = await read_source(str(path))
    report = await import_personnel(pool, "POLRES_BLITAR", sheet, actor=IMPORTER)
    assert report.totals()["created"] == 2
    assert (await get_personnel(pool, "87020124")).name == "SITI"


async def test_not_an_excel_file(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello")
    with pytest.raises(SheetError, match="bukan file Excel"):
        await read_source(str(bad))


def test_export_url_keeps_host_and_gid():
    url = "https://docs.google.com/spreadsheets/d/1AbC-xyz/edit#gid=42"
    assert csv_export_url(url) == "https://docs.google.com/spreadsheets/d/1AbC-xyz/export?format=csv&gid=42"
    with pytest.raises(SheetError, match="bukan URL Google Sheet"):
        csv_export_url("https://example.org/file.csv")


async def test_google_sheet_over_loopback(pool, client, http_fake):
    http_fake.route("GET", "/spreadsheets/d/SHEET1/export", Canned(body=HEADER + "87020123,Budi,,,,,,\n",
                                                                   content_type="text/csv"))
    sheet = await read_source(f"{http_fake.base_url}/spreadsheets/d/SHEET1/edit#gid=0")
    report = await import_personnel(pool, "POLRES_BLITAR", sheet, actor=IMPORTER)
    assert report.totals()["created"] == 1
    assert http_fake.requests[0].query_params["format"] == "csv"


@pytest.mark.parametrize("status, message", [(403, "privat"), (404, "tidak ditemukan"), (500, "HTTP 500")])
async def test_google_sheet_errors_are_explained(http_fake, status, message):
    http_fake.route("GET", "/spreadsheets/d/S/export", Canned(status=status, body="no"))
    with pytest.raises(SheetError, match=message):
        await read_source(f"{http_fake.base_url}/spreadsheets/d/S/edit")


def test_cli_import_prints_totals_and_rejected_table(settings, tmp_path, capsys, monkeypatch, database_url):
    monkeypatch.setenv("CICERO_DATABASE__URL", database_url)
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    assert main(["--config", str(cfg), "clients", "add", "POLRES_X", "--name", "Polres X", "--type", "org"]) == 0
    sheet = tmp_path / "s.csv"
    sheet.write_text(HEADER + "87020999,Budi,,,,,,\nXX,Bad,,,,,,\n")
    code = main(["--config", str(cfg), "import-users", "--client", "POLRES_X", str(sheet)])
    out = capsys.readouterr().out
    assert code == 1
    assert "created 1" in out and "rejected 1" in out and "harus angka" in out
    assert main(["--config", str(cfg), "import-users", "--client", "NOPE", str(sheet)]) == 2
    assert "tidak ditemukan" in capsys.readouterr().out


def test_cli_missing_database_is_one_clear_message(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CICERO_DATABASE__URL", "postgresql://postgres@127.0.0.1:1/none")
    code = main(["--config", str(tmp_path / "none.toml"), "db", "status"])
    out = capsys.readouterr().out
    assert code == 4
    assert "cannot reach PostgreSQL" in out and "Traceback" not in out
