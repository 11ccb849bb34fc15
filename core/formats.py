"""How identifiers are stored: phone numbers, usernames, WhatsApp group ids, NRP.

Every value that is compared across sources (sheet import, RapidAPI payloads,
WhatsApp senders, HTTP requests) goes through one of these functions first, so
that the database only ever holds one spelling of each value.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D+")
_GROUP_ID = re.compile(r"^(\d{5,30}(?:-\d{5,20})?)(?:@g\.us)?$")
_USERNAME = re.compile(r"^[a-z0-9._]{1,64}$")

MIN_PHONE_DIGITS = 9
MAX_PHONE_DIGITS = 15


class FormatError(ValueError):
    """A value that cannot be normalised; the message is shown to people as is."""


def normalize_phone(raw: str | int | None) -> str:
    """Return a WhatsApp number as `62…` digits.

    Accepts `+62 812-3456-7890`, `0812…`, `812…`, `62812…@s.whatsapp.net`.
    Raises FormatError for anything that is not a plausible Indonesian or
    international number.
    """
    if raw is None:
        raise FormatError("nomor kosong")
    text = str(raw).strip()
    if not text:
        raise FormatError("nomor kosong")
    text = text.split("@", 1)[0].split(":", 1)[0]
    if re.search(r"[A-Za-z]", text):
        raise FormatError(f"nomor tidak valid: {raw!r} (mengandung huruf)")
    digits = _DIGITS.sub("", text)
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not (MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS):
        raise FormatError(f"nomor tidak valid: {raw!r} (harus {MIN_PHONE_DIGITS}-{MAX_PHONE_DIGITS} digit)")
    return digits


def normalize_optional_phone(raw: str | int | None) -> str | None:
    """Like normalize_phone, but a blank value is None instead of an error."""
    if raw is None or not str(raw).strip():
        return None
    return normalize_phone(raw)


def normalize_username(raw: str | None) -> str | None:
    """Return a social-media username lower-case, trimmed, without one leading `@`.

    Returns None for blank input. Raises FormatError for values with spaces or
    characters no Instagram/TikTok username can hold.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    if text.startswith("@"):
        text = text[1:]
    text = text.strip().lower()
    if not text:
        return None
    if text.startswith(("http://", "https://", "www.")):
        text = _username_from_url(text)
    if not _USERNAME.match(text):
        raise FormatError(f"username tidak valid: {raw!r}")
    return text


def match_username(raw: str | None) -> str | None:
    """Normalise a username seen in an API payload; never raises (bad → None)."""
    try:
        return normalize_username(raw)
    except FormatError:
        return None


def _username_from_url(url: str) -> str:
    path = re.sub(r"^(https?://)?(www\.)?[^/]+/", "", url)
    first = path.split("?", 1)[0].strip("/").split("/", 1)[0]
    return first.lstrip("@")


def normalize_group_id(raw: str | None) -> str:
    """Return a WhatsApp group id as `<digits>@g.us` (legacy `<digits>-<digits>` kept).

    Invite links and anything else are rejected with a clear message.
    """
    if raw is None or not str(raw).strip():
        raise FormatError("id grup kosong")
    text = str(raw).strip()
    if "chat.whatsapp.com" in text or text.startswith("http"):
        raise FormatError(
            f"{text!r} adalah tautan undangan, bukan id grup; kirim 'thisgroup' di grup itu "
            "atau isi id berbentuk 1203630xxxxxxxxx@g.us"
        )
    m = _GROUP_ID.match(text)
    if not m:
        raise FormatError(f"id grup tidak valid: {text!r} (contoh: 120363012345678901@g.us)")
    return f"{m.group(1)}@g.us"


def normalize_nrp(raw: str | int | float | None) -> str:
    """Return an NRP/NIP as digits (spreadsheets sometimes hand us floats)."""
    if raw is None:
        raise FormatError("NRP kosong")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    digits = _DIGITS.sub("", text)
    if not digits or len(digits) != len(text.replace(" ", "")):
        raise FormatError(f"NRP tidak valid: {raw!r} (harus angka)")
    if len(digits) > 20:
        raise FormatError(f"NRP tidak valid: {raw!r} (terlalu panjang)")
    return digits


FORMULA_PREFIXES = ("=", "+", "-", "@")


def clean_text(raw: str | None, *, field: str, max_chars: int = 200) -> str | None:
    """A free-text field (name, division, position…) as stored: whitespace folded, None when blank.

    Refused with FormatError: more than `max_chars` characters, control
    characters, or a leading `=`, `+`, `-`, `@` (a spreadsheet would read the
    value as a formula: the Excel reports and the imported sheets are
    spreadsheets). `field` names the field in the message (Indonesian).
    """
    if raw is None:
        return None
    text = " ".join(str(raw).split())
    if not text:
        return None
    if len(text) > max_chars:
        raise FormatError(f"{field} terlalu panjang ({len(text)} karakter, maksimal {max_chars})")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise FormatError(f"{field} berisi karakter kontrol")
    if text.startswith(FORMULA_PREFIXES):
        raise FormatError(f"{field} tidak boleh diawali {text[0]!r}: {text[:40]!r}")
    return text


def normalize_client_id(raw: str | None) -> str:
    """Client ids are upper-case identifiers such as DITBINMAS or POLRES_BLITAR."""
    text = (raw or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9_\-]{2,64}", text):
        raise FormatError(f"id client tidak valid: {raw!r} (huruf, angka, _ atau -)")
    return text
