"""The one layout of every Excel sheet Cicero writes: readable on screen, printable, safe to open.

    header_row = write_table(ws, headers, rows, title=SheetTitle(client.name, period.label(), now, "Rekap likes"),
                             status_column=7)

- rows 1–2: the heading with the client, then the period and the generation
  time (WIB); the table's header on row 3 (row 1 without a title), bold and
  coloured, and frozen with everything above it;
- column widths fitted to the longest value (6–60 characters; a long header
  wraps instead of widening its column);
- status cells coloured by the attendance category whose label they hold
  (lengkap / kurang / belum / belum isi username — the labels of
  `attendance.definitions.Category`);
- page setup: A4 landscape, fit to one page wide (any number of pages tall),
  the header row repeated on every printed page;
- a text that starts with `=`, `+`, `-` or `@` is stored as text with a quote
  prefix, never as a formula: a division named `=HYPERLINK(...)` stays a name.
  Characters a workbook cannot hold (control characters) are dropped and a
  text is cut at Excel's 32 767 characters, so no value makes the file fail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from handlers.reports.attendance import Category
from handlers.reports.formatting import id_date, id_time

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
SUBTITLE_FONT = Font(italic=True, color="444444")
MIN_WIDTH, MAX_WIDTH = 6, 60
MAX_CELL_CHARS = 32_767
FORMULA_STARTS = ("=", "+", "-", "@")
TITLE_ROWS = 2

# The fill of each category's status cell, keyed by the category's own label.
CATEGORY_FILLS: dict[str, PatternFill] = {
    Category.LENGKAP.label: PatternFill("solid", fgColor="C6EFCE"),         # green
    Category.KURANG.label: PatternFill("solid", fgColor="FFEB9C"),          # yellow
    Category.BELUM.label: PatternFill("solid", fgColor="FFC7CE"),           # red
    Category.TANPA_USERNAME.label: PatternFill("solid", fgColor="D9D9D9"),  # grey
}


@dataclass(frozen=True)
class SheetTitle:
    """What the two title rows of a sheet say."""

    client_name: str
    period_label: str
    generated_at: datetime
    heading: str = ""

    def lines(self) -> tuple[str, str]:
        first = f"{self.heading} — {self.client_name}" if self.heading else self.client_name
        when = self.generated_at
        return first, f"Periode: {self.period_label} · Dibuat: {id_date(when.date())} pukul {id_time(when)}"

    def with_heading(self, heading: str) -> "SheetTitle":
        return SheetTitle(self.client_name, self.period_label, self.generated_at, heading)


def safe_value(value):
    """A value as a workbook may hold it: texts without control characters and at most 32 767 characters."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return value[:MAX_CELL_CHARS]
    return value


def _set(cell, value) -> None:
    cell.value = safe_value(value)
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"        # text, not a formula
        cell.quotePrefix = True     # and Excel shows it as typed text when edited


def _text_len(value) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.1f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _header_len(header: str) -> int:
    """A header wraps: as wide as its longest word, or a third of it if longer (at most three lines)."""
    text = str(header or "")
    longest_word = max((len(w) for w in text.split()), default=0)
    return max(longest_word, math.ceil(len(text) / 3))


def fitted_widths(headers: Sequence[str], rows: Iterable[Sequence]) -> list[float]:
    widest = [_header_len(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row[: len(widest)]):
            n = _text_len(value)
            if n > widest[i]:
                widest[i] = n
    return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widest]


def _columns(status_column: int | Sequence[int] | None) -> tuple[int, ...]:
    if status_column is None:
        return ()
    return (status_column,) if isinstance(status_column, int) else tuple(status_column)


def _page_setup(ws, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0           # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def write_table(ws, headers: Sequence[str], rows: Sequence[Sequence], *, title: SheetTitle | None = None,
                status_column: int | Sequence[int] | None = None) -> int:
    """Write a titled, frozen, fitted, printable table on an empty sheet; returns the header's row number.

    `status_column`: the 0-based column(s) whose cells hold a category label and are coloured by it."""
    header_row = 1
    if title is not None:
        for row_no, (text, font) in enumerate(zip(title.lines(), (TITLE_FONT, SUBTITLE_FONT)), 1):
            cell = ws.cell(row=row_no, column=1)
            _set(cell, text)
            cell.font = font
        header_row = TITLE_ROWS + 1
    widths = fitted_widths(headers, rows)
    for col, text in enumerate(headers, 1):
        cell = ws.cell(row=header_row, column=col)
        _set(cell, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_lines = max((math.ceil(len(str(h or "")) / max(w - 2, 1)) for h, w in zip(headers, widths)), default=1)
    ws.row_dimensions[header_row].height = 15 * max(1, min(header_lines, 4)) + 3
    status = _columns(status_column)
    for r, values in enumerate(rows, header_row + 1):
        for c, value in enumerate(values, 1):
            cell = ws.cell(row=r, column=c)
            _set(cell, value)
            if c - 1 in status:
                fill = CATEGORY_FILLS.get(cell.value)
                if fill is not None:
                    cell.fill = fill
    ws.freeze_panes = f"A{header_row + 1}"
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _page_setup(ws, header_row)
    return header_row
