"""The admin `laporan` commands: scheduled reports (report subscriptions) managed from WhatsApp.

* `laporan [CLIENT]` — every subscription (of one client): report title, client,
  recipients, times, period, next run, and active or inactive with the reason.
  At most `MAX_LISTED` are listed (the rest are counted, with a pointer to the
  client filter and `cicero reports list`); the router splits a long reply on
  line boundaries.
* `laporan kirim ID` — build and queue it now (through the outbox, like a
  scheduled run: `handlers/reports/subscriptions.send_now`); the reply says how
  many messages were queued to whom. Audited as `report_subscription.send_now`.
* `laporan on ID` / `laporan off ID` — `set_active` with the admin as actor
  (audited in the same transaction).

`report_lines(ctx, now, limit)` is the "next report runs" block `jadwal` and
`status` show.
"""

from __future__ import annotations

import logging
from datetime import datetime

from core.formats import FormatError, normalize_client_id
from db.audit import record_change
from db.clients import get_client
from db.report_subscriptions import get_subscription, set_active
from handlers.context import Command, HandlerContext
from handlers.identity import ADMIN_ONLY
from handlers.reports.subscriptions import next_report_runs, send_now, subscription_status
from handlers.reports.subscriptions.status import status_of
from handlers.reports.subscriptions.timing import PERIOD_LABELS, Triggers, time_label
from jobs.admin_text import pukul_relative

log = logging.getLogger(__name__)

MAX_ARGS = 120           # `laporan kirim 123` with slack; longer text gets the usage line
MAX_ID_DIGITS = 12       # more digits than any id the table will hold: "tidak ada", not an overflow
MAX_LISTED = 40          # subscriptions listed in one `laporan` reply
MAX_TIMES_SHOWN = 6      # times per subscription line ("…" after)
MAX_RUNS_READ = 100_000  # `jadwal`/`status` read every subscription's next run to count the inactive ones
MAX_RECIPIENTS_SHOWN = 5  # chats named in the `laporan kirim` reply ("dan N lainnya" after)
SEND_WORDS = frozenset({"kirim", "send"})
ON_WORDS = frozenset({"on", "aktif", "aktifkan"})
OFF_WORDS = frozenset({"off", "nonaktif", "nonaktifkan", "matikan"})
USAGE = ("❌ Format: *laporan* (daftar laporan terjadwal), *laporan CLIENT* (milik satu client), "
         "*laporan kirim ID* (kirim sekarang), *laporan on ID* / *laporan off ID* (aktifkan / hentikan).")
RECIPIENT_LABEL = {"group": "grup client", "super_admins": "super admin", "operators": "operator",
                   "admins": "admin"}


class BadId(Exception):
    """The id text is not a subscription number; the message is the Indonesian reply."""


def parse_id(word: str, usage_example: str) -> int:
    raw = word.strip().lstrip("#")
    if not raw.isdigit() or not raw.isascii():
        raise BadId(f"❌ ID laporan harus berupa angka, mis. *{usage_example}*. Ketik *laporan* untuk melihat "
                    "daftar dan ID-nya.")
    if len(raw) > MAX_ID_DIGITS or int(raw) == 0:
        raise BadId(f"❌ Laporan terjadwal #{raw[:MAX_ID_DIGITS]} tidak ada. Ketik *laporan* untuk melihat daftar.")
    return int(raw)


def recipient_text(spec: str) -> str:
    if spec in RECIPIENT_LABEL:
        return RECIPIENT_LABEL[spec]
    kind, _, value = spec.partition(":")
    if kind == "group":
        return f"grup {value}"
    if kind == "number":
        return f"nomor {value}"
    return spec


def times_text(times) -> str:
    shown = [time_label(t) for t in times[:MAX_TIMES_SHOWN]]
    more = f" +{len(times) - MAX_TIMES_SHOWN}" if len(times) > MAX_TIMES_SHOWN else ""
    return (", ".join(shown) + more) if shown else "-"


