"""`tugas`: list, add by URL and remove with a reason a client's task posts from WhatsApp, audited."""

from __future__ import annotations

import pytest

from core.clock import ManualClock, day_range
from db.audit import audit_rows
from db.clients import Client, upsert_client
from jobs.manual_posts import task_list
from tests.support.console_chat import ADMIN, console_chat
from tests.support.factories import Factory, wib

NOW = wib(2026, 11, 25, 14, 5)
SUPER_A = "6281377770000"
OPERATOR_A = "6281200000002"
URL_NEW = "https://www.instagram.com/p/NEWPOST1/"


@pytest.fixture
def clock():
    return ManualClock(NOW)


@pytest.fixture
async def world(pool):
    await upsert_client(pool, Client(id="POLRES_A", name="Polres A", type="org", instagram="polresa",
                                     tiktok="polresa", operator_phone=OPERATOR_A, super_phones=[SUPER_A]))
    await upsert_client(pool, Client(id="POLRES_B", name="Polres B", type="org", instagram="polresb"))
    f = Factory(pool)
    await f.ig_post("KEGIATAN1", client_id="POLRES_A", posted_at=wib(2026, 11, 25, 9), caption="Patroli pagi di pasar")
    await f.tt_post("7300000000000000001", client_id="POLRES_A", posted_at=wib(2026, 11, 25, 11), caption="Video")
    await f.ig_post("KEMARIN1", client_id="POLRES_A", posted_at=wib(2026, 11, 24, 9))
    return f


async def live_tasks(pool, client_id: str) -> set[str]:
    start, end = day_range(NOW.date(), NOW.tzinfo)
    return {r.post_id for r in await task_list(pool, client_id, start, end) if r.removed_at is None}


async def test_admin_adds_a_post_by_url_after_confirming(pool, settings, clock, world):
    chat = await console_chat(pool, settings, clock)
    menu = (await chat.say("tugas"))[-1]
    assert "📌 *Menu Post Tugas*" in menu and "2. Tambah post tugas (tautan)" in menu
    assert "1. POLRES_A — Polres A" in (await chat.say("2"))[-1]
    asked = (await chat.say("polres_a"))[-1]
    assert "Kirim tautan post Instagram" in asked
    refused = (await chat.say("https://example.com/p/ABC/"))[-1]
    assert refused.startswith("❌ Itu bukan tautan post Instagram atau video TikTok.")
    assert (await chat.say("https://vm.tiktok.com/ZSabc/"))[-1].startswith("❌ Tautan pendek TikTok")
    assert (await chat.say("https://www.instagram.com/p/" + "A" * 600))[-1].startswith("❌ Tautan terlalu panjang")
    confirm = (await chat.say(URL_NEW))[-1]
    assert confirm.startswith("Tambahkan Instagram *NEWPOST1* sebagai tugas *POLRES_A*?")
    assert "belum terlihat oleh API; masuk tugas hari ini" in confirm
    assert (await chat.say("mungkin"))[0].startswith("Balas *ya* atau *tidak*.")
    assert "NEWPOST1" not in await live_tasks(pool, "POLRES_A")       # nothing written before "ya"
    done = (await chat.say("ya"))[0]
    assert done == ("✅ Instagram *NEWPOST1* ditambahkan sebagai tugas *POLRES_A* (tugas tanggal 25/11/2026). "
                    "Like/komentarnya diambil pada pengambilan data berikutnya.")
    assert "NEWPOST1" in await live_tasks(pool, "POLRES_A")
    again = await chat.walk("2", "POLRES_A", URL_NEW)
    assert again[0] == "ℹ️ Instagram *NEWPOST1* sudah menjadi tugas *POLRES_A*."
    listing = (await chat.walk("1", "POLRES_A"))[0]
    assert listing.startswith("📌 *Post tugas POLRES_A* — 25/11/2026\n3 tugas, 0 dihapus")
    assert "• Instagram *KEGIATAN1* 09.00 — “Patroli pagi di pasar”" in listing
    assert f"• Instagram *NEWPOST1* 14.05 · manual oleh {ADMIN}" in listing
    assert "KEMARIN1" not in listing
    rows = await audit_rows(pool, entity="client_post")
    assert [(r.action, r.entity_id, r.client_id, r.actor, r.channel) for r in rows] == [
        ("task_post.add", "instagram:NEWPOST1", "POLRES_A", ADMIN, "whatsapp")]


