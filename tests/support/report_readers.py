"""Read the figures back out of every report's output: WhatsApp text, Excel workbooks, API JSON.

Each reader returns `Figures`: {(unit, platform, key): value}, where
- unit is a satker or division name, `TOTAL` for the whole report, or
  ("person", "RANK NAME") for one person;
- platform is "instagram", "tiktok" or "both" (the two added up);
- key is a `Figure.key` of the attendance definitions, or "category" (a `Category`).
Labels are looked up in the definitions, so a report that labels a figure
differently, or shows another number under a definition's label, is caught.
"""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from handlers.reports.attendance import DONE, FIGURES, TASKS, Category, Platform

Figures = dict[tuple, object]
TOTAL = "TOTAL"
BOTH = "both"
PLATFORM_BY_LABEL = {p.label: p.value for p in Platform}
_FIGURE_LINE = re.compile(r"^[^A-Za-z*]*\*?(?P<label>[A-Za-z][^:*]*?):\*? (?P<value>.+)$")
_UNIT_HEADER = re.compile(r"^\*(\d+)\. (?P<name>[^*]+)\*")
_SECTION = re.compile(r"^[^A-Za-z*]*\*?(?P<label>[A-Za-z][^(*]*?) \((?P<count>[\d.]+) pers\):\*?$")
_PERSON = re.compile(r"^- (?P<name>.+?)(?: — (?P<done>\d+)/(?P<tasks>\d+))?$")
_UNIT_LINE = re.compile(r"^\d+\. (?P<name>.+?): (?P<value>-|[\d.,]+%?)(?: \((?P<a>[\d.]+)/(?P<b>[\d.]+) tugas\))?")


def figure_labels(platform: str | None) -> dict[str, str]:
    """Label → figure key for a report about `platform` (labels naming a platform for that platform only)."""
    p = Platform(platform) if platform in ("instagram", "tiktok") else None
    return {f.label_for(p): f.key for f in FIGURES}


def number(text: str):
    text = text.strip().split(" ")[0]
    if text == "-":
        return None
    if text.endswith("%"):
        return float(text[:-1].replace(".", "").replace(",", "."))
    return int(text.replace(".", ""))


def _category_of_label(label: str, platform: str) -> Category | None:
    key = figure_labels(platform).get(label.strip())
    return Category(key) if key in {c.value for c in Category} else None


def _put(out: Figures, unit, platform: str, key: str, value) -> None:
    if (unit, platform, key) in out and out[(unit, platform, key)] != value:
        raise AssertionError(f"one report shows two values for {(unit, platform, key)}: "
                             f"{out[(unit, platform, key)]!r} and {value!r}")
    out[(unit, platform, key)] = value


def _figure_line(out: Figures, line: str, unit, platform: str, labels: dict[str, str]) -> None:
    m = _FIGURE_LINE.match(line)
    if not m or m["label"] not in labels:
        return
    key = labels[m["label"]]
    _put(out, unit, platform, key, number(m["value"]))
    bracket = re.search(r"\(([\d.]+)/([\d.]+) tugas\)", m["value"])
    if key == "capaian" and bracket:
        _put(out, unit, platform, "tasks_done", number(bracket[1]))
        _put(out, unit, platform, "tasks_assigned", number(bracket[2]))


def read_attendance_text(text: str, platform: str, *, total_unit, blocks_are: str = "satker") -> Figures:
    """Options 5–10: totals (as `total_unit`), numbered unit blocks, name lists by category."""
    out: Figures = {}
    labels = figure_labels(platform)
    unit, category = total_unit, None
    for line in text.splitlines():
        header = _UNIT_HEADER.match(line)
        if header:
            unit = header["name"] if blocks_are == "satker" else ("division", header["name"])
            category = None
            continue
        section = _SECTION.match(line)
        if section:
            category = _category_of_label(section["label"], platform)
            if category is not None:
                _put(out, unit, platform, category.value, number(section["count"]))
            continue
        person = _PERSON.match(line) if category else None
        if person and not _FIGURE_LINE.match(line):
            who = ("person", person["name"])
            _put(out, who, platform, "category", category)
            if person["done"]:
                _put(out, who, platform, "done", int(person["done"]))
                _put(out, who, platform, "tasks", int(person["tasks"]))
            continue
        if not line.strip():
            category = None
        _figure_line(out, line, unit, platform, labels)
    return out


def read_completeness_text(text: str) -> Figures:
    """Option 1: the *Total* block and one block per satker; personnel counts for both platforms."""
    out: Figures = {}
    unit = None
    for line in text.splitlines():
        header = _UNIT_HEADER.match(line)
        if line.strip() == "*Total*" or header:
            unit = TOTAL if not header else header["name"]
            continue
        if unit is None:
            continue
        for p in Platform:
            labels = {k: v for k, v in figure_labels(p.value).items() if "username" in k and p.label in k}
            _figure_line(out, line, unit, p.value, labels)
        m = _FIGURE_LINE.match(line)
        if m and m["label"] == "Jumlah personel":
            for p in Platform:
                _put(out, unit, p.value, "personnel", number(m["value"]))
    return out


