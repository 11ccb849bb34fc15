"""`akun`: dashboard accounts from WhatsApp — list, create, (de)activate, change role or clients, new password.

Every write goes through `jobs.account_changes` (validated, audited, never the
password). A new account's password is generated and sent ONCE, directly, to
the account's own WhatsApp number; the admin is told that it was sent, never
what it is, and it is stored nowhere but as its argon2 hash (no outbox row, no
conversation data). If that send fails, option "kirim password baru" makes and
sends another. Admins only.
"""

from __future__ import annotations

import logging

from core.boundary import guarded
from db.dashboard_accounts import DashboardAccount, list_accounts
from handlers.console.common import back_to_main, capped, optional, parsed, shown, yes_or_no
from handlers.context import Command, HandlerContext, InvalidInput
from handlers.identity import ADMIN_ONLY
from handlers.menus import Choice, Menu, MenuStep, menu_number
from jobs.account_changes import (
    AccountError, CreatedAccount, change_dashboard_account, create_dashboard_account, find_account, known_roles,
    set_dashboard_password, valid_username,
)
from core.formats import FormatError, normalize_phone

log = logging.getLogger(__name__)

MENU_TITLE = "Menu Akun Dashboard"
MAIN = [("list", "Daftar akun"), ("create", "Buat akun"), ("toggle", "Nonaktifkan / aktifkan akun"),
        ("role", "Ubah peran"), ("clients", "Ubah client"), ("password", "Kirim password baru")]
TEXT_PASSWORD = ("🔐 *Akun dashboard Cicero*\nUsername: {username}\nPassword: {password}\n\n"
                 "Pesan ini hanya dikirim sekali. Jangan bagikan kepada siapa pun.")


async def main_choices(ctx: HandlerContext) -> list[Choice]:
    return [Choice(str(i), label, key) for i, (key, label) in enumerate(MAIN, 1)]


def account_line(a: DashboardAccount) -> str:
    return (f"• *{a.username}* — {a.role} · client: {shown(a.client_ids)} · WA: {shown(a.whatsapp)}"
            f"{'' if a.active else ' · NONAKTIF'}")


async def on_main(ctx: HandlerContext, choice: Choice | None, _text: str) -> None:
    action = choice.value if choice else ""
    if action == "list":
        accounts = await list_accounts(ctx.pool)
        lines = [f"🔑 *{len(accounts)} akun dashboard*", *capped([account_line(a) for a in accounts])]
        await ctx.reply("\n".join(lines) if accounts else "Belum ada akun dashboard.")
        return
    ctx.conversation.data["action"] = action
    ctx.goto("new_username" if action == "create" else "pick")


async def deliver_password(ctx: HandlerContext, created: CreatedAccount) -> bool:
    """Send the password to the account's own number, directly (never stored); False when it failed."""
    phone = created.account.whatsapp
    if not phone:
        return False
    text = TEXT_PASSWORD.format(username=created.account.username, password=created.password)
    async with guarded("sending a dashboard password", log, account=created.account.username) as g:
        await ctx.outgoing.text(phone, text)
    return not g.failed


# --------------------------------------------------------------------------- create

async def username_prompt(ctx: HandlerContext) -> str:
    return "➕ *Buat akun*\nKetik *username* (3–64 huruf, angka, titik, _ atau -)."


