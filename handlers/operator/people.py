"""Personnel management in the operator menu: add, update, (de)activate, check an NRP, request an exception.

Every NRP is looked up inside the chosen client only: a person of another
client reads exactly like an unknown NRP ("tidak ditemukan di <client>"), and
the attempt is logged on `cicero.audit`. Every write goes through
`save_personnel` (or `writes.assign_*`) with the operator's number as actor;
an exception is only *requested* (`db/exception_requests.open_request`, audited);
an admin decides in the admin console.

Steps: nrp → add_name → add_rank → add_division → add_position → add_confirm;
nrp → edit_field → edit_value (→ edit_field); nrp → toggle_confirm;
nrp → exception_reason. Conversation data: {"client_id", "action", "nrp",
"new": {...}, "field"}.
"""

from __future__ import annotations

import dataclasses
import logging

from core.formats import FormatError, clean_text
from db.audit import record_change
from db.clients import Client
from db.exception_requests import RequestAlreadyOpen, open_request, pending_requests
from db.personnel import Personnel, get_personnel
from db.personnel_contacts import lock_identifier, personnel_for_update
from handlers.context import HandlerContext, InvalidInput, Refused
from handlers.menus import menu_number
from handlers.personnel.common import actor, display_name
from handlers.personnel.fields import (
    EXAMPLES, RANK_EXAMPLES, check_username, parse_name, parse_nrp, parse_phone, parse_rank, parse_unit_text,
    parse_username, phone_taken_by, username_taken_text, yes_or_no,
)
from handlers.personnel.writes import Gone, Taken, assign_username, assign_whatsapp
from handlers.reports.attendance import Platform
from jobs.personnel_changes import save_personnel

audit = logging.getLogger("cicero.audit")

ADD, EDIT, TOGGLE, CHECK, EXCEPTION = "add", "edit", "toggle", "check", "exception"


@dataclasses.dataclass(frozen=True)
class Field:
    key: str                    # Personnel attribute
    label: str
    hint: str
    clearable: bool = False     # `-` empties it


FIELDS = (
    Field("name", "Nama", "nama lengkap tanpa pangkat, contoh: BUDI SANTOSO"),
    Field("rank", "Pangkat", f"contoh: {RANK_EXAMPLES}"),
    Field("division", "Satfung", "contoh: SAT BINMAS"),
    Field("position", "Jabatan", "contoh: BA SAT BINMAS; ketik - bila kosong", clearable=True),
    Field("instagram", "Instagram", f"contoh: {EXAMPLES[Platform.INSTAGRAM]}; ketik - untuk mengosongkan",
          clearable=True),
    Field("tiktok", "TikTok", f"contoh: {EXAMPLES[Platform.TIKTOK]}; ketik - untuk mengosongkan", clearable=True),
    Field("whatsapp", "WhatsApp", "contoh: 081234567890; ketik - untuk mengosongkan", clearable=True),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}


def _value(value) -> str:
    return str(value) if value else "-"


def person_card(person: Personnel, client: Client, *, pending: str | None = None) -> str:
    lines = ["🔎 *Data Personel*", f"Nama: {display_name(person)}", f"NRP: {person.nrp}", f"Satker: {client.name}",
             f"Satfung: {_value(person.division)}", f"Jabatan: {_value(person.position)}",
             f"Instagram: {'@' + person.instagram if person.instagram else 'belum diisi'}",
             f"TikTok: {'@' + person.tiktok if person.tiktok else 'belum diisi'}",
             f"WhatsApp: {_value(person.whatsapp)}",
             f"Status: {'aktif' if person.active else 'nonaktif'}",
             f"Pengecualian: {'ya' if person.exception else 'tidak'}"]
    if pending:
        lines.append(f"Permintaan pengecualian menunggu admin: {pending}")
    return "\n".join(lines)


def back_to_main(ctx: HandlerContext) -> None:
    data = ctx.conversation.data
    for key in ("action", "nrp", "new", "field"):
        data.pop(key, None)
    ctx.conversation.history.clear()
    ctx.goto("main", remember=False)


async def _person_of(ctx: HandlerContext, client: Client, nrp: str) -> Personnel:
    """The person `nrp` of `client` (active or not); InvalidInput otherwise, the same for every other case."""
    person = await get_personnel(ctx.pool, nrp)
    if person is None or person.client_id != client.id:
        if person is not None:
            audit.warning("operator %s asked for NRP %s of client %s from %s", ctx.identity.label, nrp,
                          person.client_id, client.id)
        raise InvalidInput(f"❌ NRP {nrp} tidak ditemukan di *{client.name}*.")
    return person


