"""Indonesian words for what the jobs did, as admins read them in WhatsApp.

One place for the phase and run-state labels, human times ("pukul 08.05 WIB")
and an Indonesian reading of a client's collection error. The errors stay
English in `job_runs`, the logs and `cicero fetch` (operators grep them);
everything a person reads in WhatsApp goes through `client_error_text`.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from core.clock import JAKARTA, local_day

PHASE_LABEL = {
    "post_fetch": "ambil posting + engagement",
    "engagement_only": "perbarui likes/komentar",
    "late_sweep": "susulan likes/komentar hari sebelumnya",
}
RUN_STATUS_LABEL = {
    "ok": "✅ sukses",
    "partial": "⚠️ sebagian",
    "failed": "❌ gagal",
    "skipped": "⏭️ dilewati",
    "running": "⏳ berjalan",
    "cancelled": "⏹️ dihentikan",
    "abandoned": "⏹️ terhenti",
}
PLATFORM_LABEL = {"instagram": "Instagram", "tiktok": "TikTok"}


def phase_label(phase: str | None) -> str:
    return PHASE_LABEL.get(phase or "", phase or "pengambilan data")


def pukul(when: datetime, tz: ZoneInfo = JAKARTA) -> str:
    """'pukul 08.05 WIB'."""
    return f"pukul {when.astimezone(tz):%H.%M} WIB"


def pukul_relative(when: datetime, now: datetime, tz: ZoneInfo = JAKARTA) -> str:
    """'pukul 08.05 WIB' today, '16/02 pukul 21.30 WIB' on another day."""
    local = when.astimezone(tz)
    if local_day(local, tz) == local_day(now, tz):
        return pukul(local, tz)
    return f"{local:%d/%m} {pukul(local, tz)}"


_HTTP = re.compile(r"\bHTTP (\d{3})\b")
_ATTEMPTS = re.compile(r"gave up after (\d+)")
_PLATFORM = re.compile(r"^(instagram|tiktok)\b[: ]?\s*", re.IGNORECASE)


def _http_text(status: int) -> str:
    if status == 429:
        return "kuota RapidAPI habis atau terlalu banyak permintaan (HTTP 429)"
    if status in (401, 403):
        return f"RapidAPI menolak kunci atau langganan (HTTP {status})"
    if status == 404:
        return "akun tidak ditemukan di RapidAPI (HTTP 404)"
    if status >= 500:
        return f"server RapidAPI sedang bermasalah (HTTP {status})"
    return f"RapidAPI menjawab HTTP {status}"


_PHRASES: tuple[tuple[str, str], ...] = (
    ("no rapidapi key", "kunci RapidAPI belum diatur"),
    ("timed out", "RapidAPI tidak menjawab tepat waktu"),
    ("network error", "RapidAPI tidak dapat dihubungi (jaringan)"),
    ("malformed json", "jawaban RapidAPI tidak sesuai format"),
    ("answer has no", "jawaban RapidAPI tidak sesuai format"),
    ("answer is not", "jawaban RapidAPI tidak sesuai format"),
    ("unknown client", "client tidak dikenal"),
    ("run deadline passed", "tidak sempat dijalankan (batas waktu siklus)"),
    ("no worker started", "tidak ada worker yang menjalankannya sebelum batas waktu"),
    ("still running", "worker belum selesai setelah batas waktu"),
    ("not queued", "tidak bisa diantrikan ke worker"),
    ("no result came back", "dimulai tetapi hasilnya tidak kembali"),
    ("after_client", "notifikasi tugas gagal"),
    ("unexpected", "kesalahan tak terduga"),
)


def _part_text(part: str) -> str:
    lowered = part.lower()
    attempts = _ATTEMPTS.search(part)
    suffix = f", menyerah setelah {attempts.group(1)} percobaan" if attempts else ""
    status = _HTTP.search(part)
    if status:
        return _http_text(int(status.group(1))) + suffix
    for phrase, text in _PHRASES:
        if phrase in lowered:
            return text + suffix
    return "gagal (rincian di log layanan)"


KIND_LABEL = {
    "task_scheduled": "daftar tugas",
    "task_change": "pesan perubahan tugas",
    "report": "laporan",
    "admin_log": "pesan admin",
}
_SEND_PHRASES: tuple[tuple[str, str], ...] = (
    ("not connected", "WhatsApp tidak terhubung"),
    ("invalid recipient", "nomor atau grup tujuan tidak valid"),
    ("unsupported recipient", "nomor atau grup tujuan tidak valid"),
    ("send failed", "WhatsApp menolak pengiriman"),
    ("timeout", "WhatsApp tidak menjawab tepat waktu"),
    ("timed out", "WhatsApp tidak menjawab tepat waktu"),
)


def kind_label(kind: str) -> str:
    return KIND_LABEL.get(kind, "pesan")


def send_error_text(error: str) -> str:
    """An outbox send error (English, from the transport) in Indonesian; Indonesian text passes as is."""
    lowered = (error or "").lower()
    return next((text for phrase, text in _SEND_PHRASES if phrase in lowered), error or "tanpa keterangan")


def client_error_text(error: str | None) -> str:
    """A client's collection error ("; "-joined English parts) in short Indonesian, per platform.

    'instagram posts of polres_a: rate limited (HTTP 429); gave up after 4 attempt(s)'
    → 'Instagram: kuota RapidAPI habis atau terlalu banyak permintaan (HTTP 429), menyerah setelah 4 percobaan'
    """
    out: list[str] = []
    for part in (p.strip() for p in (error or "").split("; ")):
        if not part:
            continue
        attempts = _ATTEMPTS.match(part)
        if attempts and out:  # "…; gave up after N attempt(s)" belongs to the part before
            out[-1] += f", menyerah setelah {attempts.group(1)} percobaan"
            continue
        match = _PLATFORM.match(part)
        platform = PLATFORM_LABEL[match.group(1).lower()] if match else None
        text = _part_text(part)
        line = f"{platform}: {text}" if platform else text
        if line not in out:
            out.append(line)
    return "; ".join(out) or "gagal tanpa keterangan"
