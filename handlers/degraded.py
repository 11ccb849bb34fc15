"""What the bot says while PostgreSQL is unreachable: answers from memory instead of silence.

Without the database the router cannot tell operators, dashboard users or
personnel from strangers, load a menu, or read any report. What it still
knows: the admin numbers in settings, the WhatsApp connection state and when
the outage began. So admins still get `help` and `status` (marked degraded);
everyone else gets one short notice (the router limits how often); nothing
else runs until the database is back.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.chat_port import ConnectionState
from core.settings import Settings
from handlers.identity import phone_or_none

TEXT_DEGRADED = ("⚠️ Layanan Cicero sedang terganggu (database tidak terjangkau). "
                 "Perintah belum dapat diproses; silakan coba lagi beberapa menit lagi.")
HELP_TRIGGERS = frozenset({"help", "bantuan"})
STATUS_TRIGGERS = frozenset({"status"})


def admin_from_settings(settings: Settings, phone: str | None) -> bool:
    """Whether `phone` is an admin number: the one role known without the database."""
    number = phone_or_none(phone)
    return number is not None and number in settings.whatsapp.admins


def _hm(when: datetime, tz: ZoneInfo) -> str:
    return f"pukul {when.astimezone(tz).strftime('%H.%M')} WIB"


def degraded_help() -> str:
    return "\n".join([
        "🤖 *Perintah Cicero* — ⚠️ layanan sedang terganggu",
        "",
        "Database tidak terjangkau, jadi saat ini hanya ini yang bisa dipakai:",
        "• *help* — daftar perintah",
        "• *status* — keadaan layanan",
        "",
        "Perintah lain (menu, rekap, fetch) kembali setelah database pulih.",
    ])


def degraded_status(*, now: datetime, tz: ZoneInfo, since: datetime | None, state: ConnectionState | None,
                    error: str) -> str:
    if state is None:
        whatsapp = "WhatsApp: (tidak diketahui)"
    elif state.connected:
        whatsapp = "WhatsApp: ✅ terhubung"
    else:
        whatsapp = f"WhatsApp: ❌ tidak terhubung{f' ({state.detail})' if state.detail else ''}"
    lines = [
        f"📊 *Status Cicero* — {now.astimezone(tz).strftime('%d/%m/%Y %H.%M')} WIB",
        "⚠️ *Layanan sedang terganggu*",
        "",
        whatsapp,
        f"Database: ❌ tidak terjangkau ({error})" + (f" sejak {_hm(since, tz)}" if since else ""),
        "",
        "Pengambilan data, rekap dan pesan otomatis menunggu database pulih; pesan yang sudah "
        "tersimpan di outbox tidak hilang.",
    ]
    return "\n".join(lines)


def degraded_reply(settings: Settings, text: str, *, phone: str | None, now: datetime, since: datetime | None,
                   state: ConnectionState | None, error: str) -> tuple[str, bool]:
    """The reply to `text` during an outage and whether it is an admin answer (always sent)."""
    first = (text.strip().split(None, 1) or [""])[0].lower()
    if admin_from_settings(settings, phone):
        if first in HELP_TRIGGERS:
            return degraded_help(), True
        if first in STATUS_TRIGGERS:
            return degraded_status(now=now, tz=settings.tz, since=since, state=state, error=error), True
        return TEXT_DEGRADED + " Ketik *status* untuk keadaan layanan.", True
    return TEXT_DEGRADED, False