async def _prompt_person(ctx: HandlerContext, client: Client) -> Personnel | None:
    person = await get_personnel(ctx.pool, ctx.conversation.data.get("nrp", ""))
    return person if person is not None and person.client_id == client.id else None


TEXT_PERSON_GONE = "⚠️ Data personel ini tidak ditemukan lagi. Ketik *back* untuk kembali."


# --------------------------------------------------------------------------- the NRP


NRP_PROMPTS = {
    ADD: "➕ *Tambah personel*\nKetik NRP personel baru (angka saja).",
    EDIT: "✏️ *Ubah data personel*\nKetik NRP personel.",
    TOGGLE: "🔁 *Aktifkan / nonaktifkan personel*\nKetik NRP personel.",
    CHECK: "🔎 *Cek NRP*\nKetik NRP personel.",
    EXCEPTION: "📨 *Ajukan pengecualian*\nKetik NRP personel.",
}


async def nrp_prompt(ctx: HandlerContext, _client: Client) -> str:
    return NRP_PROMPTS.get(ctx.conversation.data.get("action", ""), NRP_PROMPTS[CHECK])


async def on_nrp(ctx: HandlerContext, client: Client, text: str) -> None:
    try:
        nrp = parse_nrp(text, length=ctx.settings.personnel.nrp_length)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    action = ctx.conversation.data.get("action")
    if action == ADD:
        existing = await get_personnel(ctx.pool, nrp)
        if existing is not None and existing.client_id == client.id:
            raise InvalidInput(f"❌ NRP {nrp} sudah terdaftar di *{client.name}*: {display_name(existing)}. "
                               "Gunakan menu Ubah data personel.")
        if existing is not None:
            audit.warning("operator %s tried to add NRP %s of client %s to %s", ctx.identity.label, nrp,
                          existing.client_id, client.id)
            raise InvalidInput(f"❌ NRP {nrp} sudah terdaftar di satker lain. Hubungi admin bila personel "
                               "tersebut pindah satker.")
        ctx.conversation.data["new"] = {"nrp": nrp}
        ctx.goto("add_name")
        return
    person = await _person_of(ctx, client, nrp)
    ctx.conversation.data["nrp"] = nrp
    if action == EDIT:
        ctx.goto("edit_field")
    elif action == TOGGLE:
        ctx.goto("toggle_confirm")
    elif action == EXCEPTION:
        ctx.goto("exception_reason")
    else:
        pending = [r for r in await pending_requests(ctx.pool, [client.id]) if r.nrp == nrp]
        wish = ("tandai pengecualian" if pending[0].exception else "batalkan pengecualian") if pending else None
        back_to_main(ctx)
        await ctx.reply(person_card(person, client, pending=wish))


# --------------------------------------------------------------------------- add


ADD_STEPS = (("add_name", "name", parse_name), ("add_rank", "rank", parse_rank),
             ("add_division", "division", lambda t: parse_unit_text(t, field="Satfung")),
             ("add_position", "position", lambda t: parse_unit_text(t, field="Jabatan", optional=True)))


async def add_value_prompt(ctx: HandlerContext, _client: Client) -> str:
    key = next((k for s, k, _ in ADD_STEPS if s == ctx.conversation.step), ADD_STEPS[0][1])
    f = FIELD_BY_KEY[key]
    return f"Ketik *{f.label}* ({f.hint})."


async def on_add_value(ctx: HandlerContext, client: Client, text: str) -> None:
    index = next(i for i, (s, _, _) in enumerate(ADD_STEPS) if s == ctx.conversation.step)
    _, key, parse = ADD_STEPS[index]
    try:
        value = parse(text)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    ctx.conversation.data.setdefault("new", {})[key] = value
    ctx.goto(ADD_STEPS[index + 1][0] if index + 1 < len(ADD_STEPS) else "add_confirm")


def _new_person(ctx: HandlerContext, client: Client) -> Personnel:
    new = ctx.conversation.data.get("new") or {}
    return Personnel(nrp=new.get("nrp", ""), name=new.get("name", ""), client_id=client.id, rank=new.get("rank"),
                     division=new.get("division"), position=new.get("position"))


async def add_confirm_prompt(ctx: HandlerContext, client: Client) -> str:
    person = _new_person(ctx, client)
    return "\n".join(["Simpan personel baru ini?", f"NRP: {person.nrp}", f"Nama: {person.name}",
                      f"Pangkat: {_value(person.rank)}", f"Satfung: {_value(person.division)}",
                      f"Jabatan: {_value(person.position)}", f"Satker: {client.name}", "",
                      "Balas *ya* untuk menyimpan atau *tidak* untuk membatalkan."])


