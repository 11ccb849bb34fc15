"""Check a produced workbook's printable layout and read a per-post (1/0) workbook back (options 19–22, 28, 29)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from handlers.reports.attendance import DONE
from tests.support.report_readers import table_rows


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
