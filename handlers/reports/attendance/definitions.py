"""Attendance definitions: every figure a report may show, its formula, its Indonesian label, and the one order.

Every WhatsApp option, Excel file and API field takes its numbers and labels
from here; a report that needs a different figure defines it here under a
different label. The rules, once:

- **Personel** (people counted): the active personnel of the report's scope.
- **Tugas** (tasks): the client's posts of the period (Asia/Jakarta days) that
  are not removed. Every person of the scope has every post as a task.
- **Done**: the person's username on the platform (trimmed, one leading @
  removed, lower-case) is among the post's likers (Instagram) / commenters
  (TikTok). An `exception` person counts as done on every task of a platform
  **where they have a username**; without one they are "tanpa username" like
  everyone else.
- **Categories**, one per person and platform, first match wins:
  `tanpa_username` (no username on the platform) → `tanpa_tugas` (the period
  has no posts) → `lengkap` (done ÷ tasks ≥ `complete_percent`) → `kurang`
  (above `partial_percent`) → `belum`.
- **People without a username are outside every task figure**: they are their
  own group, never "belum", and not in "tugas personel" or "capaian".
- **Capaian tugas** = tugas terlaksana ÷ tugas personel (tasks done by, and
  tasks of, the people with a username). The only "capaian" a report shows;
  satker, divisions and combined IG + TikTok scores all use it (a combined
  score adds both platforms' tasks: `tally_ig + tally_tt`).
- **Personel lengkap** = lengkap ÷ personel with a username (a share of people,
  under its own label).

The one order (`person_order`, `unit_order`, `rank_order`):
- satker and divisions by performance: capaian (higher first; none last), then
  tasks done, then size (larger first), then name; the directorate itself
  always first; the no-division group last;
- persons by position keyword (DIR, WADIR, KASUBDIT, KABAG, KASUBBAG, KASAT,
  KANIT), then rank (every spelling of a rank is the same rank: `KOMISARIS
  BESAR POLISI` = `KOMBES` = `KBP`), then name, then NRP.

Public API: `Platform`, `Category`, `AttendanceRules`, `Tally`, `Figure` and the
figure constants (`PERSONNEL` … `LENGKAP_SHARE`; per person `DONE`, `MISSING`), `share`, `person_done`,
`rank_order`, `position_order`, `person_order`, `performance_key`, `unit_order`,
`division_name`, `division_label`, `NO_DIVISION`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterable, Sequence, TypeVar

# --------------------------------------------------------------------------- platforms and categories


class Platform(str, Enum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"

    @property
    def label(self) -> str:
        return "Instagram" if self is Platform.INSTAGRAM else "TikTok"

    @property
    def action(self) -> str:
        """What a task asks: 'likes' / 'komentar'."""
        return "likes" if self is Platform.INSTAGRAM else "komentar"


class Category(str, Enum):
    LENGKAP = "lengkap"
    KURANG = "kurang"
    BELUM = "belum"
    TANPA_USERNAME = "tanpa_username"
    TANPA_TUGAS = "tanpa_tugas"

    @property
    def label(self) -> str:
        """Short Indonesian label of one person's category (Excel status column)."""
        return _CATEGORY_LABEL[self]

    @property
    def api_status(self) -> str:
        """The dashboard contract's per-row `status`."""
        return _API_STATUS[self]


_CATEGORY_LABEL = {
    Category.LENGKAP: "Lengkap", Category.KURANG: "Kurang", Category.BELUM: "Belum",
    Category.TANPA_USERNAME: "Belum isi username", Category.TANPA_TUGAS: "Tidak ada tugas",
}
_LENGKAP, _KURANG, _BELUM, _TANPA_USERNAME = Category.LENGKAP, Category.KURANG, Category.BELUM, Category.TANPA_USERNAME
_API_STATUS = {
    Category.LENGKAP: "sudah", Category.KURANG: "kurang", Category.BELUM: "belum",
    Category.TANPA_USERNAME: "no_username", Category.TANPA_TUGAS: "no_posts",
}


@dataclass(frozen=True)
class AttendanceRules:
    """Thresholds from `[attendance]`: lengkap at ≥ complete_percent of the tasks, kurang above partial_percent."""

    complete_percent: float = 100.0
    partial_percent: float = 0.0

    @classmethod
    def from_settings(cls, attendance_settings) -> "AttendanceRules":
        return cls(attendance_settings.complete_percent, attendance_settings.partial_percent)

    def category(self, tasks: int, done: int, *, has_username: bool) -> Category:
        """One person's category on one platform (`done` already counts an exception person's tasks)."""
        if not has_username:
            return Category.TANPA_USERNAME
        if tasks <= 0:
            return Category.TANPA_TUGAS
        percent = done * 100.0 / tasks
        if percent >= self.complete_percent - 1e-9:
            return Category.LENGKAP
        if done > 0 and percent > self.partial_percent + 1e-9:
            return Category.KURANG
        return Category.BELUM


