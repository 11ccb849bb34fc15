"""`import CLIENT [LINK]`: personnel import from WhatsApp — dry run first, applied on `ya`.

The source is a Google Sheet link after the client id, or an .xlsx/.csv
document sent with the caption `import CLIENT`; with neither, the bot asks for
one. The dry run's totals and rejected rows come back, then `ya` writes
exactly the previewed rows (`jobs.import_previews`, the same import as
`cicero import-users`: it never wipes). Admins for any client, a super-admin
for their own.
"""

from __future__ import annotations

from core.chat_port import DocumentError
from handlers.console.common import client_in_scope, is_no, is_yes
from handlers.context import Command, HandlerContext, InvalidInput, Refused
from handlers.identity import ADMIN_OR_SUPER
from handlers.menus import Choice, Menu, MenuStep, prompt_current
from jobs.import_previews import (
    DOCUMENT_TIMEOUT_SECONDS, MAX_DOCUMENT_BYTES, CheckedImport, apply_import, cancel_import, preview_import,
    sheet_from_document, sheet_from_link,
)
from jobs.personnel_import import ImportReport
from jobs.sources.sheet import SheetError, SheetRows

MENU_TITLE = "Impor personel"
MAX_REJECTED_SHOWN = 15
TEXT_USAGE = ("Ketik *import CLIENT LINK_GOOGLE_SHEET*, atau kirim dokumen .xlsx/.csv dengan keterangan "
              "*import CLIENT*.")
TEXT_ASK_SOURCE = "📥 Kirim *link Google Sheet* atau *dokumen .xlsx/.csv* berisi data personel {client_id}."


def totals_line(report: ImportReport) -> str:
    t = report.totals()
    return f"Baru: {t['created']} · Diperbarui: {t['updated']} · Tetap: {t['unchanged']} · Ditolak: {t['rejected']}"


def rejected_lines(report: ImportReport) -> list[str]:
    rejected = report.rejected
    if not rejected:
        return []
    lines = ["", "*Baris ditolak:*"]
    for o in rejected[:MAX_REJECTED_SHOWN]:
        who = f"NRP {o.nrp}" if o.nrp else (o.name or "tanpa NRP")
        lines.append(f"• baris {o.line} ({who}): {o.reason}")
    if len(rejected) > MAX_REJECTED_SHOWN:
        lines.append(f"… dan {len(rejected) - MAX_REJECTED_SHOWN} baris lainnya")
    return lines


def preview_text(checked: CheckedImport, source: str) -> str:
    return "\n".join([
        f"📋 *Pemeriksaan impor {checked.client_id}* (belum disimpan)",
        f"Sumber: {source} · {checked.rows} baris",
        totals_line(checked.report),
        *rejected_lines(checked.report),
    ])


async def read_sheet(ctx: HandlerContext, link: str) -> SheetRows:
    """The sheet from the message's document, else from `link`; SheetError/DocumentError say why not."""
    document = ctx.message.document
    if document is not None:
        data = await document.read(max_bytes=MAX_DOCUMENT_BYTES, timeout=DOCUMENT_TIMEOUT_SECONDS)
        return await sheet_from_document(data, document.filename)
    return await sheet_from_link(link)


async def check(ctx: HandlerContext, client_id: str, link: str) -> bool:
    """Read and dry-run the sheet; on success the menu waits for `ya` (True), else the reason is replied."""
    await ctx.reply(f"⏳ Memeriksa data personel untuk {client_id}…")
    try:
        sheet = await read_sheet(ctx, link)
        checked = await preview_import(ctx.pool, ctx.identity.actor, client_id, sheet, at=ctx.clock.now(),
                                       nrp_length=ctx.settings.personnel.nrp_length)
    except (SheetError, DocumentError) as exc:
        await ctx.reply(f"❌ Data tidak dapat dibaca: {exc}")
        return False
    await ctx.reply(preview_text(checked, sheet.source))
    ctx.conversation.data.update({"client_id": client_id, "preview_id": checked.id})
    return True


async def import_command(ctx: HandlerContext, args: str) -> None:
    words = args.split(None, 1)
    if not words:
        raise Refused(TEXT_USAGE)
    client = await client_in_scope(ctx, words[0])
    link = words[1].strip() if len(words) > 1 else ""
    if ctx.message.document is None and not link:
        ctx.open_menu(MENU, step="source", data={"client_id": client.id})
        await prompt_current(ctx, MENU)
        return
    ctx.open_menu(MENU, step="confirm", data={})
    if await check(ctx, client.id, link):
        await prompt_current(ctx, MENU)
    else:
        ctx.close_menu()


async def on_source(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    client_id = ctx.conversation.data.get("client_id") or ""
    if ctx.message.document is None and not text.strip().lower().startswith(("http://", "https://")):
        raise InvalidInput("❌ Itu bukan link Google Sheet atau dokumen.")
    if not ctx.identity.may_manage(client_id):  # the scope may have changed since the menu opened
        ctx.close_menu()
        raise Refused(f"❌ Client *{client_id}* di luar kewenangan Anda.")
    if await check(ctx, client_id, text.strip()):
        ctx.goto("confirm", remember=False)


async def confirm_prompt(ctx: HandlerContext) -> str:
    return "Simpan ke database? Balas *ya* untuk menyimpan atau *batal* untuk membatalkan."


async def on_confirm(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    preview_id = int(ctx.conversation.data.get("preview_id") or 0)
    client_id = ctx.conversation.data.get("client_id") or ""
    if is_no(text):
        await cancel_import(ctx.pool, ctx.identity.actor, preview_id)
        ctx.close_menu()
        await ctx.reply("Impor dibatalkan; tidak ada data yang diubah.")
        return
    if not is_yes(text):
        raise InvalidInput("Balas *ya* untuk menyimpan atau *batal* untuk membatalkan.")
    ctx.close_menu()
    if not ctx.identity.may_manage(client_id):
        await cancel_import(ctx.pool, ctx.identity.actor, preview_id)
        raise Refused(f"❌ Client *{client_id}* di luar kewenangan Anda.")
    report = await apply_import(ctx.pool, ctx.identity.actor, preview_id, at=ctx.clock.now(),
                                nrp_length=ctx.settings.personnel.nrp_length)
    if report is None:
        await ctx.reply("⚠️ Pemeriksaan ini sudah kedaluwarsa atau sudah disimpan. Kirim ulang *import*.")
        return
    await ctx.reply("\n".join([f"✅ *Impor {client_id} selesai*", totals_line(report), *rejected_lines(report)]))


async def source_prompt(ctx: HandlerContext) -> str:
    return TEXT_ASK_SOURCE.format(client_id=ctx.conversation.data.get("client_id") or "")


MENU = Menu(id="import", title=MENU_TITLE, start="source", steps=[
    MenuStep("source", prompt=source_prompt, handle=on_source, after_reply="prompt"),
    MenuStep("confirm", prompt=confirm_prompt, handle=on_confirm, footer=False, after_reply="prompt"),
])


COMMANDS = [
    Command(id="import", triggers=("import", "impor"), usage="import CLIENT [LINK]",
            help="impor personel dari link Google Sheet atau dokumen .xlsx/.csv (diperiksa dulu, simpan dengan ya)",
            allowed=ADMIN_OR_SUPER, handler=import_command, takes_args=True),
    Command(id="import.menu", triggers=(), help="impor personel", allowed=ADMIN_OR_SUPER, menu=MENU, hidden=True),
]