async def test_admin_removes_a_task_with_a_reason(pool, settings, clock, world):
    chat = await console_chat(pool, settings, clock)
    await chat.walk("tugas", "3", "POLRES_A")
    not_task = (await chat.say("https://www.instagram.com/p/LAINPOST/"))[0]
    assert not_task.startswith("❌ Instagram *LAINPOST* bukan post tugas *POLRES_A*.")
    asked = (await chat.say("https://www.instagram.com/reel/KEGIATAN1/?igsh=xyz"))[-1]
    assert asked.startswith("Tulis *alasan* Instagram *KEGIATAN1* dihapus dari tugas")
    assert (await chat.say("x" * 301))[0].startswith("❌ Tulis alasan penghapusan")
    confirm = (await chat.say("salah  unggah,\n bukan kegiatan"))[-1]
    assert confirm.startswith("Hapus Instagram *KEGIATAN1* — “Patroli pagi di pasar” dari tugas *POLRES_A*?\n"
                              "Alasan: salah unggah, bukan kegiatan")
    assert (await chat.say("tidak"))[0] == "Tidak ada yang diubah."
    assert "KEGIATAN1" in await live_tasks(pool, "POLRES_A")
    await chat.walk("3", "POLRES_A", "https://www.instagram.com/p/KEGIATAN1/", "salah unggah")
    assert (await chat.say("ya"))[0] == "✅ Instagram *KEGIATAN1* dihapus dari tugas *POLRES_A*. Alasan: salah unggah"
    assert await live_tasks(pool, "POLRES_A") == {"7300000000000000001"}
    listing = (await chat.walk("1", "POLRES_A"))[0]
    assert "1 tugas, 1 dihapus" in listing
    assert f"✖️ dihapus 25/11 pukul 14.05 WIB oleh {ADMIN}: salah unggah" in listing
    twice = await chat.walk("3", "POLRES_A", "https://www.instagram.com/p/KEGIATAN1/")
    assert twice[0].startswith("ℹ️ Instagram *KEGIATAN1* sudah dihapus dari tugas *POLRES_A*")
    rows = await audit_rows(pool, entity="client_post")
    assert [(r.action, r.after["removed_reason"], r.actor) for r in rows] == [
        ("task_post.remove", "salah unggah", ADMIN)]


async def test_the_list_shows_today_or_yesterday(pool, settings, clock, world):
    chat = await console_chat(pool, settings, clock)
    menu = (await chat.say("tugas"))[-1]
    assert "4. Daftar post tugas kemarin" in menu
    today = (await chat.walk("1", "POLRES_A"))[0]
    assert "— 25/11/2026" in today and "KEGIATAN1" in today and "KEMARIN1" not in today
    yesterday = (await chat.walk("4", "POLRES_A"))[0]
    assert "— 24/11/2026" in yesterday and "KEMARIN1" in yesterday and "KEGIATAN1" not in yesterday
    assert "Tidak ada post tugas hari itu." in (await chat.walk("4", "POLRES_B"))[0]


async def test_a_super_admin_manages_only_their_own_client_and_an_operator_not_at_all(pool, settings, clock, world):
    chat = await console_chat(pool, settings, clock)
    picker = await chat.walk("tugas", "2", phone=SUPER_A)
    assert "1. POLRES_A — Polres A" in picker[-1] and "POLRES_B" not in picker[-1]
    assert (await chat.say("POLRES_B", phone=SUPER_A))[0].startswith("❌ Client tidak ada di daftar.")
    await chat.say("1", phone=SUPER_A)
    await chat.say("https://www.tiktok.com/@polresa/video/7300000000000000099", phone=SUPER_A)
    assert (await chat.say("ya", phone=SUPER_A))[0].startswith(
        "✅ TikTok *7300000000000000099* ditambahkan sebagai tugas *POLRES_A*")
    assert "7300000000000000099" in await live_tasks(pool, "POLRES_A")
    assert (await audit_rows(pool, entity="client_post"))[0].actor == SUPER_A
    assert await chat.say("tugas", phone=OPERATOR_A) == ["❌ Anda tidak memiliki akses ke perintah *tugas*."]


async def test_a_client_that_leaves_the_scope_before_the_confirmation_is_not_changed(pool, settings, clock, world):
    chat = await console_chat(pool, settings, clock)
    await chat.walk("tugas", "2", "1", URL_NEW, phone=SUPER_A)
    await upsert_client(pool, Client(id="POLRES_A", name="Polres A", type="org", instagram="polresa",
                                     super_phones=[]))   # no longer this number's client …
    await upsert_client(pool, Client(id="POLRES_B", name="Polres B", type="org", instagram="polresb",
                                     super_phones=[SUPER_A]))   # … another one is
    refused = (await chat.say("ya", phone=SUPER_A))[0]
    assert refused.startswith("❌ Client *POLRES_A* di luar kewenangan Anda.\n\n📌 *Menu Post Tugas*")
    assert "NEWPOST1" not in await live_tasks(pool, "POLRES_A")
    assert await audit_rows(pool, entity="client_post") == []
