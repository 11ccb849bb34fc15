"""What a person (or an operator for them) may type for a personnel field, and the checks behind it.

`parse_username(platform, text)` accepts a typed name, `@name`, or a profile
link (`instagram.com/<name>`, `tiktok.com/@<name>`) and checks the platform's
username rules; `check_username` adds what needs the database: not already held
by another active person (the refusal names the satker that holds it, so the
operator can resolve it), and near misses of the client's recent engagers for
"did you mean". The same functions serve personnel (`userrequest`) and
operators (`oprrequest`); texts are Indonesian and shown as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.formats import DEFAULT_NRP_LENGTH, FormatError, clean_text, normalize_nrp, normalize_phone
from db.personnel_contacts import phone_holders, similar_recent_engagers, username_holders
from db.pool import Executor
from handlers.reports.attendance import RANKS, Platform, rank_order

MAX_INPUT_CHARS = 200

YES_WORDS = frozenset({"ya", "y", "iya", "yes", "benar", "betul", "ok", "oke"})
NO_WORDS = frozenset({"tidak", "t", "tdk", "no", "bukan", "salah"})

# Instagram: letters, digits, `.` and `_`, at most 30, no dot at either end, no `..`.
_INSTAGRAM = re.compile(r"^(?!\.)(?!.*\.\.)[a-z0-9._]{1,30}(?<!\.)$")
# TikTok: letters, digits, `.` and `_`, 2 to 24, not ending with a dot.
_TIKTOK = re.compile(r"^[a-z0-9._]{2,24}(?<!\.)$")
_RULES = {
    Platform.INSTAGRAM: (_INSTAGRAM, "huruf, angka, titik atau garis bawah; maksimal 30 karakter; "
                                     "tidak diawali/diakhiri titik"),
    Platform.TIKTOK: (_TIKTOK, "huruf, angka, titik atau garis bawah; 2–24 karakter; tidak diakhiri titik"),
}
_HOSTS = {Platform.INSTAGRAM: ("instagram.com", "instagr.am"), Platform.TIKTOK: ("tiktok.com",)}
_INSTAGRAM_NOT_PROFILES = frozenset({"p", "reel", "reels", "tv", "stories", "explore", "accounts", "direct"})
_URL = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)*?([a-z0-9-]+\.[a-z]{2,})(/[^\s]*)?$")

EXAMPLES = {
    Platform.INSTAGRAM: "budi.santoso, @budi.santoso atau instagram.com/budi.santoso",
    Platform.TIKTOK: "budi.santoso, @budi.santoso atau tiktok.com/@budi.santoso",
}


def _bounded(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_INPUT_CHARS:
        raise FormatError(f"Teks terlalu panjang (maksimal {MAX_INPUT_CHARS} karakter).")
    return text


def yes_or_no(text: str) -> bool | None:
    """True for `ya`, False for `tidak` (and their usual spellings), None for anything else."""
    word = text.strip().lower()
    return True if word in YES_WORDS else False if word in NO_WORDS else None


# --------------------------------------------------------------------------- usernames

def _username_from_link(platform: Platform, host: str, path: str) -> str:
    other = next(p for p in Platform if p is not platform)
    if any(host == h for h in _HOSTS[other]):
        raise FormatError(f"Itu tautan {other.label}, bukan {platform.label}.")
    if not any(host == h for h in _HOSTS[platform]):
        raise FormatError(f"Tautan itu bukan tautan profil {platform.label}.")
    parts = [p for p in path.split("?", 1)[0].split("#", 1)[0].split("/") if p]
    if platform is Platform.INSTAGRAM:
        if len(parts) != 1 or parts[0].lower() in _INSTAGRAM_NOT_PROFILES:
            raise FormatError("Itu tautan konten, bukan profil. Kirim tautan profil: instagram.com/<username>.")
        return parts[0]
    if len(parts) != 1 or not parts[0].startswith("@"):
        raise FormatError("Itu bukan tautan profil TikTok. Kirim tautan profil: tiktok.com/@<username>.")
    return parts[0][1:]


def parse_username(platform: Platform, raw: str) -> str:
    """The username a person typed for `platform`, normalised (lower-case, no @); FormatError says why not."""
    text = _bounded(raw).lower()
    if not text:
        raise FormatError(f"Username {platform.label} kosong.")
    link = _URL.match(text) if "/" in text or text.startswith(("http", "www.")) else None
    if link:
        text = _username_from_link(platform, link.group(1), link.group(2) or "")
    elif "/" in text or " " in text:
        raise FormatError(f"Username {platform.label} tidak boleh berisi spasi atau '/'.")
    text = text[1:] if text.startswith("@") else text
    pattern, rule = _RULES[platform]
    if not pattern.match(text):
        raise FormatError(f"Username {platform.label} {text[:40]!r} tidak valid ({rule}).")
    return text


@dataclass(frozen=True)
class UsernameCheck:
    username: str
    held_by: str | None = None                  # the satker name of the active person holding it
    suggestions: tuple[str, ...] = ()           # near misses of recent engagers ("did you mean")

    @property
    def ok(self) -> bool:
        return self.held_by is None


async def check_username(db: Executor, platform: Platform, username: str, *, nrp: str, client_id: str,
                         now: datetime, near_miss_days: int) -> UsernameCheck:
    """Whether `username` is free for person `nrp`, and the near misses worth offering instead."""
    holders = await username_holders(db, platform.value, username, except_nrp=nrp)
    if holders:
        return UsernameCheck(username, held_by=holders[0].client_name)
    seen = await similar_recent_engagers(db, platform.value, username, client_id=client_id,
                                         since=now - timedelta(days=near_miss_days))
    if username in seen:
        return UsernameCheck(username)
    return UsernameCheck(username, suggestions=tuple(seen))


def username_taken_text(platform: Platform, username: str, satker: str) -> str:
    return (f"❌ Username {platform.label} @{username} sudah dipakai personel lain di *{satker}*. "
            "Periksa lagi ejaannya, atau minta operator satker itu memperbaikinya.")


# --------------------------------------------------------------------------- other fields

def parse_phone(raw: str) -> str:
    """A WhatsApp number; digits of any script (`٠٨١٢…`, `０８１２…`) are read as ASCII (`core.formats`)."""
    text = _bounded(raw)
    try:
        return normalize_phone(text)
    except FormatError:
        raise FormatError("Nomor WhatsApp tidak valid. Contoh: 081234567890 atau 6281234567890.") from None


async def phone_taken_by(db: Executor, phone: str, *, nrp: str | None) -> str | None:
    """The satker of the active person (other than `nrp`) holding `phone`, or None."""
    holders = await phone_holders(db, phone, except_nrp=nrp)
    return holders[0].client_name if holders else None


def parse_nrp(raw: str, *, length: int = DEFAULT_NRP_LENGTH) -> str:
    """An NRP as stored: ASCII digits (from any script), padded to `length` (`[personnel] nrp_length`)."""
    text = _bounded(raw)
    try:
        return normalize_nrp(text, length=length)
    except FormatError:
        raise FormatError("NRP harus berupa angka (maksimal 20 digit), contoh: 87020123.") from None


def parse_name(raw: str) -> str:
    value = clean_text(_bounded(raw), field="Nama", max_chars=100)
    if value is None:
        raise FormatError("Nama kosong.")
    if not re.search(r"[^\W\d_]", value):
        raise FormatError("Nama harus berisi huruf.")
    return value.upper()


RANK_EXAMPLES = "BRIPDA, BRIPTU, BRIGPOL, BRIPKA, AIPDA, AIPTU, IPDA, IPTU, AKP, KOMPOL, AKBP, KOMBES, PENATA, PPPK"


def parse_rank(raw: str) -> str:
    value = clean_text(_bounded(raw), field="Pangkat", max_chars=60)
    if value is None:
        raise FormatError("Pangkat kosong.")
    value = value.upper()
    if rank_order(value) >= len(RANKS):
        raise FormatError(f"Pangkat {value[:40]!r} tidak dikenal. Contoh: {RANK_EXAMPLES}.")
    return value


def parse_unit_text(raw: str, *, field: str, optional: bool = False) -> str | None:
    """A division or position: upper-case free text; `-` means none when `optional`."""
    text = _bounded(raw)
    if optional and text in ("-", "–"):
        return None
    value = clean_text(text, field=field, max_chars=100)
    if value is None:
        if optional:
            return None
        raise FormatError(f"{field} kosong.")
    return value.upper()