def status_lines(state, now: datetime, tz) -> list[str]:
    """Two lines per subscription: what goes where and when; then its state and next run."""
    sub = state.subscription
    to = ", ".join(recipient_text(r) for r in sub.recipients)
    chats = len(state.recipients.chats)
    head = (f"*#{sub.id}* {state.title} — {sub.client_id}\n"
            f"   ke {to} ({chats} chat); jam {times_text(sub.times)}; periode "
            f"{PERIOD_LABELS.get(sub.period, sub.period)}{'; lewati bila kosong' if sub.skip_if_empty else ''}")
    if state.inactive_reason:
        return [head, f"   ⏸️ nonaktif: {state.inactive_reason}"]
    nxt = f"berikutnya {pukul_relative(state.next_run, now, tz)}" if state.next_run else "tanpa jadwal berikutnya"
    return [head, f"   ✅ aktif; {nxt}"]


# -- laporan [CLIENT] ------------------------------------------------------------------------


async def list_command(ctx: HandlerContext, client_word: str | None) -> None:
    client_id = None
    if client_word:
        try:
            client_id = normalize_client_id(client_word)
        except FormatError:
            await ctx.reply(USAGE)
            return
        if await get_client(ctx.pool, client_id) is None:
            await ctx.reply(f"❌ Client *{client_id}* tidak ditemukan.")
            return
    now = ctx.clock.now()
    states = await subscription_status(ctx.pool, ctx.settings, now, client_id=client_id)
    scope = f" — {client_id}" if client_id else ""
    if not states:
        await ctx.reply(f"📬 *Laporan terjadwal*{scope}\nBelum ada laporan terjadwal. Tambahkan lewat "
                        "*cicero reports add*.")
        return
    active = sum(1 for s in states if s.inactive_reason is None)
    lines = [f"📬 *Laporan terjadwal*{scope} — {len(states)} langganan, {active} aktif, "
             f"{len(states) - active} nonaktif", ""]
    for state in states[:MAX_LISTED]:
        lines += status_lines(state, now, ctx.clock.tz)
    if len(states) > MAX_LISTED:
        lines += ["", f"… dan {len(states) - MAX_LISTED} langganan lain. Ketik *laporan CLIENT* untuk satu client, "
                      "atau lihat semuanya dengan *cicero reports list*."]
    lines += ["", "*laporan kirim ID* kirim sekarang · *laporan on ID* / *laporan off ID* aktifkan / hentikan"]
    await ctx.reply("\n".join(lines))


# -- laporan kirim ID ------------------------------------------------------------------------


def chats_text(chats: list[str]) -> str:
    named = ", ".join(chats[:MAX_RECIPIENTS_SHOWN])
    return named + (f" dan {len(chats) - MAX_RECIPIENTS_SHOWN} lainnya" if len(chats) > MAX_RECIPIENTS_SHOWN else "")


async def send_command(ctx: HandlerContext, sub_id: int) -> None:
    sub = await get_subscription(ctx.pool, sub_id)
    if sub is None:
        await ctx.reply(f"❌ Laporan terjadwal #{sub_id} tidak ada. Ketik *laporan* untuk melihat daftar.")
        return
    now = ctx.clock.now()
    result = await send_now(ctx.pool, ctx.settings, sub_id, now)
    if result.error:
        await ctx.reply(f"❌ Laporan #{sub_id} tidak dikirim: {result.error}.")
        return
    if result.skipped_empty:
        await ctx.reply(f"ℹ️ Laporan #{sub_id} kosong (belum ada data) dan diatur *lewati bila kosong*; "
                        "tidak ada yang dikirim.")
        return
    if result.queued == 0:
        await ctx.reply(f"ℹ️ Laporan #{sub_id} sudah diantrekan pada menit ini; tidak diantrekan dua kali. "
                        "Cek *status* untuk isi outbox.")
        return
    await record_change(ctx.pool, ctx.identity.actor, action="report_subscription.send_now",
                        entity="report_subscription", entity_id=str(sub_id), client_id=sub.client_id,
                        after={"queued": result.queued, "recipients": list(result.recipients)}, at=now)
    await ctx.reply(f"✅ Laporan #{sub_id} diantrekan: {result.queued} pesan ke {len(result.recipients)} penerima "
                    f"({chats_text(list(result.recipients))}). Dikirim lewat outbox dalam beberapa saat.")