def read_missing_text(text: str, unit) -> Figures:
    """Option 3: tanpa username per platform, and each listed person's missing platforms."""
    out: Figures = {}
    for line in text.splitlines():
        for p in Platform:
            labels = {k: v for k, v in figure_labels(p.value).items() if p.label in k}
            _figure_line(out, line, unit, p.value, labels)
        m = re.match(r"^- (?P<name>.+?): (?P<gaps>.+)$", line)
        if m:
            for p in Platform:
                if f"{p.label} kosong" in m["gaps"]:
                    _put(out, ("person", m["name"]), p.value, "category", Category.TANPA_USERNAME)
    return out


def read_combined_text(text: str) -> Figures:
    """Option 21: per-platform totals, the combined capaian, top/bottom units, backlog."""
    out: Figures = {}
    platform, part = None, None
    for line in text.splitlines():
        m = re.match(r"^\*\d\. (Instagram|TikTok)\* ", line)
        if m:
            platform, part = PLATFORM_BY_LABEL[m[1]], "platform"
            continue
        if line.startswith("*Gabungan Instagram dan TikTok*"):
            platform, part = BOTH, "platform"
            continue
        if re.match(r"^\*\d+\. (🔥|❄️) ", line):
            part = "units"
            continue
        backlog = re.match(r"^\*\d+\. Sisa tugas:\* ([\d.]+) tugas", line)
        if backlog:
            _put(out, TOTAL, BOTH, "backlog", number(backlog[1]))
            part = "backlog"
            continue
        if part == "platform":
            _figure_line(out, line, TOTAL, platform, figure_labels(platform))
        elif part in ("units", "backlog"):
            _unit_line(out, line, backlog=part == "backlog")
    return out


def _unit_line(out: Figures, line: str, *, backlog: bool = False) -> None:
    m = _UNIT_LINE.match(line)
    if not m:
        return
    name = m["name"]
    if backlog:
        _put(out, name, BOTH, "backlog", number(m["value"]))
        return
    _put(out, name, BOTH, "capaian", number(m["value"]))
    if m["a"]:
        _put(out, name, BOTH, "tasks_done", number(m["a"]))
        _put(out, name, BOTH, "tasks_assigned", number(m["b"]))


def read_kasatker_text(text: str) -> Figures:
    """Option 30: one line per satker with its capaian on both platforms."""
    out: Figures = {}
    for line in text.splitlines():
        _unit_line(out, re.sub(r" \((?!\d)[^)]*\)$", "", line))
    return out


# --------------------------------------------------------------------------- Excel

def header_row(ws) -> int:
    """The table's header row: the one just above the frozen panes (row 3 below the two title rows)."""
    frozen = ws.freeze_panes
    return int(frozen[1:]) - 1 if frozen else 1


def table_rows(ws) -> list[list]:
    """A sheet's table from its header row on (the title rows above it left out)."""
    return [list(r) for r in ws.iter_rows(min_row=header_row(ws), values_only=True)]


def _sheet_rows(data: bytes, title: str) -> list[list]:
    return table_rows(load_workbook(io.BytesIO(data))[title])


def _header_key(header: str, platform: str) -> tuple[str, str] | None:
    """('instagram', 'sudah') for 'Instagram – Sudah melaksanakan'; the report's platform otherwise."""
    text = header.removesuffix(" (%)")
    if " – " in text:
        prefix, text = text.split(" – ", 1)
        platform = PLATFORM_BY_LABEL[prefix]
    key = figure_labels(platform).get(text)
    return (platform, key) if key else None


def _table(out: Figures, rows: list[list], platform: str, unit_column: int, *, personnel_both: bool = False) -> None:
    headers = rows[0]
    for row in rows[1:]:
        unit = row[unit_column]
        for header, value in zip(headers, row):
            key = _header_key(str(header), platform) if header else None
            if key is None:
                continue
            if key[1] == "personnel" and personnel_both:
                for p in Platform:
                    _put(out, unit, p.value, "personnel", value)
            else:
                _put(out, unit, *key, None if value == "" else value)