def person_done(tasks: int, engaged: int, *, has_username: bool, exception: bool) -> int:
    """Tasks a person has done: their engagements, or every task for an exception person with a username."""
    if not has_username:
        return 0
    return tasks if exception else min(engaged, tasks)


def share(part: int, whole: int) -> float | None:
    """part ÷ whole in percent; None when there is nothing to divide by (shown as '-')."""
    return part * 100.0 / whole if whole else None


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figure:
    """A number a report may show: a stable key, its Indonesian label, its unit and its formula."""

    key: str
    label: str
    unit: str        # "pers" | "konten" | "tugas" | "%"
    formula: str

    def label_for(self, platform: Platform | None = None) -> str:
        """The label, naming the platform where the figure is about its username ('… username Instagram')."""
        return f"{self.label} {platform.label}" if platform is not None and "username" in self.label else self.label


PERSONNEL = Figure("personnel", "Jumlah personel", "pers", "active personnel of the scope")
TASKS = Figure("tasks", "Jumlah konten", "konten", "the client's posts of the period, not removed")
SUDAH = Figure("sudah", "Sudah melaksanakan", "pers", "lengkap + kurang")
LENGKAP = Figure("lengkap", "Melaksanakan lengkap", "pers", "people with done ÷ tasks ≥ complete_percent")
KURANG = Figure("kurang", "Melaksanakan kurang lengkap", "pers",
                "people with done > 0 and done ÷ tasks > partial_percent, below lengkap")
BELUM = Figure("belum", "Belum melaksanakan", "pers", "people with a username and tasks, neither lengkap nor kurang")
TANPA_USERNAME = Figure("tanpa_username", "Belum mengisi username", "pers",
                        "people without the platform's username (exception or not)")
USERNAME_FILLED = Figure("username_filled", "Sudah mengisi username", "pers", "personnel − tanpa_username")
TANPA_TUGAS = Figure("tanpa_tugas", "Tidak ada tugas", "pers", "people with a username when the period has no posts")
TASKS_ASSIGNED = Figure("tasks_assigned", "Tugas personel", "tugas", "tasks × people with a username")
TASKS_DONE = Figure("tasks_done", "Tugas terlaksana", "tugas", "tasks done by people with a username")
BACKLOG = Figure("backlog", "Sisa tugas", "tugas", "tugas personel − tugas terlaksana")
CAPAIAN = Figure("capaian", "Capaian tugas", "%", "tugas terlaksana ÷ tugas personel")
LENGKAP_SHARE = Figure("lengkap_share", "Personel lengkap", "%", "lengkap ÷ people with a username (with tasks)")
# one person's figures
DONE = Figure("done", "Konten dikerjakan", "konten", "a person's tasks done (all of them for an exception person)")
MISSING = Figure("missing", "Konten belum dikerjakan", "konten", "a person's tasks − tasks done")

FIGURES: tuple[Figure, ...] = (PERSONNEL, TASKS, SUDAH, LENGKAP, KURANG, BELUM, TANPA_USERNAME, USERNAME_FILLED,
                               TANPA_TUGAS, TASKS_ASSIGNED, TASKS_DONE, BACKLOG, CAPAIAN, LENGKAP_SHARE, DONE, MISSING)
CATEGORY_FIGURE = {Category.LENGKAP: LENGKAP, Category.KURANG: KURANG, Category.BELUM: BELUM,
                   Category.TANPA_USERNAME: TANPA_USERNAME, Category.TANPA_TUGAS: TANPA_TUGAS}


