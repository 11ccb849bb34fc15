"""What a person reads when WhatsApp cannot be reached: the cause in a few words and the next step.

Plain text helpers for `bot/whatsapp/neonize_adapter.py` (which alone imports neonize).
"""

from __future__ import annotations

_UNREACHABLE = (
    (("database", "sql", "pq:", "postgres"), "the session store in PostgreSQL failed",
     "penyimpanan sesi di PostgreSQL gagal"),
    (("no such host", "lookup "), "DNS lookup of web.whatsapp.com failed",
     "alamat web.whatsapp.com tidak ditemukan (DNS)"),
    (("connection refused",), "connection refused", "koneksi ditolak"),
    (("network is unreachable", "no route to host"), "no network route", "jaringan tidak terjangkau"),
    (("timeout", "timed out", "deadline exceeded"), "timed out", "waktu habis"),
)


def unreachable_reason(error: str) -> tuple[str, str]:
    """A Go dial error in a few words: (English, Indonesian)."""
    lowered = error.lower()
    for needles, english, indonesian in _UNREACHABLE:
        if any(n in lowered for n in needles):
            return english, indonesian
    return "connection failed", "koneksi gagal"


def next_step_text(paired: bool | None, pair_phone: str | None) -> str:
    """The next step after "WhatsApp not reachable", for a paired session or a pairing still pending."""
    if paired:
        return ("Next step: check the network or firewall (web.whatsapp.com:443); Cicero reconnects by itself "
                "and sends what is queued.")
    pair = (f"a pair code for {pair_phone} appears here (WhatsApp → Linked devices → Link with phone "
            "number instead)" if pair_phone else
            "a QR code appears here: scan it with WhatsApp → Linked devices → Link a device (or restart with "
            "`cicero run --pair-phone 62…` for a pair code)")
    return (f"Next step: check the network; once WhatsApp is reachable {pair}. To try Cicero without WhatsApp, "
            'set [whatsapp] transport = "console" or run `cicero demo`.')
