"""`klien` (alias `clientrequest`): the admins' client menu — list, add, change, (de)activate, summary.

Steps: main → (add_id → add_field… → add_confirm) | (pick → edit_field → edit_value) |
(pick → toggle_confirm) | (pick → summary, shown at once). Every write goes through
`jobs.client_changes` (validated like the CLI, audited). Admins only.
"""

from __future__ import annotations

from dataclasses import replace

from core.clock import day_range, local_day
from core.formats import FormatError
from db.clients import Client, get_client, list_clients
from db.job_runs import last_run_of_client
from db.posts import client_day_counts
from handlers.console.client_form import ADD_STEPS_MENU, EDITABLE, FIELDS, field_prompt, parse_field
from handlers.console.common import (
    back_to_main, capped, client_pick_step, shown, when, yes_or_no,
)
from handlers.context import Command, HandlerContext, InvalidInput
from handlers.identity import ADMIN_ONLY
from handlers.menus import Choice, Menu, MenuStep
from handlers.reports.completeness import build_completeness
from handlers.reports.attendance import Scope
from jobs.client_changes import ClientNotFound, change_client, set_client_active

MENU_TITLE = "Menu Klien"
RUN_STATUS = {"ok": "✅ sukses", "partial": "⚠️ sebagian", "failed": "❌ gagal", "skipped": "⏭️ dilewati",
              "running": "⏳ berjalan", "cancelled": "⏹️ dibatalkan", "abandoned": "⚠️ terhenti"}


# --------------------------------------------------------------------------- main

MAIN_CHOICES = [
    Choice("1", "Daftar client", "list"),
    Choice("2", "Tambah client", "add"),
    Choice("3", "Ubah data client", "edit"),
    Choice("4", "Aktifkan / nonaktifkan client", "toggle"),
    Choice("5", "Ringkasan client", "summary"),
]


async def main_choices(ctx: HandlerContext) -> list[Choice]:
    return MAIN_CHOICES


def client_line(c: Client) -> str:
    flags = ["aktif" if c.active else "NONAKTIF"]
    flags.append(f"IG {'✓' if c.fetches_instagram else '✗'}")
    flags.append(f"TikTok {'✓' if c.fetches_tiktok else '✗'}")
    flags.append(f"{len(c.group_ids)} grup")
    return f"• *{c.id}* — {c.name} ({c.type}) · {' · '.join(flags)}"


async def on_main(ctx: HandlerContext, choice: Choice | None, _text: str) -> None:
    action = choice.value if choice else ""
    if action == "list":
        clients = await list_clients(ctx.pool)
        if not clients:
            await ctx.reply("Belum ada client. Pilih *2* untuk menambah.")
            return
        await ctx.reply("\n".join([f"🏢 *{len(clients)} client*", *capped([client_line(c) for c in clients])]))
        return
    if action == "add":
        ctx.goto("add_id")
        return
    ctx.conversation.data["next"] = action
    ctx.goto("pick")


# --------------------------------------------------------------------------- pick a client

TEXT_GONE = "⚠️ Client itu sudah tidak ada. Ketik *back* lalu pilih lagi."


async def _chosen_or_none(ctx: HandlerContext) -> Client | None:
    return await get_client(ctx.pool, ctx.conversation.data.get("client_id") or "")


async def _chosen(ctx: HandlerContext) -> Client:
    client = await _chosen_or_none(ctx)
    if client is None:
        back_to_main(ctx)
        raise InvalidInput(TEXT_GONE)
    return client


# --------------------------------------------------------------------------- summary