@dataclass(frozen=True)
class Tally:
    """The figures of a group of people on one platform (or, added up, on both: `ig + tt`)."""

    personnel: int = 0
    lengkap: int = 0
    kurang: int = 0
    belum: int = 0
    tanpa_username: int = 0
    tanpa_tugas: int = 0
    tasks_done: int = 0
    tasks_assigned: int = 0

    @classmethod
    def of(cls, people: Iterable) -> "Tally":
        """From anything with `category`, `tasks` and `done` (a person's attendance).

        Categories are compared by identity, not hashed: this runs over every person of a report."""
        lengkap = kurang = belum = tanpa_username = tanpa_tugas = done = assigned = 0
        for p in people:
            c = p.category
            if c is _TANPA_USERNAME:
                tanpa_username += 1
                continue
            done += p.done
            assigned += p.tasks
            if c is _LENGKAP:
                lengkap += 1
            elif c is _KURANG:
                kurang += 1
            elif c is _BELUM:
                belum += 1
            else:
                tanpa_tugas += 1
        return cls(lengkap + kurang + belum + tanpa_username + tanpa_tugas, lengkap, kurang, belum, tanpa_username,
                   tanpa_tugas, done, assigned)

    @classmethod
    def of_counts(cls, *, lengkap: int, kurang: int, belum: int, tanpa_username: int, tanpa_tugas: int,
                  tasks_done: int, tasks: int) -> "Tally":
        """The same figures from a group's category counts, when each of its people has `tasks` tasks (one
        report's people): what `of` gives for them, without a second pass over the people."""
        personnel = lengkap + kurang + belum + tanpa_username + tanpa_tugas
        return cls(personnel, lengkap, kurang, belum, tanpa_username, tanpa_tugas, tasks_done,
                   tasks * (personnel - tanpa_username))

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.personnel + other.personnel, self.lengkap + other.lengkap, self.kurang + other.kurang,
                     self.belum + other.belum, self.tanpa_username + other.tanpa_username,
                     self.tanpa_tugas + other.tanpa_tugas, self.tasks_done + other.tasks_done,
                     self.tasks_assigned + other.tasks_assigned)

    @classmethod
    def total(cls, tallies: Iterable["Tally"]) -> "Tally":
        """The sum of groups' tallies (a satker of its divisions, a report of its satker)."""
        out = cls()
        for tally in tallies:
            out = out + tally
        return out

    @property
    def sudah(self) -> int:
        return self.lengkap + self.kurang

    @property
    def username_filled(self) -> int:
        return self.personnel - self.tanpa_username

    @property
    def backlog(self) -> int:
        return self.tasks_assigned - self.tasks_done

    @property
    def capaian(self) -> float | None:
        return share(self.tasks_done, self.tasks_assigned)

    @property
    def lengkap_share(self) -> float | None:
        return share(self.lengkap, self.username_filled) if self.tasks_assigned else None

    def value(self, figure: Figure):
        """The value of `figure` for this group (the consistency test reads reports back with this)."""
        return getattr(self, figure.key)


# --------------------------------------------------------------------------- the one order

NO_DIVISION = "-"

POSITION_KEYWORDS = ("DIR", "WADIR", "KASUBDIT", "KABAG", "KASUBBAG", "KASAT", "KANIT")
_POSITION_PATTERNS = [re.compile(rf"\b{k}") for k in POSITION_KEYWORDS]

# Highest first; every spelling of a rank on its line. Abbreviations are matched with and
# without a trailing "POL"/"POLISI"; golongan codes (III/A, III A, IIIA) by the civil-service table.
RANKS: tuple[tuple[str, ...], ...] = (
    ("JENDERAL", "JENDERAL POLISI", "JENDRAL"),
    ("KOMJEN", "KOMISARIS JENDERAL POLISI", "KOMISARIS JENDERAL"),
    ("IRJEN", "INSPEKTUR JENDERAL POLISI", "INSPEKTUR JENDERAL"),
    ("BRIGJEN", "BRIGADIR JENDERAL POLISI", "BRIGADIR JENDERAL"),
    ("KBP", "KOMBES", "KOMISARIS BESAR POLISI", "KOMISARIS BESAR"),
    ("AKBP", "AJUN KOMISARIS BESAR POLISI", "AJUN KOMISARIS BESAR"),
    ("KOMPOL", "KOMISARIS POLISI", "KOMISARIS"),
    ("AKP", "AJUN KOMISARIS POLISI", "AJUN KOMISARIS"),
    ("IPTU", "INSPEKTUR POLISI SATU", "INSPEKTUR SATU"),
    ("IPDA", "INSPEKTUR POLISI DUA", "INSPEKTUR DUA"),
    ("AIPTU", "AJUN INSPEKTUR POLISI SATU", "AJUN INSPEKTUR SATU"),
    ("AIPDA", "AJUN INSPEKTUR POLISI DUA", "AJUN INSPEKTUR DUA"),
    ("BRIPKA", "BRIGADIR POLISI KEPALA", "BRIGADIR KEPALA"),
    ("BRIGPOL", "BRIGADIR POLISI", "BRIGADIR"),
    ("BRIPTU", "BRIGADIR POLISI SATU", "BRIGADIR SATU"),
    ("BRIPDA", "BRIGADIR POLISI DUA", "BRIGADIR DUA"),
    ("ABRIP", "AJUN BRIGADIR POLISI", "AJUN BRIGADIR"),
    ("ABRIPTU", "AJUN BRIGADIR POLISI SATU", "AJUN BRIGADIR SATU"),
    ("ABRIPDA", "AJUN BRIGADIR POLISI DUA", "AJUN BRIGADIR DUA"),
    ("BHARAKA", "BHAYANGKARA KEPALA"),
    ("BHARATU", "BHAYANGKARA SATU"),
    ("BHARADA", "BHAYANGKARA DUA"),
    ("PEMBINA UTAMA", "IV/E"),
    ("PEMBINA UTAMA MADYA", "IV/D"),
    ("PEMBINA UTAMA MUDA", "IV/C"),
    ("PEMBINA TINGKAT I", "IV/B"),
    ("PEMBINA", "IV/A"),
    ("PENATA TINGKAT I", "III/D"),
    ("PENATA", "III/C"),
    ("PENATA MUDA TINGKAT I", "III/B"),
    ("PENATA MUDA", "III/A"),
    ("PENGATUR TINGKAT I", "II/D"),
    ("PENGATUR", "II/C"),
    ("PENGATUR MUDA TINGKAT I", "II/B"),
    ("PENGATUR MUDA", "II/A"),
    ("JURU TINGKAT I", "I/D"),
    ("JURU", "I/C"),
    ("JURU MUDA TINGKAT I", "I/B"),
    ("JURU MUDA", "I/A"),
    ("PNS", "ASN"),
    ("PPPK",),
    ("PHL", "TENAGA HARIAN LEPAS"),
)
_RANK_INDEX = {alias: i for i, aliases in enumerate(RANKS) for alias in aliases}
_RANK_PREFIXES = sorted(_RANK_INDEX, key=len, reverse=True)
_GOLONGAN = re.compile(r"^(IV|III|II|I)\s*[/-]?\s*([A-E])$")
_TINGKAT = re.compile(r"\b(?:TK|TINGKAT)\s*(?:I|1)\b")
_POL_SUFFIX = re.compile(r"\s*POL(?:ISI)?$")


