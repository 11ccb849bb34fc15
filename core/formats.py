"""How identifiers are stored: phone numbers, usernames, WhatsApp group ids, NRP.

Every value that is compared across sources (sheet import, RapidAPI payloads,
WhatsApp senders, HTTP requests) goes through one of these functions first, so
that the database only ever holds one spelling of each value. Digits are
digits whatever script they were typed in (`ascii_digits`): an identifier is
stored and looked up with ASCII digits only, and an NRP that lost its leading
zeros in a spreadsheet gets them back (`normalize_nrp(…, length=…)`).
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"[^0-9]+")
_GROUP_ID = re.compile(r"^([0-9]{5,30}(?:-[0-9]{5,20})?)(?:@g\.us)?$")
_USERNAME = re.compile(r"^[a-z0-9._]{1,64}$")

MIN_PHONE_DIGITS = 9
MAX_PHONE_DIGITS = 15
MAX_IDENTIFIER_CHARS = 200       # longer input is refused before any parsing
DEFAULT_NRP_LENGTH = 8           # `[personnel] nrp_length`: shorter NRPs get their leading zeros back
MAX_NRP_DIGITS = 20


class FormatError(ValueError):
    """A value that cannot be normalised; the message is shown to people as is."""


def ascii_digits(text: str) -> str:
    """`text` with every Unicode decimal digit (fullwidth `７`, Arabic-Indic `٧`, …) as its ASCII digit.

    Identifiers are compared as strings, so `７５０１１２３５` and `75011235` must be
    one value before anything is stored or looked up. Other characters are kept
    (superscripts such as `³` are not decimal digits and stay as they are).
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def normalize_phone(raw: str | int | None) -> str:
    """Return a WhatsApp number as `62…` digits.

    Accepts `+62 812-3456-7890`, `0812…`, `812…`, `62812…@s.whatsapp.net`.
    Raises FormatError for anything that is not a plausible Indonesian or
    international number.
    """
    if raw is None:
        raise FormatError("nomor kosong")
    text = ascii_digits(str(raw)).strip()
    if not text:
        raise FormatError("nomor kosong")
    if len(text) > MAX_IDENTIFIER_CHARS:
        raise FormatError(f"nomor tidak valid: {text[:20]!r}… (terlalu panjang)")
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
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if len(text) > MAX_IDENTIFIER_CHARS:
        raise FormatError(f"username tidak valid: {text[:20]!r}… (terlalu panjang)")
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
    text = ascii_digits(str(raw)).strip()
    if len(text) > MAX_IDENTIFIER_CHARS:
        raise FormatError(f"id grup tidak valid: {text[:20]!r}… (terlalu panjang)")
    if "chat.whatsapp.com" in text or text.startswith("http"):
        raise FormatError(
            f"{text!r} adalah tautan undangan, bukan id grup; kirim 'thisgroup' di grup itu "
            "atau isi id berbentuk 1203630xxxxxxxxx@g.us"
        )
    m = _GROUP_ID.match(text)
    if not m:
        raise FormatError(f"id grup tidak valid: {text!r} (contoh: 120363012345678901@g.us)")
    return f"{m.group(1)}@g.us"


def normalize_nrp(raw: str | int | float | None, *, length: int = DEFAULT_NRP_LENGTH) -> str:
    """Return an NRP/NIP as ASCII digits, left-padded with zeros to `length` (`[personnel] nrp_length`).

    Spreadsheets hand us floats (`87020123.0`) and drop leading zeros
    (`1234567` for `01234567`); fullwidth and Arabic-Indic digits are read as
    ASCII. Longer identifiers (an 18-digit NIP) are kept as they are;
    `length=0` turns padding off.
    """
    if raw is None:
        raise FormatError("NRP kosong")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = ascii_digits(str(raw)).strip()
    if len(text) > MAX_IDENTIFIER_CHARS:
        raise FormatError(f"NRP tidak valid: {text[:20]!r}… (terlalu panjang)")
    compact = text.replace(" ", "")
    if not compact or not (compact.isascii() and compact.isdecimal()):
        raise FormatError(f"NRP tidak valid: {text!r} (harus angka)")
    if len(compact) > MAX_NRP_DIGITS:
        raise FormatError(f"NRP tidak valid: {text!r} (terlalu panjang)")
    return compact.zfill(length) if length else compact


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


# The longest value each personnel text field may hold, on every input path (API, import, CLI, WhatsApp).
PERSONNEL_TEXT_LIMITS = {"name": ("nama", 200), "rank": ("pangkat", 60), "division": ("divisi", 120),
                         "position": ("jabatan", 120)}


def clean_personnel_text(field_name: str, raw: str | None) -> str | None:
    """A personnel text field (`name`, `rank`, `division`, `position`) as stored: `clean_text`, upper-case."""
    label, limit = PERSONNEL_TEXT_LIMITS[field_name]
    text = clean_text(raw, field=label, max_chars=limit)
    return text.upper() if text else None


def normalize_client_id(raw: str | None) -> str:
    """Client ids are upper-case identifiers such as DITBINMAS or POLRES_BLITAR."""
    text = ascii_digits(str(raw or "")).strip().upper()
    if not re.fullmatch(r"[A-Z0-9_\-]{2,64}", text):
        raise FormatError(f"id client tidak valid: {str(raw)[:70]!r} (huruf, angka, _ atau -)")
    return text