async def on_add_confirm(ctx: HandlerContext, client: Client, text: str) -> None:
    answer = yes_or_no(text)
    if answer is None:
        raise InvalidInput("Balas *ya* atau *tidak*.")
    person = _new_person(ctx, client)
    back_to_main(ctx)
    if not answer:
        await ctx.reply("Baik, personel tidak disimpan.")
        return
    if not person.nrp or not person.name:
        await ctx.reply("⚠️ Data personel tidak lengkap; silakan ulangi dari menu Tambah personel.")
        return
    async with ctx.pool.acquire() as conn, conn.transaction():
        await lock_identifier(conn, "nrp", person.nrp)
        if await personnel_for_update(conn, person.nrp) is not None:
            raise Refused(f"❌ NRP {person.nrp} baru saja didaftarkan. Periksa dengan menu Cek NRP.")
        await save_personnel(conn, actor(ctx), [person], action="personnel.create")
    await ctx.reply(f"✅ {display_name(person)} (NRP {person.nrp}) ditambahkan ke *{client.name}*. "
                    "Username Instagram/TikTok bisa diisi personel sendiri (ketik *menu* dari nomornya) "
                    "atau lewat Ubah data personel.")


# --------------------------------------------------------------------------- edit


async def edit_field_prompt(ctx: HandlerContext, client: Client) -> str:
    person = await _prompt_person(ctx, client)
    if person is None:
        return TEXT_PERSON_GONE
    lines = [f"✏️ Ubah data *{display_name(person)}* (NRP {person.nrp}). Pilih data yang diubah:"]
    lines += [f"{i}. {f.label}: {_value(getattr(person, f.key))}" for i, f in enumerate(FIELDS, 1)]
    return "\n".join(lines)


async def on_edit_field(ctx: HandlerContext, client: Client, text: str) -> None:
    number = menu_number(text, maximum=len(FIELDS))
    if number is None:
        raise InvalidInput(f"Pilihan tidak valid. Balas angka 1 sampai {len(FIELDS)}.")
    ctx.conversation.data["field"] = FIELDS[number - 1].key
    ctx.goto("edit_value")


async def edit_value_prompt(ctx: HandlerContext, _client: Client) -> str:
    f = FIELD_BY_KEY.get(ctx.conversation.data.get("field", ""), FIELDS[0])
    return f"Ketik *{f.label}* yang baru ({f.hint})."


async def _parse_edit(ctx: HandlerContext, f: Field, person: Personnel, text: str):
    if f.clearable and text.strip() in ("-", "–"):
        return None
    if f.key in ("instagram", "tiktok"):
        platform = Platform(f.key)
        username = parse_username(platform, text)
        check = await check_username(ctx.pool, platform, username, nrp=person.nrp, client_id=person.client_id,
                                     now=ctx.clock.now(), near_miss_days=ctx.settings.personnel.near_miss_days)
        if not check.ok:
            raise InvalidInput(username_taken_text(platform, username, check.held_by))
        return username
    if f.key == "whatsapp":
        phone = parse_phone(text)
        taken = await phone_taken_by(ctx.pool, phone, nrp=person.nrp)
        if taken:
            raise InvalidInput(f"❌ Nomor {phone} sudah terdaftar untuk personel lain di *{taken}*.")
        return phone
    if f.key == "name":
        return parse_name(text)
    if f.key == "rank":
        return parse_rank(text)
    return parse_unit_text(text, field=f.label, optional=f.clearable)


async def _save_field(ctx: HandlerContext, client: Client, person: Personnel, f: Field, value) -> None:
    if f.key in ("instagram", "tiktok"):
        await assign_username(ctx.pool, actor(ctx), person.nrp, Platform(f.key), value)
        return
    async with ctx.pool.acquire() as conn, conn.transaction():
        if f.key == "whatsapp":
            await assign_whatsapp(conn, actor(ctx), person.nrp, value, action="personnel.update_whatsapp")
            return
        fresh = await personnel_for_update(conn, person.nrp)
        if fresh is None or fresh.client_id != client.id:
            raise Gone(person.nrp)
        await save_personnel(conn, actor(ctx), [dataclasses.replace(fresh, **{f.key: value})],
                             action="personnel.update")


