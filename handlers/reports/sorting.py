"""Order of divisions, people and satker in every report (reference dirrequest.md §3).

- Divisions: names starting BAG, SAT, SI, SPKT, POLSEK first (in that order), then
  alphabetical; the "no division" bucket last.
- People: position keyword (DIR, WADIR, KASUBDIT, KABAG, KASUBBAG, KASAT, KANIT),
  then rank (PANGKAT order, highest first), then name.
- Satker: the directorate itself first, then by name.
"""

from __future__ import annotations

import re

NO_DIVISION = "-"

DIVISION_PREFIXES = ("BAG", "SAT", "SI", "SPKT", "POLSEK")

POSITION_KEYWORDS = ("DIR", "WADIR", "KASUBDIT", "KABAG", "KASUBBAG", "KASAT", "KANIT")
_POSITION_PATTERNS = [re.compile(rf"\b{k}") for k in POSITION_KEYWORDS]

# Highest first. Aliases share a slot.
RANK_ORDER: list[tuple[str, ...]] = [
    ("JENDERAL", "JENDERAL POLISI"), ("KOMJEN",), ("IRJEN",), ("BRIGJEN",),
    ("KBP", "KOMBES", "KOMBESPOL"), ("AKBP",), ("KOMPOL",), ("AKP",), ("IPTU",), ("IPDA",),
    ("AIPTU",), ("AIPDA",), ("BRIPKA",), ("BRIGPOL", "BRIGADIR"), ("BRIPTU",), ("BRIPDA",),
    ("ABRIP",), ("ABRIPTU",), ("ABRIPDA",), ("BHARAKA",), ("BHARATU",), ("BHARADA",),
    ("PEMBINA UTAMA", "IV/E", "IV/D", "IV/C"), ("PEMBINA", "IV/B", "IV/A"),
    ("PENATA", "III/D", "III/C", "III/B", "III/A"), ("PENGATUR", "II/D", "II/C", "II/B", "II/A"),
    ("JURU", "I/D", "I/C", "I/B", "I/A"), ("PNS",), ("PPPK",), ("PHL",),
]
_RANK_INDEX = {alias: i for i, aliases in enumerate(RANK_ORDER) for alias in aliases}


def division_name(raw: str | None) -> str:
    text = (raw or "").strip()
    return text.upper() if text else NO_DIVISION


def division_label(name: str) -> str:
    """How a division is shown in texts: the "-" bucket reads as 'TANPA SATFUNG'."""
    return "TANPA SATFUNG" if name == NO_DIVISION else name


def division_sort_key(name: str) -> tuple:
    upper = name.upper()
    if upper == NO_DIVISION:
        return (len(DIVISION_PREFIXES) + 1, upper)
    for i, prefix in enumerate(DIVISION_PREFIXES):
        if upper.startswith(prefix):
            return (i, upper)
    return (len(DIVISION_PREFIXES), upper)


def position_index(position: str | None) -> int:
    text = re.sub(r"[^A-Z0-9 ]", " ", (position or "").upper())
    for i, pattern in enumerate(_POSITION_PATTERNS):
        if pattern.search(text):
            return i
    return len(POSITION_KEYWORDS)


def rank_index(rank: str | None) -> int:
    text = " ".join((rank or "").upper().replace(".", " ").split())
    if text in _RANK_INDEX:
        return _RANK_INDEX[text]
    for alias, i in sorted(_RANK_INDEX.items(), key=lambda kv: -len(kv[0])):
        if text.startswith(alias):
            return i
    return len(RANK_ORDER)


def person_sort_key(position: str | None, rank: str | None, name: str, nrp: str = "",
                    cache: dict | None = None) -> tuple:
    """(position keyword, rank, name, nrp). Pass a dict as `cache` when sorting many people:
    positions and ranks repeat, and the regex work is then done once per distinct value."""
    if cache is None:
        head = (position_index(position), rank_index(rank))
    else:
        head = cache.get((position, rank))
        if head is None:
            head = cache[(position, rank)] = (position_index(position), rank_index(rank))
    return (*head, name.upper(), nrp)


def satker_sort_key(is_directorate: bool, name: str) -> tuple:
    return (0 if is_directorate else 1, name.upper())