def _rank_text(rank: str | None) -> str:
    text = " ".join((rank or "").upper().replace(".", " ").replace(",", " ").split())
    text = _TINGKAT.sub("TINGKAT I", text)
    golongan = _GOLONGAN.match(text)
    return f"{golongan[1]}/{golongan[2]}" if golongan else text


def rank_order(rank: str | None) -> int:
    """Seniority of a rank, 0 = highest; every spelling of a rank gives the same number; unknown ranks last."""
    text = _rank_text(rank)
    for candidate in (text, _POL_SUFFIX.sub("", text)):
        if candidate in _RANK_INDEX:
            return _RANK_INDEX[candidate]
    for alias in _RANK_PREFIXES:  # "AKBP (P)", "KOMPOL SH": the longest alias the text starts with
        if text.startswith(alias + " "):
            return _RANK_INDEX[alias]
    return len(RANKS)


def position_order(position: str | None) -> int:
    """Index of the first position keyword found (DIR … KANIT); positions without one last."""
    text = re.sub(r"[^A-Z0-9 ]", " ", (position or "").upper())
    for i, pattern in enumerate(_POSITION_PATTERNS):
        if pattern.search(text):
            return i
    return len(POSITION_KEYWORDS)


def person_order(position: str | None, rank: str | None, name: str, nrp: str = "",
                 cache: dict | None = None) -> tuple:
    """Sort key of a person: position keyword, rank, name, NRP. Pass one dict as `cache` when
    sorting many people (positions and ranks repeat; each distinct pair is parsed once)."""
    if cache is None:
        return position_order(position), rank_order(rank), name.upper(), nrp
    head = cache.get((position, rank))
    if head is None:
        head = cache[(position, rank)] = (position_order(position), rank_order(rank))
    return head[0], head[1], name.upper(), nrp


def performance_key(score: float | None, done: int, size: int, name: str) -> tuple:
    """Units by performance: score (higher first, none last), then done, then size (larger first), then name."""
    return (score is None, -(score or 0.0), -done, -size, name.upper())


U = TypeVar("U")


def unit_order(units: Sequence[U], key: Callable[[U], tuple], *, first: Callable[[U], bool] = lambda u: False,
               last: Callable[[U], bool] = lambda u: False) -> list[U]:
    """`units` by `key` (a `performance_key`), with the `first` ones (the directorate itself) before
    and the `last` ones (the no-division group) after."""
    return sorted(units, key=lambda u: (0 if first(u) else 2 if last(u) else 1, key(u)))


def division_name(raw: str | None) -> str:
    text = " ".join((raw or "").split())
    return text.upper() if text else NO_DIVISION


def division_label(name: str) -> str:
    """How a division is shown: the no-division group reads 'TANPA SATFUNG'."""
    return "TANPA SATFUNG" if name == NO_DIVISION else name