async def on_edit_value(ctx: HandlerContext, client: Client, text: str) -> None:
    person = await _person_of(ctx, client, ctx.conversation.data.get("nrp", ""))
    f = FIELD_BY_KEY.get(ctx.conversation.data.get("field", ""), FIELDS[0])
    try:
        value = await _parse_edit(ctx, f, person, text)
        await _save_field(ctx, client, person, f, value)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    except Taken as exc:
        raise InvalidInput(f"❌ {f.label} itu sudah dipakai personel lain di *{exc.satker}*.") from None
    except Gone:
        back_to_main(ctx)
        raise Refused(f"⚠️ Data NRP {person.nrp} berubah atau tidak aktif lagi; tidak ada yang disimpan.") from None
    ctx.conversation.data.pop("field", None)
    ctx.conversation.history[:] = ["main"]
    ctx.goto("edit_field", remember=False)
    await ctx.reply(f"✅ {f.label} {display_name(person)}: {_value(getattr(person, f.key))} → {_value(value)}.")


# --------------------------------------------------------------------------- (de)activate


async def toggle_prompt(ctx: HandlerContext, client: Client) -> str:
    person = await _prompt_person(ctx, client)
    if person is None:
        return TEXT_PERSON_GONE
    if person.active:
        return (f"*{display_name(person)}* (NRP {person.nrp}) saat ini *aktif*. Nonaktifkan? "
                "Personel nonaktif tidak dihitung lagi dalam absensi mulai saat ini (riwayat tetap tersimpan).\n"
                "Balas *ya* atau *tidak*.")
    return (f"*{display_name(person)}* (NRP {person.nrp}) saat ini *nonaktif*. Aktifkan kembali?\n"
            "Balas *ya* atau *tidak*.")


async def on_toggle_confirm(ctx: HandlerContext, client: Client, text: str) -> None:
    answer = yes_or_no(text)
    if answer is None:
        raise InvalidInput("Balas *ya* atau *tidak*.")
    nrp = ctx.conversation.data.get("nrp", "")
    back_to_main(ctx)
    if not answer:
        await ctx.reply("Baik, status personel tidak diubah.")
        return
    async with ctx.pool.acquire() as conn, conn.transaction():
        person = await personnel_for_update(conn, nrp)
        if person is None or person.client_id != client.id:
            raise Refused(f"❌ NRP {nrp} tidak ditemukan di *{client.name}*.")
        active = not person.active
        await save_personnel(conn, actor(ctx), [dataclasses.replace(person, active=active)],
                             action="personnel.activate" if active else "personnel.deactivate")
    state = "diaktifkan kembali" if active else "dinonaktifkan; tidak dihitung lagi dalam absensi"
    await ctx.reply(f"✅ {display_name(person)} (NRP {nrp}) {state}.")


# --------------------------------------------------------------------------- exception request


async def exception_prompt(ctx: HandlerContext, client: Client) -> str:
    person = await _prompt_person(ctx, client)
    if person is None:
        return TEXT_PERSON_GONE
    wish = "membatalkan status pengecualian" if person.exception else "menandai sebagai personel pengecualian"
    now = "personel pengecualian" if person.exception else "bukan personel pengecualian"
    return (f"*{display_name(person)}* saat ini {now}. Tulis alasan permintaan untuk {wish} "
            "(maksimal 200 karakter). Permintaan diputuskan oleh admin.")


async def on_exception_reason(ctx: HandlerContext, client: Client, text: str) -> None:
    person = await _person_of(ctx, client, ctx.conversation.data.get("nrp", ""))
    try:
        reason = clean_text(text, field="Alasan", max_chars=200)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    if not reason or len(reason) < 5:
        raise InvalidInput("❌ Tulis alasan yang jelas (minimal 5 karakter).")
    back_to_main(ctx)
    try:
        async with ctx.pool.acquire() as conn, conn.transaction():
            request = await open_request(conn, nrp=person.nrp, client_id=client.id, exception=not person.exception,
                                         reason=reason, requested_by=ctx.identity.label, at=ctx.clock.now())
            await record_change(conn, actor(ctx), action="exception_request.open", entity="exception_request",
                                entity_id=str(request.id), client_id=client.id, before=None,
                                after={"nrp": person.nrp, "exception": request.exception, "reason": reason})
    except RequestAlreadyOpen:
        await ctx.reply(f"ℹ️ Sudah ada permintaan pengecualian untuk {display_name(person)} yang menunggu "
                        "keputusan admin.")
        return
    await ctx.reply(f"📨 Permintaan #{request.id} untuk {display_name(person)} dikirim. Admin akan memutuskan; "
                    "statusnya terlihat di menu Cek NRP.")

