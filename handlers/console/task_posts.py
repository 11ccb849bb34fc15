"""`tugas` (alias `posttugas`): a client's task posts — list today's or yesterday's, add one by URL, remove one with a reason.

Steps: main → pick → list (shown at once) | (add_url → add_confirm) |
(remove_url → remove_reason → remove_confirm). The writes are
`jobs.manual_posts.add_manual_post` / `remove_manual_post` — the same functions
as `cicero posts add|remove` — each audited with the sender as actor (channel
`whatsapp`). Who: an admin for every client, a super-admin for their own
clients (the console's scope, `Identity.may_manage`), checked again at the
confirmation. Operators are not in the admin console.
"""

from __future__ import annotations

from datetime import timedelta

from core.clock import day_range, local_day
from db import client_posts as tasks_db
from db.clients import Client
from handlers.console.common import (
    TEXT_YES_NO, back_to_main, client_pick_step, capped, client_in_scope, when,
    yes_or_no,
)
from handlers.context import Command, HandlerContext, InvalidInput, Refused
from handlers.identity import ADMIN_OR_SUPER
from handlers.menus import Choice, Menu, MenuStep
from jobs.manual_posts import (
    MAX_REASON_CHARS, MAX_URL_CHARS, ManualPostError, PostRef, add_manual_post, clean_reason, parse_post_url,
    remove_manual_post, task_list,
)

MENU_TITLE = "Menu Post Tugas"
PLATFORM_LABEL = {"instagram": "Instagram", "tiktok": "TikTok"}
MAX_CAPTION_CHARS = 60

TEXT_BAD_URL = ("❌ Itu bukan tautan post Instagram atau video TikTok. Contoh: "
                "https://www.instagram.com/p/KODE/ atau https://www.tiktok.com/@akun/video/123…")
TEXT_LONG_URL = f"❌ Tautan terlalu panjang (maksimal {MAX_URL_CHARS} karakter)."
TEXT_SHORT_LINK = ("❌ Tautan pendek TikTok (vm.tiktok.com / vt.tiktok.com) tidak bisa dibaca. Buka tautannya, "
                   "lalu salin tautan lengkap https://www.tiktok.com/@akun/video/…")
TEXT_BAD_REASON = f"❌ Tulis alasan penghapusan (1–{MAX_REASON_CHARS} karakter)."
TEXT_GONE = "⚠️ Client itu sudah tidak ada. Pilih lagi dari menu."
TEXT_UNCHANGED = "Tidak ada yang diubah."


def post_label(ref: PostRef) -> str:
    return f"{PLATFORM_LABEL.get(ref.platform, ref.platform)} *{ref.post_id}*"


def excerpt(caption: str | None) -> str:
    text = " ".join((caption or "").split())
    if not text:
        return ""
    return f" — “{text if len(text) <= MAX_CAPTION_CHARS else text[:MAX_CAPTION_CHARS - 1] + '…'}”"


def _ref(ctx: HandlerContext) -> PostRef:
    data = ctx.conversation.data
    return PostRef(data.get("platform") or "", data.get("post_id") or "")


def url_of(text: str) -> PostRef:
    """The post a typed URL names; InvalidInput with the reason in Indonesian otherwise."""
    if len(text.strip()) > MAX_URL_CHARS:
        raise InvalidInput(TEXT_LONG_URL)
    try:
        return parse_post_url(text)
    except ManualPostError as exc:
        raise InvalidInput(TEXT_SHORT_LINK if exc.kind == "short_link" else TEXT_BAD_URL) from None


async def _chosen(ctx: HandlerContext) -> Client:
    """The client picked earlier, if it still exists and is still in this sender's scope."""
    try:
        return await client_in_scope(ctx, ctx.conversation.data.get("client_id") or "")
    except Refused as exc:  # deleted meanwhile, or no longer this sender's client: start again from the menu
        back_to_main(ctx)
        raise InvalidInput(str(exc)) from None


# --------------------------------------------------------------------------- main and pick

MAIN_CHOICES = [
    Choice("1", "Daftar post tugas hari ini", "list"),
    Choice("2", "Tambah post tugas (tautan)", "add"),
    Choice("3", "Hapus post dari tugas (dengan alasan)", "remove"),
    Choice("4", "Daftar post tugas kemarin", "list_yesterday"),
]
DAYS_BACK = {"list": 0, "list_yesterday": 1}   # list choices: which day, counted back from today


async def main_choices(ctx: HandlerContext) -> list[Choice]:
    return MAIN_CHOICES