def read_attendance_workbook(data: bytes, platform: str) -> Figures:
    """Options 19/20: the summary sheet (satker rows + TOTAL) and every person's status and tasks done."""
    out: Figures = {}
    wb = load_workbook(io.BytesIO(data))
    _table(out, _sheet_rows(data, "Ringkasan"), platform, 1)
    status = {c.label: c for c in Category}
    for ws in wb.worksheets[1:]:
        rows = table_rows(ws)
        if not rows or rows[0][1] != "Pangkat Nama":
            continue
        headers = rows[0]
        for row in rows[1:]:
            cells = dict(zip(headers, row))
            who = ("person", cells["Pangkat Nama"])
            _put(out, who, platform, "category", status[cells["Status"]])
            _put(out, who, platform, "done", cells[DONE.label])
            if TASKS.label in cells:
                _put(out, who, platform, "tasks", cells[TASKS.label])
            videos = [v for h, v in cells.items() if str(h).startswith("Video ")]
            if videos:
                assert sum(videos) == cells[DONE.label], f"{who}: the 1/0 marks do not add up to the tasks done"
    return out


def read_ranking_workbook(data: bytes) -> Figures:
    """Option 22: per satker (and TOTAL) both platforms side by side and the combined capaian."""
    out: Figures = {}
    rows = _sheet_rows(data, "Ranking")
    _table(out, rows, BOTH, 1, personnel_both=True)
    for label, value in _sheet_rows(data, "Keterangan")[1:]:
        m = re.match(r"^Jumlah konten (Instagram|TikTok)$", str(label))
        if m:
            _put(out, TOTAL, PLATFORM_BY_LABEL[m[1]], "tasks", value)
    return out


# --------------------------------------------------------------------------- JSON

_REKAP_COUNTERS = {"usersCount": "personnel", "sudahUsersCount": "lengkap", "kurangUsersCount": "kurang",
                   "belumUsersCount": "belum", "noUsernameUsersCount": "tanpa_username", "totalPosts": "tasks"}
_DISTRIBUTION = {"sudah": "lengkap", "kurang": "kurang", "belum": "belum", "noUsername": "tanpa_username",
                 "noPosts": "tanpa_tugas"}


def read_rekap_json(body: dict, unit) -> Figures:
    """/api/insta/rekap-likes, /api/tiktok/rekap-komentar: root counters, summary, and every row."""
    out: Figures = {}
    platform = body["platform"]
    for field, key in _REKAP_COUNTERS.items():
        _put(out, unit, platform, key, body[field])
    summary = body["summary"]
    _put(out, unit, platform, "personnel", summary["totalUsers"])
    _put(out, unit, platform, "tasks_done", summary["totalLikes" if platform == "instagram" else "totalComments"])
    for field, key in _DISTRIBUTION.items():
        _put(out, unit, platform, key, summary["distribution"][field])
    for key, value in summary["figures"].items():
        _put(out, unit, platform, key, value)
    if platform == "tiktok":
        _put(out, unit, platform, "sudah", body["usersWithCommentsCount"])
        _put(out, unit, platform, "belum", body["usersWithoutCommentsCount"])
    status = {c.api_status: c for c in Category}
    count_key = "jumlah_like" if platform == "instagram" else "jumlah_komentar"
    for row in body["data"]:
        who = ("person", f"{row['title']} {row['nama']}" if row.get("title") else row["nama"])
        _put(out, who, platform, "category", status[row["status"]])
        _put(out, who, platform, "done", row[count_key])
        _put(out, who, platform, "tasks", row["total_posts"])
    return out


def read_stats_json(body: dict, unit) -> Figures:
    data = body["data"]
    out: Figures = {}
    for p in Platform:
        _put(out, unit, p.value, "personnel", data["users"])
    _put(out, unit, "instagram", "tasks", data["igPosts"])
    _put(out, unit, "tiktok", "tasks", data["ttPosts"])
    return out


def disagreements(reports: dict[str, Figures]) -> tuple[list[str], dict[tuple, list[str]]]:
    """Every figure two reports share, with the reports that show it; and the ones whose values differ."""
    seen: dict[tuple, list[tuple[str, object]]] = {}
    for name, figures in reports.items():
        for key, value in figures.items():
            seen.setdefault(key, []).append((name, value))
    shared = {key: [n for n, _ in shows] for key, shows in seen.items() if len(shows) > 1}
    bad = [f"{key}: " + ", ".join(f"{n}={v!r}" for n, v in seen[key])
           for key in shared if len({v for _, v in seen[key]}) > 1]
    return bad, shared


# --------------------------------------------------------------------------- options 2, 17/18, 34/35

_SIGNED = re.compile(r"([+−])([\d.,]+) poin")


def _signed(text: str) -> float:
    sign, value = _SIGNED.search(text).groups()
    return (-1 if sign == "−" else 1) * number(value + "%")


def _unit_on(out: Figures, line: str, platform: str) -> str | None:
    """A '1. POLRES A: 100,0% (4/4 tugas)' line on `platform`; returns the unit's name."""
    m = _UNIT_LINE.match(line)
    if not m:
        return None
    _put(out, m["name"], platform, "capaian", number(m["value"]))
    if m["a"]:
        _put(out, m["name"], platform, "tasks_done", number(m["a"]))
        _put(out, m["name"], platform, "tasks_assigned", number(m["b"]))
    return m["name"]


