"""The console transport sends a file as a received document: `/kirim PATH caption`."""

from __future__ import annotations

import pytest

from bot.whatsapp.console import attached_file
from db.clients import Client, upsert_client
from db.personnel import get_personnel
from tests.test_console import ADMIN, run_console


async def test_kirim_reads_the_file_only_when_the_handler_asks(tmp_path):
    path = tmp_path / "data personel.csv"
    path.write_text("user_id,nama\n1,Ani\n")
    caption, doc = attached_file(f'/kirim "{path}" import POLRES_A')
    assert caption == "import POLRES_A" and doc.filename == "data personel.csv" and doc.size == path.stat().st_size
    assert doc.mimetype == "text/csv"
    assert await doc.read(max_bytes=1000, timeout=5) == b"user_id,nama\n1,Ani\n"
    for bad, why in [("/kirim", "usage"), (f"/kirim {tmp_path}/nope.csv", "No such file"),
                     (f"/kirim {tmp_path}", "is not a file"), ('/kirim "unclosed', "No closing quotation")]:
        with pytest.raises(ValueError, match=why):
            attached_file(bad)


@pytest.mark.slow
async def test_an_import_through_the_console_pipe(database_url, pool, tmp_path):
    import asyncio

    await upsert_client(pool, Client(id="POLRES_A", name="Polres A", type="org"))
    (tmp_path / "personel.csv").write_text("user_id,nama,insta\n87020001,Ani,ani.ig\n")
    done = await asyncio.to_thread(run_console, database_url, "/kirim personel.csv import POLRES_A\nya\n/kirim x\n",
                                   "--as", ADMIN, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "*Pemeriksaan impor POLRES_A* (belum disimpan)" in done.stdout and "Baru: 1" in done.stdout
    assert "✅ *Impor POLRES_A selesai*" in done.stdout
    assert "(not sent: " in done.stdout
    assert (await get_personnel(pool, "87020001")).instagram == "ani.ig"