async def client_summary(ctx: HandlerContext, client: Client) -> str:
    people = (await build_completeness(ctx.pool, client, scope=Scope.CLIENT)).total
    start, end = day_range(local_day(ctx.clock.now(), ctx.clock.tz), ctx.clock.tz)
    today = await client_day_counts(ctx.pool, client.id, start, end)
    run = await last_run_of_client(ctx.pool, client.id)
    if run is None:
        last = "belum pernah"
    else:
        outcome = run.clients.get(client.id) or {}
        status = "❌ gagal" if outcome.get("ok") is False else RUN_STATUS.get(run.status, run.status)
        last = f"{when(run.started_at, ctx)} — {status}"
    lines = [
        f"📊 *Ringkasan {client.id}* — {client.name}",
        f"Status: {'aktif' if client.active else 'NONAKTIF'} · tipe {client.type}",
        f"Instagram: {shown(client.instagram)}{'' if client.instagram_active else ' (nonaktif)'}",
        f"TikTok: {shown(client.tiktok)}{'' if client.tiktok_active else ' (nonaktif)'}",
        f"Grup tugas: {shown(client.group_ids)}",
        f"Operator: {shown(client.operator_phone)} · Super-admin: {shown(client.super_phones)}",
        f"Personel aktif: {people.personnel} (IG terisi {people.instagram_filled}, "
        f"TikTok terisi {people.tiktok_filled})",
        f"Tugas hari ini: {today.instagram_posts} post IG, {today.tiktok_posts} video TikTok",
        f"Pengambilan data terakhir: {last}",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- edit

EDIT_CHOICES = [Choice(str(i), FIELDS[key].label, key) for i, key in enumerate(EDITABLE, 1)]


async def edit_field_prompt(ctx: HandlerContext) -> str:
    client = await _chosen_or_none(ctx)
    if client is None:
        return TEXT_GONE
    return f"✏️ *Ubah {client.id}* — pilih data yang diubah:"


async def edit_field_choices(ctx: HandlerContext) -> list[Choice]:
    return EDIT_CHOICES


async def on_edit_field(ctx: HandlerContext, choice: Choice | None, _text: str) -> None:
    ctx.conversation.data["field"] = choice.value if choice else ""
    ctx.goto("edit_value")


async def edit_value_prompt(ctx: HandlerContext) -> str:
    client = await _chosen_or_none(ctx)
    if client is None:
        return TEXT_GONE
    field = FIELDS.get(ctx.conversation.data.get("field") or "", FIELDS["name"])
    return field_prompt(field, getattr(client, field.key), editing=True)


async def on_edit_value(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    client = await _chosen(ctx)
    field = FIELDS.get(ctx.conversation.data.get("field") or "", FIELDS["name"])
    value = parse_field(field, text)
    try:
        change = await change_client(ctx.pool, ctx.identity.actor, client.id,
                                     lambda c: replace(c, **{field.key: value}))
    except (FormatError, ValueError) as exc:
        raise InvalidInput(f"❌ {exc}") from None
    except ClientNotFound:
        back_to_main(ctx)
        await ctx.reply("⚠️ Client itu sudah tidak ada.")
        return
    before, after = getattr(change.before, field.key), getattr(change.after, field.key)
    if before == after:
        await ctx.reply(f"ℹ️ {field.label.capitalize()} {client.id} tidak berubah.")
    else:
        await ctx.reply(f"✅ {field.label.capitalize()} {client.id}: {shown(before)} → {shown(after)}")
    back_to_main(ctx)


# --------------------------------------------------------------------------- (de)activate

async def toggle_prompt(ctx: HandlerContext) -> str:
    client = await _chosen_or_none(ctx)
    if client is None:
        return TEXT_GONE
    if client.active:
        return (f"Client *{client.id}* saat ini *aktif*. Nonaktifkan? Datanya tidak lagi diambil dan "
                "tidak ada pesan tugas. Balas *ya* atau *tidak*.")
    return f"Client *{client.id}* saat ini *nonaktif*. Aktifkan kembali? Balas *ya* atau *tidak*."


async def on_toggle(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    client = await _chosen(ctx)
    if yes_or_no(text):
        change = await set_client_active(ctx.pool, ctx.identity.actor, client.id, not client.active)
        await ctx.reply(f"✅ Client *{client.id}* sekarang {'aktif' if change.after.active else 'nonaktif'}.")
    else:
        await ctx.reply("Tidak ada yang diubah.")
    back_to_main(ctx)


MENU = Menu(
    id="klien",
    title=MENU_TITLE,
    start="main",
    steps=[
        MenuStep("main", prompt="🏢 *Menu Klien*", choices=main_choices, handle=on_main),
        client_pick_step({"edit": "edit_field", "toggle": "toggle_confirm"}, client_summary),
        MenuStep("edit_field", prompt=edit_field_prompt, choices=edit_field_choices, handle=on_edit_field, after_reply="prompt"),
        MenuStep("edit_value", prompt=edit_value_prompt, handle=on_edit_value, after_reply="prompt"),
        MenuStep("toggle_confirm", prompt=toggle_prompt, handle=on_toggle, after_reply="prompt"),
        *ADD_STEPS_MENU,
    ],
)

COMMANDS = [
    Command(id="klien", triggers=("klien", "clientrequest"), usage="klien",
            help="kelola client: daftar, tambah, ubah, aktif/nonaktif, ringkasan",
            allowed=ADMIN_ONLY, menu=MENU),
]