async def on_main(ctx: HandlerContext, choice: Choice | None, _text: str) -> None:
    ctx.conversation.data["next"] = choice.value if choice else "list"
    ctx.goto("pick")


# --------------------------------------------------------------------------- list

def task_line(row: tasks_db.TaskRow, ctx: HandlerContext) -> str:
    local = row.posted_at.astimezone(ctx.clock.tz)
    source = f" · manual oleh {row.added_by}" if row.added_by else ""
    line = (f"• {PLATFORM_LABEL.get(row.platform, row.platform)} *{row.post_id}* {local:%H.%M}"
            f"{excerpt(row.caption)}{source}")
    if row.removed_at is not None:
        by = row.removed_by or "daftar API"
        line += f"\n  ✖️ dihapus {when(row.removed_at, ctx)} oleh {by}: {row.removed_reason or '-'}"
    return line


async def task_list_text(ctx: HandlerContext, client: Client) -> str:
    """The task posts of the day the list choice names (today, or yesterday: late likes, removals)."""
    back = DAYS_BACK.get(ctx.conversation.data.get("next") or "list", 0)
    day = local_day(ctx.clock.now(), ctx.clock.tz) - timedelta(days=back)
    start, end = day_range(day, ctx.clock.tz)
    rows = await task_list(ctx.pool, client.id, start, end)
    title = f"📌 *Post tugas {client.id}* — {day:%d/%m/%Y}"
    if not rows:
        return f"{title}\n{'Belum ada post tugas hari ini.' if back == 0 else 'Tidak ada post tugas hari itu.'}"
    live = sum(1 for r in rows if r.removed_at is None)
    return "\n".join([title, f"{live} tugas, {len(rows) - live} dihapus", "",
                      *capped([task_line(r, ctx) for r in rows])])


# --------------------------------------------------------------------------- add

async def add_url_prompt(ctx: HandlerContext) -> str:
    return (f"➕ *Tambah post tugas {ctx.conversation.data.get('client_id')}*\n"
            "Kirim tautan post Instagram (https://www.instagram.com/p/…) atau video TikTok "
            "(https://www.tiktok.com/@akun/video/…).")


