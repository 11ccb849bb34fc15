"""`import CLIENT` from WhatsApp: a Google Sheet link over loopback or an .xlsx document; dry run, then `ya`."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from core.clock import JAKARTA, ManualClock
from db.audit import audit_rows
from db.clients import Client, upsert_client
from db.personnel import Personnel, get_personnel, personnel_of_client, upsert_personnel
from tests.support.console_chat import console_chat
from tests.support.http_fake import Canned

SUPER = "6281377770000"
HEADER = "user_id,nama,title,divisi,jabatan,whatsapp,insta,tiktok\n"


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 25, 10, 0, tzinfo=JAKARTA))


@pytest.fixture
async def clients(pool):
    await upsert_client(pool, Client(id="POLRES_A", name="Polres A", type="org", super_phones=[SUPER]))
    await upsert_client(pool, Client(id="POLRES_B", name="Polres B", type="org"))
    # a stored username the sheet leaves blank: the import must keep it
    await upsert_personnel(pool, [Personnel(nrp="87020001", name="LAMA", client_id="POLRES_A", instagram="lama.ig",
                                            exception=True)])


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_sheet_link_dry_run_then_apply(pool, settings, clock, clients, http_fake):
    http_fake.route("GET", "/spreadsheets/d/SHEETA/export", Canned(
        body=HEADER + "87020001,Lama Sekali,AIPTU,SAT SAMAPTA,,,,\n"
                      "87020002,Budi,BRIPKA,SAT LANTAS,BANIT,0812 1111 0002,@budi.a,budi.tt\n"
                      "ABC,Salah,,,,,,\n"
                      "87020003,,,,,,,\n",
        content_type="text/csv"))
    chat = await console_chat(pool, settings, clock)
    link = f"{http_fake.base_url}/spreadsheets/d/SHEETA/edit#gid=0"
    checking, preview, prompt = await chat.say(f"import polres_a {link}")
    assert checking == "⏳ Memeriksa data personel untuk POLRES_A…"
    assert "*Pemeriksaan impor POLRES_A* (belum disimpan)" in preview and "4 baris" in preview
    assert "Baru: 1 · Diperbarui: 1 · Tetap: 0 · Ditolak: 2" in preview
    assert "• baris 4 (NRP ABC): NRP tidak valid" in preview and "• baris 5 (NRP 87020003): nama kosong" in preview
    assert "Balas *ya*" in prompt
    assert await get_personnel(pool, "87020002") is None          # a dry run writes nothing

    done = await chat.say("ya")
    assert done[0].startswith("✅ *Impor POLRES_A selesai*") and "Baru: 1 · Diperbarui: 1" in done[0]
    budi = await get_personnel(pool, "87020002")
    assert (budi.instagram, budi.whatsapp, budi.client_id) == ("budi.a", "6281211110002", "POLRES_A")
    lama = await get_personnel(pool, "87020001")
    assert (lama.name, lama.instagram, lama.exception) == ("LAMA SEKALI", "lama.ig", True)   # never wipes
    rows = await audit_rows(pool, client_id="POLRES_A", entity="personnel")
    assert {(r.action, r.entity_id, r.actor, r.channel) for r in rows} == {
        ("personnel.create", "87020002", "6281100000001", "whatsapp"),
        ("personnel.import", "87020001", "6281100000001", "whatsapp")}
    # a stray "ya" applies nothing again (outside a menu it is the answer to a dashboard registration)
    again = await chat.say("ya")
    assert len(again) == 1 and again[0].startswith("Format: *ya ID*")


async def test_xlsx_document_with_caption_from_a_super_admin_of_the_client(pool, settings, clock, clients):
    data = xlsx([["NRP", "Nama", "Pangkat", "Satfung", "Jabatan", "Insta"],
                 [87020010, "Citra", "BRIPTU", "SAT BINMAS", "BA", "citra.ig"],
                 [87020011, "Dedi", "BRIGPOL", "SAT BINMAS", "BA", None]])
    chat = await console_chat(pool, settings, clock)
    replies = await chat.send_file(data, "personel.xlsx", caption="import POLRES_A", phone=SUPER)
    assert "Sumber: personel.xlsx · 2 baris" in replies[1] and "Baru: 2" in replies[1]
    assert "tidak" in (await chat.say("tidak", phone=SUPER))[-1].lower()       # cancelled: nothing written
    assert await personnel_of_client(pool, "POLRES_A") == [await get_personnel(pool, "87020001")]

    await chat.send_file(data, "personel.xlsx", caption="import POLRES_A", phone=SUPER)
    done = await chat.say("ya", phone=SUPER)
    assert "Baru: 2" in done[0]
    assert (await get_personnel(pool, "87020010")).instagram == "citra.ig"
    assert {r.actor for r in await audit_rows(pool, entity="personnel")} == {SUPER}


async def test_import_asks_for_a_source_and_refuses_out_of_scope_and_bad_documents(pool, settings, clock, clients):
    chat = await console_chat(pool, settings, clock)
    assert await chat.say("import POLRES_B", phone=SUPER) == ["❌ Client *POLRES_B* di luar kewenangan Anda."]
    assert await chat.say("import NOPE") == ["❌ Client *NOPE* tidak ditemukan."]
    (ask,) = await chat.say("import POLRES_B")
    assert ask.startswith("📥 Kirim *link Google Sheet* atau *dokumen .xlsx/.csv* berisi data personel POLRES_B")
    (again,) = await chat.say("ini datanya")
    assert again.startswith("❌ Itu bukan link Google Sheet atau dokumen.")
    replies = await chat.send_file(b"not a zip", "data.xlsx")          # the document answers the open question
    assert replies[1].startswith("❌ Data tidak dapat dibaca: data.xlsx: bukan file Excel yang valid")
    assert "/tmp" not in replies[1] and "cicero-import" not in replies[1]
    assert "📥 Kirim *link Google Sheet*" in (await chat.say("menu"))[-1]   # still waiting for a usable source
    await chat.say("batal")
    replies = await chat.send_file(b"x" * 10, "foto.jpg", caption="import POLRES_B")
    assert replies[-1] == "❌ Data tidak dapat dibaca: foto.jpg: kirim dokumen .xlsx atau .csv (atau link Google Sheet)"
    replies = await chat.send_file(b"x", "besar.csv", caption="import POLRES_B", declared_size=50_000_000)
    assert "dokumen terlalu besar (50.0 MB, maksimal 5.2 MB)" in replies[-1]
    assert await pool.fetchval("SELECT count(*) FROM import_previews") == 0


async def test_a_document_without_a_caption_outside_a_menu_gets_a_hint(pool, settings, clock, clients):
    chat = await console_chat(pool, settings, clock)
    (hint,) = await chat.send_file(HEADER.encode(), "data.csv")
    assert "keterangan *import CLIENT*" in hint
