"""Admins manage scheduled reports from WhatsApp (`laporan`, `laporan kirim ID`, `laporan on|off ID`), and
`jadwal` / `status` show the next report runs — through the real router, PostgreSQL and the outbox."""

from __future__ import annotations

import pytest

from core.clock import ManualClock
from db.audit import audit_rows
from db.outbox import list_messages
from db.report_subscriptions import add_subscription, get_subscription
from handlers.reports.catalog import REPORTS
from tests.support.console_chat import console_chat
from tests.support.factories import Factory, wib

ADMIN = "6281100000001"
DIT_GROUP = "120363000000000001@g.us"
SUPERS = ["6281100000011", "6281100000012"]
OPERATOR = "6281100000020"


@pytest.fixture
def clock():
    return ManualClock(wib(2026, 2, 17, 9, 10))


@pytest.fixture
async def subs(pool):
    """Three subscriptions: the directorate's group recap, its super-admins' recap, and a client with no group."""
    f = Factory(pool)
    await f.client("DITBINMAS", type="direktorat", group_ids=[DIT_GROUP], super_phones=SUPERS)
    await f.client("POLRES_A", parent_id="DITBINMAS", operator_phone=OPERATOR)

    async def add(**kw):
        return await add_subscription(pool, actor="cli:setup", known_reports=REPORTS, now=wib(2026, 2, 16, 8),
                                      **kw)

    group = await add(report="combined_recap", client_id="DITBINMAS", recipients=["group"],
                      times=["15:20", "18:10"])
    supers = await add(report="completeness_recap", client_id="DITBINMAS", recipients=["super_admins"],
                       times=["18:20"])
    no_group = await add(report="completeness_recap", client_id="POLRES_A", recipients=["group"],
                         times=["06:45"])
    return group, supers, no_group


async def make_chat(pool, settings, clock):
    return (await console_chat(pool, settings, clock)).gateway


async def ask(gateway, text, phone=ADMIN):
    await gateway.inject(text, phone=phone)
    return "\n".join(m.text for m in gateway.take() if m.text)


async def test_laporan_lists_every_subscription_with_recipients_times_next_run_and_why_one_is_inactive(
        pool, settings, clock, subs):
    group, supers, no_group = subs
    gateway = await make_chat(pool, settings, clock)
    text = await ask(gateway, "laporan")
    lines = text.splitlines()
    assert lines[0] == "📬 *Laporan terjadwal* — 3 langganan, 2 aktif, 1 nonaktif"
    i = lines.index(f"*#{group.id}* Rekap gabungan semua sosmed — DITBINMAS")
    assert lines[i + 1] == "   ke grup client (1 chat); jam 15.20, 18.10; periode hari ini"
    assert lines[i + 2] == "   ✅ aktif; berikutnya pukul 15.20 WIB"
    j = lines.index(f"*#{supers.id}* Rekap kelengkapan data personel — DITBINMAS")
    assert lines[j + 1] == "   ke super admin (2 chat); jam 18.20; periode hari ini"
    k = lines.index(f"*#{no_group.id}* Rekap kelengkapan data personel — POLRES_A")
    assert lines[k + 2] == "   ⏸️ nonaktif: client tidak punya grup"

    one = await ask(gateway, "laporan polres_a")
    assert one.startswith("📬 *Laporan terjadwal* — POLRES_A — 1 langganan, 0 aktif, 1 nonaktif")
    assert await ask(gateway, "laporan POLRES_NOPE") == "❌ Client *POLRES_NOPE* tidak ditemukan."


async def test_laporan_off_and_on_change_the_stored_flag_and_are_audited_with_the_admin(pool, settings, clock, subs):
    group, _, _ = subs
    gateway = await make_chat(pool, settings, clock)
    reply = await ask(gateway, f"laporan off {group.id}")
    assert reply.startswith(f"⏸️ Laporan #{group.id} dihentikan")
    assert (await get_subscription(pool, group.id)).active is False
    assert "sudah nonaktif; tidak ada yang diubah" in await ask(gateway, f"laporan off #{group.id}")
    assert "⏸️ nonaktif: dinonaktifkan" in await ask(gateway, "laporan")

    clock.advance(minutes=1)
    assert await ask(gateway, f"laporan on {group.id}") == (
        f"✅ Laporan #{group.id} diaktifkan; berikutnya pukul 15.20 WIB.")
    assert (await get_subscription(pool, group.id)).active is True

    rows = [r for r in reversed(await audit_rows(pool, entity="report_subscription", entity_id=str(group.id)))
            if r.action == "report_subscription.active"]
    assert [(r.actor, r.channel, r.before, r.after) for r in rows] == [
        (ADMIN, "whatsapp", {"active": True}, {"active": False}),
        (ADMIN, "whatsapp", {"active": False}, {"active": True}),
    ]