async def on_add_url(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    client = await _chosen(ctx)
    ref = url_of(text)
    row = await tasks_db.task_row(ctx.pool, ref.platform, ref.post_id, client.id)
    if row is not None and row.removed_at is None:
        await ctx.reply(f"ℹ️ {post_label(ref)} sudah menjadi tugas *{client.id}*.")
        back_to_main(ctx)
        return
    ctx.conversation.data.update(platform=ref.platform, post_id=ref.post_id, url=text.strip())
    ctx.goto("add_confirm")


async def add_confirm_prompt(ctx: HandlerContext) -> str:
    data = ctx.conversation.data
    ref = _ref(ctx)
    posted_at = await tasks_db.stored_posted_at(ctx.pool, ref.platform, ref.post_id)
    seen = (f"Post ini sudah tersimpan (diunggah {when(posted_at, ctx)}) dan masuk tugas hari itu."
            if posted_at is not None else
            "Post ini belum terlihat oleh API; masuk tugas hari ini.")
    return (f"Tambahkan {post_label(ref)} sebagai tugas *{data.get('client_id')}*?\n{seen}\n"
            f"Like/komentarnya diambil pada pengambilan data berikutnya.\n{TEXT_YES_NO}")


async def on_add_confirm(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    if not yes_or_no(text):
        await ctx.reply(TEXT_UNCHANGED)
        back_to_main(ctx)
        return
    client = await _chosen(ctx)
    try:
        out = await add_manual_post(ctx.pool, client.id, ctx.conversation.data.get("url") or "",
                                    ctx.identity.actor, now=ctx.clock.now())
    except ManualPostError as exc:
        back_to_main(ctx)
        raise InvalidInput(TEXT_GONE if exc.kind == "client" else TEXT_BAD_URL) from None
    if not out.changed:
        await ctx.reply(f"ℹ️ {post_label(out.ref)} sudah menjadi tugas *{out.client_id}*.")
    else:
        back = " kembali" if out.note == "added back" else ""
        await ctx.reply(f"✅ {post_label(out.ref)} ditambahkan{back} sebagai tugas *{out.client_id}* "
                        f"(tugas tanggal {out.posted_at.astimezone(ctx.clock.tz):%d/%m/%Y}). "
                        "Like/komentarnya diambil pada pengambilan data berikutnya.")
    back_to_main(ctx)


# --------------------------------------------------------------------------- remove

async def remove_url_prompt(ctx: HandlerContext) -> str:
    return (f"➖ *Hapus post dari tugas {ctx.conversation.data.get('client_id')}*\n"
            "Kirim tautan post Instagram atau video TikTok yang dihapus dari tugas "
            "(lihat pilihan *1* untuk daftar tugas hari ini).")


async def on_remove_url(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    client = await _chosen(ctx)
    ref = url_of(text)
    row = await tasks_db.task_row(ctx.pool, ref.platform, ref.post_id, client.id)
    if row is None:
        raise InvalidInput(f"❌ {post_label(ref)} bukan post tugas *{client.id}*. Kirim tautan lain, "
                           "atau *back* untuk kembali.")
    if row.removed_at is not None:
        await ctx.reply(f"ℹ️ {post_label(ref)} sudah dihapus dari tugas *{client.id}* "
                        f"({when(row.removed_at, ctx)}, alasan: {row.removed_reason or '-'}).")
        back_to_main(ctx)
        return
    ctx.conversation.data.update(platform=ref.platform, post_id=ref.post_id, url=text.strip(),
                                 caption=(row.caption or "")[:MAX_CAPTION_CHARS * 2])
    ctx.goto("remove_reason")


async def remove_reason_prompt(ctx: HandlerContext) -> str:
    return (f"Tulis *alasan* {post_label(_ref(ctx))} dihapus dari tugas "
            f"(maksimal {MAX_REASON_CHARS} karakter).")


async def on_remove_reason(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    try:
        reason = clean_reason(text)
    except ManualPostError:
        raise InvalidInput(TEXT_BAD_REASON) from None
    ctx.conversation.data["reason"] = reason
    ctx.goto("remove_confirm")


async def remove_confirm_prompt(ctx: HandlerContext) -> str:
    data = ctx.conversation.data
    return (f"Hapus {post_label(_ref(ctx))}{excerpt(data.get('caption'))} dari tugas *{data.get('client_id')}*?\n"
            f"Alasan: {data.get('reason')}\nPersonel tidak lagi dinilai untuk post ini. {TEXT_YES_NO}")


async def on_remove_confirm(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    if not yes_or_no(text):
        await ctx.reply(TEXT_UNCHANGED)
        back_to_main(ctx)
        return
    client = await _chosen(ctx)
    data = ctx.conversation.data
    try:
        out = await remove_manual_post(ctx.pool, client.id, data.get("url") or "", data.get("reason") or "",
                                       ctx.identity.actor, now=ctx.clock.now())
    except ManualPostError as exc:
        back_to_main(ctx)
        texts = {"client": TEXT_GONE, "reason": TEXT_BAD_REASON,
                 "not_task": f"❌ {post_label(_ref(ctx))} bukan post tugas *{client.id}*."}
        raise InvalidInput(texts.get(exc.kind, TEXT_BAD_URL)) from None
    if not out.changed:
        await ctx.reply(f"ℹ️ {post_label(out.ref)} sudah dihapus dari tugas *{out.client_id}*.")
    else:
        await ctx.reply(f"✅ {post_label(out.ref)} dihapus dari tugas *{out.client_id}*. "
                        f"Alasan: {data.get('reason')}")
    back_to_main(ctx)


MENU = Menu(
    id="tugas",
    title=MENU_TITLE,
    start="main",
    steps=[
        MenuStep("main", prompt="📌 *Menu Post Tugas*", choices=main_choices, handle=on_main),
        client_pick_step({"add": "add_url", "remove": "remove_url"}, task_list_text),
        MenuStep("add_url", prompt=add_url_prompt, handle=on_add_url, after_reply="prompt"),
        MenuStep("add_confirm", prompt=add_confirm_prompt, handle=on_add_confirm, after_reply="prompt"),
        MenuStep("remove_url", prompt=remove_url_prompt, handle=on_remove_url, after_reply="prompt"),
        MenuStep("remove_reason", prompt=remove_reason_prompt, handle=on_remove_reason, after_reply="prompt"),
        MenuStep("remove_confirm", prompt=remove_confirm_prompt, handle=on_remove_confirm, after_reply="prompt"),
    ],
)

COMMANDS = [
    Command(id="tugas", triggers=("tugas", "posttugas"), usage="tugas",
            help="post tugas hari ini: daftar, tambah lewat tautan, hapus dengan alasan",
            allowed=ADMIN_OR_SUPER, menu=MENU),
]
