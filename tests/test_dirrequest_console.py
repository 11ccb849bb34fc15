"""The whole story in real processes: `cicero fetch` on the fake RapidAPI fills the database, then a
scripted `dirrequest` conversation through `cicero console` runs every option."""

from __future__ import annotations

import pytest

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from core.clock import SystemClock, local_day
from handlers.menus import TEXT_HINT
from jobs.sources.fake_rapidapi import FakeRapidApi, Scenario
from tests.support.factories import Factory

ROOT = Path(__file__).resolve().parent.parent
CICERO = ROOT / ".venv" / "bin" / "cicero"
ADMIN = "6281100000001"
HANDLES = [f"pers{i:02d}" for i in range(12)]


def _env(database_url: str, base_url: str, tmp_path: Path) -> dict:
    return {
        **os.environ,
        "CICERO_CONFIG": str(tmp_path / "absent.toml"),
        "CICERO_DATABASE__URL": database_url,
        "CICERO_WHATSAPP__ADMINS": f'["{ADMIN}"]',
        "CICERO_WHATSAPP__SEND_INTERVAL_SECONDS": "0",
        "CICERO_API__ENABLED": "false",
        "CICERO_SCHEDULE__ENABLED": "false",
        "CICERO_GENERAL__ENVIRONMENT": "development",
        "CICERO_INSTAGRAM__BASE_URL": base_url, "CICERO_TIKTOK__BASE_URL": base_url,
        "CICERO_INSTAGRAM__KEY": "k", "CICERO_TIKTOK__KEY": "k",
        "COLUMNS": "200",
    }


async def _cicero(env: dict, args: list[str], stdin: str = "") -> subprocess.CompletedProcess:
    command = [str(CICERO)] if CICERO.exists() else [sys.executable, "-m", "bot.cli"]
    # in a thread: the fake RapidAPI answering the subprocess lives on this event loop
    return await asyncio.to_thread(subprocess.run, command + args, input=stdin, capture_output=True, text=True,
                                   env=env, timeout=180, cwd=env["CICERO_CONFIG"].rsplit("/", 1)[0])


@pytest.mark.slow
async def test_fetch_then_every_option_through_the_console(pool, database_url, tmp_path):
    day = local_day(SystemClock().now())
    scenario = Scenario.generated(day=day, clients=["DITUJI"], ig_posts=3, tt_posts=2, likers=8, commenters=6,
                                  older_posts=0, username_pool=HANDLES, api_key="k")
    f = Factory(pool)
    await f.client("DITUJI", type="direktorat", name="DIREKTORAT UJI", instagram="dituji", tiktok="dituji")
    await f.client("POLRES_UJI", name="POLRES UJI", parent_id="DITUJI", instagram=None, tiktok=None)
    for i, handle in enumerate(HANDLES):
        await f.person(f"80{i:04d}", client_id="DITUJI" if i < 6 else "POLRES_UJI", name=f"PERSONEL {i:02d}",
                       rank="BRIPDA", division="SUBDIT UJI" if i < 6 else "SAT BINMAS",
                       instagram=handle, tiktok=handle, roles=["dituji"])
    await f.person("809999", client_id="DITUJI", name="TANPA AKUN", rank="AKP", division="SUBDIT UJI",
                   roles=["dituji"])
    async with FakeRapidApi(scenario) as fake:
        env = _env(database_url, fake.base_url, tmp_path)
        fetched = await _cicero(env, ["fetch"])
        assert fetched.returncode == 0, fetched.stdout + fetched.stderr
        assert await pool.fetchval("SELECT count(*) FROM instagram_posts") == 3
        script = "dirrequest\nDITUJI\n" + "\n".join(
            ["1", "3", "5", "6", "7", "8", "9", "10", "12", "13", "14", "15", "16", "19", "20", "21",
             "22", "1", "28", "29", "30", "1", "batal"]) + "\n"
        done = await _cicero(env, ["console"], script)
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "⚠️ Maaf, terjadi kesalahan" not in out and "Traceback" not in out
    assert out.count("📋 *Menu Direktorat*") == 1       # after the client choice; then a hint after each report
    assert out.count(TEXT_HINT) == 20
    # every file the bot sent (Excel recaps, option 21's chart) is saved, and the console says where
    saved = sorted((tmp_path / "var" / "outbox-files").glob("*.*"))
    assert len(saved) == 7 and all(f"saved as var/outbox-files/{f.name}" in out for f in saved)
    assert {f.name.split("-", 2)[2].split("_DITUJI_")[0] for f in saved} == {
        "Rekap_Likes_Instagram", "Rekap_Komentar_TikTok", "Rekap_Gabungan_Sosmed", "Grafik_Capaian",
        "Ranking_Engagement", "Rekap_Likes_Per_Konten_Instagram", "Rekap_Komentar_Per_Konten_TikTok"}
    for expected in (
        "melaporkan kelengkapan data personel *DIREKTORAT UJI*",        # 1
        "*SUBDIT UJI* (1)\n- AKP TANPA AKUN: Instagram kosong, TikTok kosong",  # 3
        "📋 *Rekap Absensi Likes Instagram*",                               # 5
        "📋 *Absensi Likes Instagram*",                                     # 6
        "📋 *Rekap Akumulasi Likes Instagram*",                             # 7
        "📋 *Rekap Akumulasi Komentar TikTok*",                             # 8
        "📋 *Absensi Komentar TikTok*",                                     # 9
        "📋 *Rekap Absensi Komentar TikTok*",                               # 10
        "✅ Selesai mengambil konten & likes Instagram",                    # 12
        "✅ Selesai mengambil likes Instagram",                             # 13
        "✅ Selesai mengambil konten & komentar TikTok",                    # 14
        "✅ Selesai mengambil komentar TikTok",                             # 15
        "📋 *Daftar Tugas — DIREKTORAT UJI*",                               # 16
        "Rekap_Likes_Instagram_DITUJI_",                                    # 19
        "Rekap_Komentar_TikTok_DITUJI_",                                    # 20
        "📊 *Rekap Gabungan Pelaksanaan Tugas Sosial Media*",              # 21
        "Ranking_Engagement_DITUJI_",                                       # 22
        "*KEPATUHAN AKTIF*",                                                # 30
        "✅ Menu Direktorat ditutup.",
    ):
        assert expected in out, expected
    assert "*Jumlah konten:* 3" in out and "*Jumlah personel:* 13 pers" in out
