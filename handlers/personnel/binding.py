"""Binding an unregistered number to an NRP: ask the NRP, confirm name, rank and satker, bind.

Rules: one person per number and one number per person. An NRP already bound
to another number is refused and the operator of that person's client is told
(through the outbox, once a day per NRP and number). Every attempt is stored
(`db/binding.py`); `[personnel] bind_max_failures` failures — unknown or
inactive NRPs, NRPs bound elsewhere, "tidak" at the confirmation — within
`bind_window_minutes` lock the number for `bind_lockout_minutes`. A wrongly
typed NRP (not digits) is only re-asked, it is not a failure.

The binding is one transaction (`writes.assign_whatsapp`): the person's row is
locked and checked again, an inactive person still holding the number gives it
up, and the number is written through `save_personnel` (audited as
`personnel.bind_whatsapp`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from core.boundary import report_safely
from core.clock import local_day
from core.formats import FormatError
from db.binding import failures_since, lock_number, locked_until, record_attempt
from db.clients import Client, get_client
from db.personnel import Personnel, get_personnel
from db.personnel_contacts import personnel_for_update
from handlers.context import HandlerContext, InvalidInput, Refused
from handlers.menus import Choice, Menu, MenuStep
from handlers.personnel.common import actor, display_name
from handlers.personnel.fields import parse_nrp, yes_or_no
from handlers.personnel.writes import Gone, Taken, assign_whatsapp
from handlers.reports.formatting import id_time
from jobs.outbox import enqueue

log = logging.getLogger(__name__)

MENU_ID = "daftar"

TEXT_PROMPT = ("🔗 *Tautkan nomor WhatsApp*\n"
               "Nomor ini belum terdaftar di Cicero. Jika Anda personel, ketik *NRP* Anda (angka saja) "
               "untuk menautkan nomor ini. Bukan personel? Ketik *batal* dan hubungi operator satker Anda.")
TEXT_LOCKED = ("🔒 Terlalu banyak percobaan NRP yang salah dari nomor ini. "
               "Silakan coba lagi setelah pukul {time}, atau hubungi operator satker Anda.")
TEXT_UNKNOWN_NRP = "❌ NRP {nrp} tidak ditemukan di daftar personel aktif. Sisa percobaan: {left}."
TEXT_ALREADY_BOUND = ("❌ NRP ini sudah terhubung dengan nomor WhatsApp lain. Operator *{client}* sudah "
                      "diberi tahu. Jika Anda berganti nomor, buka *menu* dari nomor lama (Ubah nomor WhatsApp) "
                      "atau minta operator mengganti nomor Anda.")
TEXT_NUMBER_TAKEN = "❌ Nomor ini sudah terdaftar untuk personel lain. Hubungi operator satker Anda."
TEXT_DECLINED = "Baik, data tersebut bukan Anda. Silakan ketik NRP Anda yang benar. Sisa percobaan: {left}."
TEXT_BOUND = ("✅ Nomor ini sekarang terhubung dengan *{name}* ({client}).\n"
              "Ketik *menu* untuk membuka menu personel: profil, username Instagram/TikTok, cek tugas, pengingat.")
TEXT_OPERATOR = ("⚠️ *Penautan nomor ditolak*\n"
                 "Nomor {phone} mencoba menautkan NRP {nrp} ({name}) pada pukul {time}, tetapi NRP itu sudah "
                 "terhubung dengan nomor {bound}.\n"
                 "Jika personel tersebut memang berganti nomor, ubah nomornya lewat *oprrequest* → "
                 "Ubah data personel. Jika tidak, abaikan pesan ini.")


def _window(ctx: HandlerContext) -> tuple[int, timedelta, timedelta]:
    s = ctx.settings.personnel
    return s.bind_max_failures, timedelta(minutes=s.bind_window_minutes), timedelta(minutes=s.bind_lockout_minutes)


async def _lock_text(ctx: HandlerContext) -> str | None:
    until = await locked_until(ctx.pool, ctx.identity.phone, ctx.clock.now())
    return TEXT_LOCKED.format(time=id_time(until)) if until else None


async def _failure(ctx: HandlerContext, nrp: str | None, outcome: str) -> int:
    """Record a failed attempt; the attempts left before the lock (0: the number is now locked)."""
    phone, now = ctx.identity.phone, ctx.clock.now()
    limit, window, lockout = _window(ctx)
    await record_attempt(ctx.pool, phone=phone, nrp=nrp, outcome=outcome, at=now)
    failures = await failures_since(ctx.pool, phone, now - window)
    if failures >= limit:
        await lock_number(ctx.pool, phone, at=now, until=now + lockout)
        log.warning("number %s locked out of binding after %d failures", phone, failures)
        return 0
    return limit - failures


async def _locked_out(ctx: HandlerContext) -> None:
    ctx.close_menu()
    raise Refused(await _lock_text(ctx) or TEXT_LOCKED.format(time="-"))


async def on_open(ctx: HandlerContext) -> dict:
    lock = await _lock_text(ctx)
    if lock:
        raise Refused(lock)
    return {}


# --------------------------------------------------------------------------- the NRP


async def _active_person(ctx: HandlerContext, nrp: str) -> tuple[Personnel | None, Client | None]:
    person = await get_personnel(ctx.pool, nrp)
    client = await get_client(ctx.pool, person.client_id) if person else None
    return person, client


async def _tell_operator(ctx: HandlerContext, person: Personnel, client: Client, now: datetime) -> None:
    body = TEXT_OPERATOR.format(phone=ctx.identity.phone, nrp=person.nrp, name=display_name(person),
                                time=id_time(now), bound=person.whatsapp)
    recipients = [client.operator_phone] if client.operator_phone else list(client.super_phones)
    if not recipients:
        await report_safely(ctx.reporter, "warning", f"{client.name}: tidak ada nomor operator. {body}",
                            client=client.id)
        return
    day = local_day(now).isoformat()
    for recipient in recipients:
        await enqueue(ctx.pool, recipient=recipient, kind="binding_refused", body=body, client_id=client.id,
                      idempotency_key=f"binding-refused:{person.nrp}:{ctx.identity.phone}:{day}:{recipient}",
                      now=now)


async def on_nrp(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    if await _lock_text(ctx):
        await _locked_out(ctx)
    try:
        nrp = parse_nrp(text, length=ctx.settings.personnel.nrp_length)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    person, client = await _active_person(ctx, nrp)
    if person is None or client is None or not person.active or not client.active:
        left = await _failure(ctx, nrp, "unknown_nrp" if person is None else "inactive")
        if not left:
            await _locked_out(ctx)
        raise InvalidInput(TEXT_UNKNOWN_NRP.format(nrp=nrp, left=left))
    if person.whatsapp and person.whatsapp != ctx.identity.phone:
        left = await _failure(ctx, nrp, "already_bound")
        await _tell_operator(ctx, person, client, ctx.clock.now())
        ctx.close_menu()
        reply = TEXT_ALREADY_BOUND.format(client=client.name)
        raise Refused(reply if left else f"{reply}\n\n{await _lock_text(ctx)}")
    ctx.conversation.data["nrp"] = nrp
    ctx.goto("confirm")


# --------------------------------------------------------------------------- confirmation


async def confirm_prompt(ctx: HandlerContext) -> str:
    person, client = await _active_person(ctx, ctx.conversation.data.get("nrp", ""))
    if person is None or client is None:
        return "Data personel tidak ditemukan lagi. Ketik *back* untuk mengulang."
    return "\n".join([
        "Apakah ini Anda?",
        f"Nama: *{display_name(person)}*",
        f"NRP: {person.nrp}",
        f"Satker: {client.name}",
        f"Satfung: {person.division or '-'}",
        "",
        "Balas *ya* untuk menautkan nomor ini, atau *tidak*.",
    ])


async def bind_number(ctx: HandlerContext, nrp: str) -> str | None:
    """Write the binding in one transaction; None when bound, else why not (Indonesian)."""
    phone = ctx.identity.phone
    async with ctx.pool.acquire() as conn, conn.transaction():
        person = await personnel_for_update(conn, nrp)
        if person is not None and person.whatsapp and person.whatsapp != phone:
            return TEXT_ALREADY_BOUND.format(client=person.client_id)
        try:
            await assign_whatsapp(conn, actor(ctx), nrp, phone, action="personnel.bind_whatsapp")
        except Gone:
            return TEXT_UNKNOWN_NRP.format(nrp=nrp, left="-")
        except Taken:
            return TEXT_NUMBER_TAKEN
        await record_attempt(conn, phone=phone, nrp=nrp, outcome="bound", at=ctx.clock.now())
    return None


async def on_confirm(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    answer = yes_or_no(text)
    if answer is None:
        raise InvalidInput("Balas *ya* atau *tidak*.")
    nrp = ctx.conversation.data.get("nrp", "")
    if not answer:
        left = await _failure(ctx, nrp, "declined")
        if not left:
            await _locked_out(ctx)
        ctx.conversation.history.clear()
        ctx.goto("nrp", remember=False)
        await ctx.reply(TEXT_DECLINED.format(left=left))
        ctx.skip_prompt()
        return
    problem = await bind_number(ctx, nrp)
    ctx.close_menu()
    if problem:
        await ctx.reply(problem)
        return
    person, client = await _active_person(ctx, nrp)
    await ctx.reply(TEXT_BOUND.format(name=display_name(person), client=client.name if client else ""))


MENU = Menu(
    id=MENU_ID,
    title="Pendaftaran nomor",
    start="nrp",
    steps=[
        MenuStep("nrp", prompt=TEXT_PROMPT, handle=on_nrp, after_reply="prompt"),
        MenuStep("confirm", prompt=confirm_prompt, handle=on_confirm, after_reply="prompt"),
    ],
)