async def on_username(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    ctx.conversation.data["username"] = parsed(valid_username, text, AccountError)
    ctx.goto("new_whatsapp")


async def whatsapp_prompt(ctx: HandlerContext) -> str:
    return "Ketik *nomor WhatsApp* pemilik akun (password dikirim ke nomor ini), mis. 0812…"


async def on_whatsapp(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    ctx.conversation.data["whatsapp"] = parsed(normalize_phone, text, FormatError)
    ctx.goto("new_role")


async def role_prompt(ctx: HandlerContext) -> str:
    roles = await known_roles(ctx.pool)
    lines = ["Pilih *peran* akun:", *[f"{i}. {r}" for i, r in enumerate(roles, 1)]]
    return "\n".join(lines)


async def _role_from(ctx: HandlerContext, text: str) -> str:
    roles = await known_roles(ctx.pool)
    number = menu_number(text, maximum=len(roles))
    role = roles[number - 1] if number is not None else text.strip().lower()
    if role not in roles:
        raise InvalidInput(f"❌ Peran {text.strip()[:40]!r} tidak dikenal. Balas dengan angka dari daftar.")
    return role


async def on_role(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    role = await _role_from(ctx, text)
    if ctx.conversation.data.get("action") == "role":
        await _apply(ctx, role=role)
        return
    ctx.conversation.data["role"] = role
    ctx.goto("new_clients")


async def clients_prompt(ctx: HandlerContext) -> str:
    return "Ketik *ID client* akun ini, pisahkan dengan koma (mis. POLRES_BLITAR); *-* tanpa client (hanya admin)."


def _client_ids(text: str) -> list[str]:
    raw = optional(text) or ""
    return [c.strip().upper()[:64] for c in raw.replace(";", ",").split(",") if c.strip()]


async def on_clients(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    if ctx.conversation.data.get("action") == "clients":
        await _apply(ctx, client_ids=_client_ids(text))
        return
    ctx.conversation.data["client_ids"] = _client_ids(text)
    ctx.goto("new_confirm")


async def confirm_prompt(ctx: HandlerContext) -> str:
    d = ctx.conversation.data
    return "\n".join(["📝 *Periksa akun baru*", f"Username: {d.get('username')}", f"WhatsApp: {d.get('whatsapp')}",
                      f"Peran: {d.get('role')}", f"Client: {shown(d.get('client_ids'))}", "",
                      "Buat akun dan kirim password ke nomor itu? Balas *ya* atau *tidak*."])


async def on_confirm(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    d = dict(ctx.conversation.data)
    go = yes_or_no(text)
    back_to_main(ctx)
    if not go:
        await ctx.reply("Pembuatan akun dibatalkan.")
        return
    try:
        created = await create_dashboard_account(ctx.pool, ctx.identity.actor, username=d.get("username", ""),
                                                 role=d.get("role", ""), whatsapp=d.get("whatsapp"),
                                                 client_ids=list(d.get("client_ids") or []))
    except AccountError as exc:
        await ctx.reply(f"❌ Akun tidak dibuat: {exc}")
        return
    sent = await deliver_password(ctx, created)
    a = created.account
    note = (f"Password dikirim sekali ke {a.whatsapp}." if sent else
            f"⚠️ Password GAGAL dikirim ke {a.whatsapp}; pilih *Kirim password baru* untuk mengirim ulang.")
    await ctx.reply(f"✅ Akun *{a.username}* dibuat (peran {a.role}, client {shown(a.client_ids)}). {note}")


# --------------------------------------------------------------------------- existing accounts

async def pick_prompt(ctx: HandlerContext) -> str:
    accounts = await list_accounts(ctx.pool)
    lines = ["Pilih akun:", *capped([f"{i}. {a.username} ({a.role}{'' if a.active else ', nonaktif'})"
                                     for i, a in enumerate(accounts, 1)])]
    return "\n".join([*lines, "", "Balas dengan *angka* atau *username*."])


async def on_pick(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    accounts = await list_accounts(ctx.pool)
    number = menu_number(text, maximum=len(accounts))
    chosen = accounts[number - 1] if number is not None else next(
        (a for a in accounts if a.username.lower() == text.strip().lower()), None)
    if chosen is None:
        raise InvalidInput("❌ Akun tidak ada di daftar.")
    ctx.conversation.data["username"] = chosen.username
    step = {"toggle": "toggle_confirm", "role": "new_role", "clients": "new_clients",
            "password": "password_confirm"}[ctx.conversation.data.get("action") or "toggle"]
    ctx.goto(step)


async def _apply(ctx: HandlerContext, **change) -> None:
    username = ctx.conversation.data.get("username", "")
    try:
        account = await change_dashboard_account(ctx.pool, ctx.identity.actor, username, **change)
    except AccountError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    back_to_main(ctx)
    await ctx.reply(f"✅ Disimpan. {account_line(account)}")


async def toggle_prompt(ctx: HandlerContext) -> str:
    account = await find_account(ctx.pool, ctx.conversation.data.get("username", ""))
    now = "aktif" if account.active else "nonaktif"
    return f"Akun *{account.username}* saat ini *{now}*. Ubah menjadi {'nonaktif' if account.active else 'aktif'}? " \
           "Balas *ya* atau *tidak*."


async def on_toggle(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    if not yes_or_no(text):
        back_to_main(ctx)
        await ctx.reply("Tidak ada yang diubah.")
        return
    account = await find_account(ctx.pool, ctx.conversation.data.get("username", ""))
    await _apply(ctx, active=not account.active)


async def password_prompt(ctx: HandlerContext) -> str:
    account = await find_account(ctx.pool, ctx.conversation.data.get("username", ""))
    return (f"Buat password baru untuk *{account.username}* dan kirim ke {shown(account.whatsapp)}? "
            "Password lama tidak berlaku lagi. Balas *ya* atau *tidak*.")


async def on_password(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    username = ctx.conversation.data.get("username", "")
    go = yes_or_no(text)
    back_to_main(ctx)
    if not go:
        await ctx.reply("Tidak ada yang diubah.")
        return
    account = await find_account(ctx.pool, username)
    if not account.whatsapp:
        await ctx.reply(f"❌ Akun {account.username} tidak punya nomor WhatsApp; password tidak dapat dikirim.")
        return
    created = await set_dashboard_password(ctx.pool, ctx.identity.actor, username)
    sent = await deliver_password(ctx, created)
    await ctx.reply(f"✅ Password baru {account.username} dikirim ke {account.whatsapp}." if sent else
                    f"⚠️ Password baru dibuat tetapi GAGAL dikirim ke {account.whatsapp}; coba lagi.")


MENU = Menu(id="akun", title=MENU_TITLE, start="main", steps=[
    MenuStep("main", prompt="🔑 *Menu Akun Dashboard*", choices=main_choices, handle=on_main),
    MenuStep("new_username", prompt=username_prompt, handle=on_username, after_reply="prompt"),
    MenuStep("new_whatsapp", prompt=whatsapp_prompt, handle=on_whatsapp, after_reply="prompt"),
    MenuStep("new_role", prompt=role_prompt, handle=on_role, after_reply="prompt"),
    MenuStep("new_clients", prompt=clients_prompt, handle=on_clients, after_reply="prompt"),
    MenuStep("new_confirm", prompt=confirm_prompt, handle=on_confirm, after_reply="prompt"),
    MenuStep("pick", prompt=pick_prompt, handle=on_pick, after_reply="prompt"),
    MenuStep("toggle_confirm", prompt=toggle_prompt, handle=on_toggle, after_reply="prompt"),
    MenuStep("password_confirm", prompt=password_prompt, handle=on_password, after_reply="prompt"),
])

COMMANDS = [
    Command(id="akun", triggers=("akun",), usage="akun",
            help="akun dashboard: daftar, buat (password dikirim ke pemiliknya), nonaktifkan, ubah peran/client",
            allowed=ADMIN_ONLY, menu=MENU),
]