def read_executive_text(text: str) -> Figures:
    """Option 2: per-platform and combined totals with their change, best/worst, each satker's rank, capaian, change."""
    out: Figures = {}
    platform, part = None, None
    for line in text.splitlines():
        m = re.match(r"^\*\d+\. (Instagram|TikTok)\* ", line)
        if m:
            platform, part = PLATFORM_BY_LABEL[m[1]], "platform"
            continue
        if line.startswith("*Gabungan Instagram dan TikTok*"):
            platform, part = BOTH, "platform"
            continue
        if re.match(r"^\*\d+\. Satker tertinggi dan terendah\*", line):
            part = "extremes"
            continue
        if re.match(r"^\*\d+\. Capaian per satker\*", line):
            part = "units"
            continue
        if part == "platform":
            _figure_line(out, line, TOTAL, platform, figure_labels(platform))
            if line.startswith("Perubahan ") and _SIGNED.search(line):
                _put(out, TOTAL, platform, "change", _signed(line))
        elif part == "extremes":
            m = re.match(r"^(?:🔥 Tertinggi|❄️ Terendah) — (.*)$", line)
            if m:
                name = _unit_on(out, m[1], BOTH)
                _put(out, TOTAL, BOTH, "best" if "Tertinggi" in line else "worst", name)
        elif part == "units" and line.strip():
            staff = line.startswith("Staf direktorat — ")
            name = _unit_on(out, "0. " + line.removeprefix("Staf direktorat — ") if staff else line, BOTH)
            if name is None:
                continue
            _put(out, name, BOTH, "rank", None if staff else int(line.split(".")[0]))
            after = line.split(" tugas)", 1)[-1]
            if _SIGNED.search(after):
                _put(out, name, BOTH, "change", _signed(after))
    return out


def read_kasat_binmas_text(text: str, platform: str) -> Figures:
    """Options 34/35: totals, one section per status (each person's satker, tasks done), satker without one."""
    out: Figures = {}
    labels = figure_labels(platform)
    section = None
    for line in text.splitlines():
        header = re.match(r"^\*\d+\. \S+ (?P<label>[^*]+)\* \((?P<count>[\d.]+) (?:pers|satker)\)$", line)
        if header:
            section = header["label"]
            category = _category_of_label(section, platform)
            if category is not None:
                _put(out, TOTAL, platform, category.value, number(header["count"]))
            continue
        person = re.match(r"^\d+\. (?P<name>.+?)(?: \((?P<satker>[^)]+)\)(?: — (?P<done>\d+)/(?P<tasks>\d+) konten)?)?$",
                          line)
        if section and person:
            category = _category_of_label(section, platform)
            if category is None:
                _put(out, ("satker without", person["name"]), platform, "listed", True)
                continue
            who = ("person", person["name"])
            _put(out, who, platform, "category", category)
            _put(out, who, platform, "satker", person["satker"])
            if person["done"]:
                _put(out, who, platform, "done", int(person["done"]))
                _put(out, who, platform, "tasks", int(person["tasks"]))
            continue
        if section is None:
            _figure_line(out, line, TOTAL, platform, labels)
    return out


def read_daily_report_text(text: str, platform: str) -> Figures:
    """Options 17/18: the totals block, and each listed unit's capaian on the platform."""
    out: Figures = {}
    labels = figure_labels(platform)
    part = None
    for line in text.splitlines():
        m = re.match(r"^\*\d+\. (?P<title>[^*]+)\*", line)
        if m:
            part = "totals" if m["title"] == "Rekapitulasi personel" else \
                "units" if re.match(r"^(🔥|❄️) ", m["title"]) else m["title"]
            continue
        if part == "totals":
            _figure_line(out, line, TOTAL, platform, labels)
        elif part == "units":
            _unit_on(out, line, platform)
    return out


_TXT_PERSON = re.compile(r"^- (?P<name>.+?) \((?:@(?P<username>[^)]+)|username kosong)\)"
                         r"(?: — (?P<done>\d+)/(?P<tasks>\d+) konten)? — (?P<status>.+)$")


def read_daily_report_txt(data: bytes, platform: str) -> Figures:
    """The TXT attachments of options 17/18: every listed person's status and tasks done, per satker block."""
    out: Figures = {}
    status = {c.label: c for c in Category}
    for line in data.decode("utf-8").splitlines():
        m = _TXT_PERSON.match(line)
        if not m:
            continue
        who = ("person", m["name"])
        _put(out, who, platform, "category", status[m["status"]])
        if m["done"] is not None:
            _put(out, who, platform, "done", int(m["done"]))
            _put(out, who, platform, "tasks", int(m["tasks"]))
    return out
