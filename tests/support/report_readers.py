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
from openpyxl.utils import get_column_letter

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
        if re.match(r"^\*[34]\. ", line):
            part = "units"
            continue
        backlog = re.match(r"^\*5\. Sisa tugas:\* ([\d.]+) tugas", line)
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


# --------------------------------------------------------------------------- Excel layout and per-post marks

def layout_problems(ws, *, client_name: str) -> list[str]:
    """What a sheet misses of `handlers.reports.sheet_layout` (an empty list: titled, frozen, fitted, printable)."""
    problems = []
    first, second = ws["A1"].value or "", ws["A2"].value or ""
    if client_name not in first:
        problems.append(f"{ws.title}: title row 1 {first!r} does not name {client_name!r}")
    if not (second.startswith("Periode: ") and " WIB" in second):
        problems.append(f"{ws.title}: row 2 {second!r} has no period and generation time")
    if ws.freeze_panes != "A4" or not all(c.font.bold for c in ws[3] if c.value is not None):
        problems.append(f"{ws.title}: header row 3 not bold and frozen ({ws.freeze_panes})")
    for col, cells in enumerate(ws.iter_cols(min_row=3, values_only=True), 1):
        width = ws.column_dimensions[get_column_letter(col)].width
        longest = max((len(str(v)) for v in cells[1:] if v is not None), default=0)
        if not 6 <= width <= 60 or width < min(longest, 58):
            problems.append(f"{ws.title}: column {col} width {width} for values up to {longest} characters")
    setup = ws.page_setup
    if (setup.orientation, setup.fitToWidth, setup.fitToHeight) != ("landscape", 1, 0) \
            or not ws.sheet_properties.pageSetUpPr.fitToPage or ws.print_title_rows.replace("$", "") != "3:3":
        problems.append(f"{ws.title}: page setup {setup.orientation} {setup.fitToWidth}x{setup.fitToHeight} "
                        f"titles {ws.print_title_rows}")
    return problems


def workbook_layout_problems(data: bytes, *, client_name: str) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    return [p for ws in wb.worksheets for p in layout_problems(ws, client_name=client_name)]


def read_per_post_workbook(data: bytes) -> dict[tuple[str, str], dict[str, int]]:
    """Options 28/29: {(sheet, 'RANK NAME'): {post id: 1/0}}, the columns mapped to posts by the 'Daftar Konten'
    sheet; checks that each person's marks add up to their 'Konten dikerjakan' and the JUMLAH row to the marks."""
    wb = load_workbook(io.BytesIO(data))
    posts = [row[2] for row in table_rows(wb["Daftar Konten"])[1:]]
    out: dict[tuple[str, str], dict[str, int]] = {}
    for ws in wb.worksheets:
        if ws.title == "Daftar Konten":
            continue
        headers, *rows = table_rows(ws)
        columns = [i for i, h in enumerate(headers) if str(h).startswith("Konten ") and "(" in str(h)]
        assert len(columns) == len(posts), f"{ws.title}: {len(columns)} post columns for {len(posts)} posts"
        total, people = rows[-1], rows[:-1]
        assert total[1] == "JUMLAH"
        for row in people:
            marks = {post: row[c] for post, c in zip(posts, columns)}
            assert set(marks.values()) <= {0, 1}
            assert sum(marks.values()) == row[headers.index(DONE.label)], f"{ws.title} {row[1]}: marks ≠ done"
            out[(ws.title, row[1])] = marks
        for post, c in zip(posts, columns):
            assert total[c] == sum(row[c] for row in people), f"{ws.title}: JUMLAH of {post}"
    return out