# -- laporan on|off ID -----------------------------------------------------------------------


async def switch_command(ctx: HandlerContext, sub_id: int, active: bool) -> None:
    now = ctx.clock.now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        before = await get_subscription(conn, sub_id)
        after = await set_active(conn, sub_id, active, actor=ctx.identity.actor, now=now) if before else None
    if before is None or after is None:
        await ctx.reply(f"❌ Laporan terjadwal #{sub_id} tidak ada. Ketik *laporan* untuk melihat daftar.")
        return
    if before.active == active:
        await ctx.reply(f"ℹ️ Laporan #{sub_id} sudah {'aktif' if active else 'nonaktif'}; tidak ada yang diubah.")
        return
    if not active:
        await ctx.reply(f"⏸️ Laporan #{sub_id} dihentikan: tidak dikirim pada jamnya sampai diaktifkan lagi "
                        f"(*laporan on {sub_id}*).")
        return
    client = await get_client(ctx.pool, after.client_id)
    state = status_of(after, {client.id: client} if client else {}, ctx.settings, Triggers(ctx.settings), now)
    if state.inactive_reason:
        await ctx.reply(f"⚠️ Laporan #{sub_id} diaktifkan, tetapi belum bisa dikirim: {state.inactive_reason}.")
        return
    nxt = f"; berikutnya {pukul_relative(state.next_run, now, ctx.clock.tz)}" if state.next_run else ""
    await ctx.reply(f"✅ Laporan #{sub_id} diaktifkan{nxt}.")


# -- the command -----------------------------------------------------------------------------


async def laporan_command(ctx: HandlerContext, args: str) -> None:
    if len(args) > MAX_ARGS:
        await ctx.reply(USAGE)
        return
    words = args.split()
    if not words:
        await list_command(ctx, None)
        return
    verb = words[0].lower()
    if verb in SEND_WORDS | ON_WORDS | OFF_WORDS:
        if len(words) != 2:
            await ctx.reply(USAGE)
            return
        example = f"laporan {verb} 12"
        try:
            sub_id = parse_id(words[1], example)
        except BadId as bad:
            await ctx.reply(str(bad))
            return
        if verb in SEND_WORDS:
            await send_command(ctx, sub_id)
        else:
            await switch_command(ctx, sub_id, verb in ON_WORDS)
        return
    if len(words) == 1:
        await list_command(ctx, words[0])
        return
    await ctx.reply(USAGE)


async def report_lines(ctx: HandlerContext, now: datetime, limit: int = 5) -> list[str]:
    """The next active report runs (`jadwal`, `status`): at most `limit`, soonest first, then how many are
    inactive (their reasons are in `laporan`)."""
    runs = await next_report_runs(ctx.pool, ctx.settings, now, limit=MAX_RUNS_READ)
    active = [r for r in runs if not r.inactive_reason]
    lines = [f"• {pukul_relative(r.at, now, ctx.clock.tz)} — #{r.subscription_id} {r.title} ({r.client_id})"
             for r in active[:limit]]
    if len(active) > limit:
        lines.append(f"… dan {len(active) - limit} laporan aktif lainnya.")
    if not active:
        lines.append("Tidak ada laporan terjadwal yang aktif.")
    if len(runs) > len(active):
        lines.append(f"{len(runs) - len(active)} laporan nonaktif — ketik *laporan* untuk rinciannya.")
    return lines


COMMANDS: list[Command] = [
    Command(id="laporan", triggers=("laporan",),
            help="laporan terjadwal: daftar, *laporan kirim ID* kirim sekarang, *laporan on|off ID*",
            allowed=ADMIN_ONLY, handler=laporan_command, takes_args=True, usage="laporan [kirim|on|off ID]"),
]