async def test_laporan_on_for_a_client_without_a_group_says_it_still_cannot_be_sent(pool, settings, clock, subs):
    _, _, no_group = subs
    gateway = await make_chat(pool, settings, clock)
    await ask(gateway, f"laporan off {no_group.id}")
    assert await ask(gateway, f"laporan on {no_group.id}") == (
        f"⚠️ Laporan #{no_group.id} diaktifkan, tetapi belum bisa dikirim: client tidak punya grup.")


async def test_laporan_kirim_queues_the_report_in_the_outbox_and_says_to_whom(pool, settings, clock, subs):
    _, supers, no_group = subs
    gateway = await make_chat(pool, settings, clock)
    reply = await ask(gateway, f"laporan kirim {supers.id}")
    queued = await list_messages(pool, limit=50)
    assert sorted(m.recipient for m in queued) == SUPERS  # one text each
    assert {m.kind for m in queued} == {"report"} and all(m.status == "pending" for m in queued)
    assert reply == (f"✅ Laporan #{supers.id} diantrekan: {len(queued)} pesan ke 2 penerima "
                     f"({', '.join(SUPERS)}). Dikirim lewat outbox dalam beberapa saat.")
    [audit] = [r for r in await audit_rows(pool, entity="report_subscription", entity_id=str(supers.id))
               if r.action == "report_subscription.send_now"]
    assert (audit.actor, audit.after) == (ADMIN, {"queued": len(queued), "recipients": SUPERS})

    again = await ask(gateway, f"laporan kirim {supers.id}")
    assert "sudah diantrekan pada menit ini" in again
    assert len(await list_messages(pool, limit=50)) == len(queued)

    refused = await ask(gateway, f"laporan kirim {no_group.id}")
    assert refused.startswith(f"❌ Laporan #{no_group.id} tidak dikirim:") and "client tidak punya grup" in refused
    assert len(await list_messages(pool, limit=50)) == len(queued)


@pytest.mark.parametrize("text, reply", [
    ("laporan kirim abc", "❌ ID laporan harus berupa angka, mis. *laporan kirim 12*."),
    ("laporan off 12x", "❌ ID laporan harus berupa angka, mis. *laporan off 12*."),
    ("laporan on 9999", "❌ Laporan terjadwal #9999 tidak ada."),
    ("laporan kirim 9999", "❌ Laporan terjadwal #9999 tidak ada."),
    ("laporan kirim 99999999999999999999999", "❌ Laporan terjadwal #999999999999 tidak ada."),
    ("laporan kirim", "❌ Format: *laporan*"),
    ("laporan kirim 1 2", "❌ Format: *laporan*"),
    ("laporan " + "x" * 400, "❌ Format: *laporan*"),
])
async def test_bad_ids_get_a_clear_indonesian_reply_and_change_nothing(pool, settings, clock, subs, text, reply):
    gateway = await make_chat(pool, settings, clock)
    assert (await ask(gateway, text)).startswith(reply)
    assert await list_messages(pool, limit=5) == []
    assert [r.action for r in await audit_rows(pool, entity="report_subscription")] == [
        "report_subscription.add"] * 3


async def test_a_non_admin_cannot_use_laporan(pool, settings, clock, subs):
    group, _, _ = subs
    gateway = await make_chat(pool, settings, clock)
    for text in ("laporan", f"laporan off {group.id}", f"laporan kirim {group.id}"):
        assert await ask(gateway, text, phone=OPERATOR) == "❌ Anda tidak memiliki akses ke perintah *laporan*."
    assert (await get_subscription(pool, group.id)).active is True
    assert await list_messages(pool, limit=5) == []


async def test_jadwal_and_status_show_the_next_report_runs(pool, settings, clock, subs):
    group, supers, no_group = subs
    gateway = await make_chat(pool, settings, clock)
    jadwal = (await ask(gateway, "jadwal")).splitlines()
    assert "*Laporan terjadwal berikutnya*" in jadwal
    start = jadwal.index("*Laporan terjadwal berikutnya*")
    assert jadwal[start + 1:start + 4] == [
        f"• pukul 15.20 WIB — #{group.id} Rekap gabungan semua sosmed (DITBINMAS)",
        f"• pukul 18.20 WIB — #{supers.id} Rekap kelengkapan data personel (DITBINMAS)",
        "1 laporan nonaktif — ketik *laporan* untuk rinciannya.",
    ]
    status = await ask(gateway, "status")
    assert "*Laporan terjadwal*" in status
    assert f"• pukul 15.20 WIB — #{group.id} Rekap gabungan semua sosmed (DITBINMAS)" in status
