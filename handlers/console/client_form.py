"""Adding a client step by step in the `klien` menu, and the field editors it shares with "ubah data".

Every answer is checked with the same normalisers as `cicero clients add`
(`core.formats`, then `db.clients.validated_client` when the client is
written through `jobs.client_changes`), so WhatsApp accepts exactly what the
CLI accepts. The draft lives in `conversation.data["draft"]` (JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from core.formats import (
    FormatError, clean_text, normalize_client_id, normalize_group_id, normalize_optional_phone, normalize_username,
)
from db.clients import CLIENT_TYPES, Client, get_client
from handlers.console.common import back_to_main, optional, shown, yes_or_no
from handlers.context import HandlerContext, InvalidInput
from handlers.menus import Choice, MenuStep
from jobs.client_changes import ClientExists, create_client

MAX_LIST_ITEMS = 20
TYPE_LABELS = {"org": "org (Polres/satker)", "direktorat": "direktorat"}


def _name(text: str) -> str:
    value = clean_text(text, field="nama", max_chars=120)
    if value is None:
        raise FormatError("nama client wajib diisi")
    return value


def _type(text: str) -> str:
    value = text.strip().lower()
    by_number = {str(i): t for i, t in enumerate(CLIENT_TYPES, 1)}
    value = by_number.get(value, value)
    if value not in CLIENT_TYPES:
        raise FormatError(f"tipe harus {' atau '.join(CLIENT_TYPES)} (atau angkanya)")
    return value


def _many(text: str, normalise: Callable[[str], str | None]) -> list[str]:
    raw = optional(text)
    items = [normalise(x) for x in (raw or "").replace(";", ",").split(",") if x.strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise FormatError(f"maksimal {MAX_LIST_ITEMS} nilai")
    return sorted({i for i in items if i})


def _optional_upper(text: str) -> str | None:
    raw = optional(text)
    return normalize_client_id(raw) if raw else None


@dataclass(frozen=True)
class Field:
    key: str                          # the Client attribute
    label: str                        # Indonesian, for prompts and confirmations
    hint: str                         # what to type
    parse: Callable[[str], Any]       # answer → value (FormatError says why not)


FIELDS: dict[str, Field] = {f.key: f for f in [
    Field("name", "nama", "nama lengkap, mis. Polres Blitar", _name),
    Field("type", "tipe", "1 = org (Polres/satker), 2 = direktorat", _type),
    Field("instagram", "akun Instagram", "username atau link profil; *-* jika tidak ada",
          lambda t: normalize_username(optional(t))),
    Field("tiktok", "akun TikTok", "username atau link profil; *-* jika tidak ada",
          lambda t: normalize_username(optional(t))),
    Field("operator_phone", "nomor operator", "nomor WhatsApp, mis. 0812…; *-* jika tidak ada",
          lambda t: normalize_optional_phone(optional(t))),
    Field("super_phones", "nomor super-admin", "satu atau lebih nomor, pisahkan dengan koma; *-* jika tidak ada",
          lambda t: _many(t, normalize_optional_phone)),
    Field("group_ids", "grup tugas", "id grup …@g.us (ketik *grup* di grupnya); koma untuk beberapa; *-* kosong",
          lambda t: _many(t, normalize_group_id)),
    Field("regional_id", "regional", "mis. JATIM; *-* jika tidak ada", _optional_upper),
    Field("parent_id", "parent (client induk)", "ID client induk; *-* jika tidak ada", _optional_upper),
]}
EDITABLE = ("name", "type", "instagram", "tiktok", "operator_phone", "super_phones", "group_ids", "regional_id",
            "parent_id")
ADD_STEPS = ("name", "type", "instagram", "tiktok", "operator_phone", "super_phones")


def parse_field(field: Field, text: str) -> Any:
    try:
        return field.parse(text)
    except FormatError as exc:
        reason = str(exc)
        raise InvalidInput(f"❌ {reason if reason.startswith(field.label) else f'{field.label}: {reason}'}") from None


def field_prompt(field: Field, current: Any = None, *, editing: bool = False) -> str:
    now = f"\nSaat ini: {shown(current)}" if editing else ""
    return f"Ketik *{field.label}* ({field.hint}).{now}"


# --------------------------------------------------------------------------- add: id, then each field

def _draft(ctx: HandlerContext) -> dict[str, Any]:
    return ctx.conversation.data.setdefault("draft", {})


async def add_id_prompt(ctx: HandlerContext) -> str:
    return "➕ *Tambah client*\nKetik *ID client* (huruf besar, angka, _ atau -), mis. POLRES_BLITAR."


async def on_add_id(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    try:
        client_id = normalize_client_id(text)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    if await get_client(ctx.pool, client_id) is not None:
        raise InvalidInput(f"❌ Client {client_id} sudah ada; pilih *Ubah data client* di menu untuk mengubahnya.")
    ctx.conversation.data["draft"] = {"id": client_id}
    ctx.conversation.data["add_index"] = 0
    ctx.goto("add_field")


def _current_add_field(ctx: HandlerContext) -> Field:
    index = min(int(ctx.conversation.data.get("add_index", 0)), len(ADD_STEPS) - 1)
    return FIELDS[ADD_STEPS[index]]


async def add_field_prompt(ctx: HandlerContext) -> str:
    index = int(ctx.conversation.data.get("add_index", 0))
    return f"({index + 1}/{len(ADD_STEPS)}) " + field_prompt(_current_add_field(ctx))


async def on_add_field(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    field = _current_add_field(ctx)
    _draft(ctx)[field.key] = parse_field(field, text)
    index = int(ctx.conversation.data.get("add_index", 0)) + 1
    ctx.conversation.data["add_index"] = index
    if index >= len(ADD_STEPS):
        ctx.goto("add_confirm", remember=False)


def draft_client(draft: dict[str, Any]) -> Client:
    return Client(id=draft["id"], name=draft.get("name", ""), type=draft.get("type", "org"),
                  instagram=draft.get("instagram"), tiktok=draft.get("tiktok"),
                  operator_phone=draft.get("operator_phone"), super_phones=list(draft.get("super_phones") or []))


async def add_confirm_prompt(ctx: HandlerContext) -> str:
    c = draft_client(_draft(ctx))
    lines = ["📝 *Periksa data client baru*", f"ID: {c.id}", f"Nama: {c.name}", f"Tipe: {TYPE_LABELS[c.type]}",
             f"Instagram: {shown(c.instagram)}", f"TikTok: {shown(c.tiktok)}",
             f"Operator: {shown(c.operator_phone)}", f"Super-admin: {shown(c.super_phones)}",
             "", "Simpan? Balas *ya* untuk menyimpan atau *tidak* untuk membatalkan."]
    return "\n".join(lines)


async def on_add_confirm(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    save = yes_or_no(text)
    draft = dict(ctx.conversation.data.get("draft") or {})
    back_to_main(ctx)
    if not save:
        await ctx.reply("Penambahan client dibatalkan.")
        return
    try:
        change = await create_client(ctx.pool, ctx.identity.actor, draft_client(draft))
    except ClientExists as exc:
        await ctx.reply(f"❌ {exc}.")
        return
    except (FormatError, ValueError) as exc:
        await ctx.reply(f"❌ Client tidak disimpan: {exc}")
        return
    c = change.after
    await ctx.reply(f"✅ Client *{c.id}* ({c.name}) ditambahkan. Berikutnya: ketik *grup* di grup WhatsApp-nya "
                    f"lalu *grup tugas {c.id}*, dan *import {c.id}* untuk data personel.")


ADD_STEPS_MENU = [
    MenuStep("add_id", prompt=add_id_prompt, handle=on_add_id, after_reply="prompt"),
    MenuStep("add_field", prompt=add_field_prompt, handle=on_add_field, after_reply="prompt"),
    MenuStep("add_confirm", prompt=add_confirm_prompt, handle=on_add_confirm, after_reply="prompt"),
]
