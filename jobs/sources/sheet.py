"""Reading personnel rows from a Google Sheet URL, a .csv file or an .xlsx file.

A Google Sheet is read through its public CSV export (`/export?format=csv&gid=…`)
on the same scheme and host as the URL given, so tests can serve a fake sheet
on loopback. Every failure is a `SheetError` whose message an operator can act on.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

_SHEET_ID = re.compile(r"/spreadsheets/d/([\w-]+)")
_GID = re.compile(r"[?&#]gid=(\d+)")


class SheetError(Exception):
    """The source cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class SheetRows:
    """Header names (as written, trimmed) and each data row as {header: cell text}."""

    source: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (sheet row number, 1-based; header row = 1, {header: cell})


def is_sheet_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def csv_export_url(sheet_url: str) -> str:
    """The CSV export address of a Google Sheet URL (any of its share forms)."""
    m = _SHEET_ID.search(sheet_url)
    if not m:
        raise SheetError(
            f"{sheet_url!r} bukan URL Google Sheet (harus berisi /spreadsheets/d/<id>/)"
        )
    gid_m = _GID.search(sheet_url)
    gid = gid_m.group(1) if gid_m else "0"
    parts = urlsplit(sheet_url)
    return f"{parts.scheme}://{parts.netloc}/spreadsheets/d/{m.group(1)}/export?format=csv&gid={gid}"


async def read_source(source: str, *, http: httpx.AsyncClient | None = None, timeout: float = 30.0) -> SheetRows:
    """Read a Google Sheet URL, a .csv path or an .xlsx path."""
    if is_sheet_url(source):
        text = await fetch_sheet_csv(source, http=http, timeout=timeout)
        return parse_csv(text, source)
    path = Path(source)
    if not path.exists():
        raise SheetError(f"file {source} tidak ditemukan")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SheetError(f"file {source} tidak dapat dibaca: {exc.strerror}") from None
        return parse_csv(_decode(raw, source), source)
    if suffix in (".xlsx", ".xlsm"):
        return parse_xlsx(path)
    raise SheetError(f"format {suffix or '(tanpa ekstensi)'} tidak didukung: gunakan URL Google Sheet, .csv atau .xlsx")


async def fetch_sheet_csv(sheet_url: str, *, http: httpx.AsyncClient | None = None, timeout: float = 30.0) -> str:
    url = csv_export_url(sheet_url)
    own = http is None
    client = http or httpx.AsyncClient(timeout=timeout, follow_redirects=True)
    try:
        resp = await client.get(url)
    except httpx.HTTPError as exc:
        raise SheetError(f"Google Sheet tidak dapat dihubungi ({exc.__class__.__name__}): periksa jaringan") from None
    finally:
        if own:
            await client.aclose()
    if resp.status_code in (401, 403) or "accounts.google.com" in str(resp.url):
        raise SheetError(
            "Google Sheet bersifat privat: buka Share → General access → 'Anyone with the link' (Viewer), lalu ulangi"
        )
    if resp.status_code == 404:
        raise SheetError("Google Sheet tidak ditemukan (404): periksa URL-nya")
    if resp.status_code >= 400:
        raise SheetError(f"Google Sheet menjawab HTTP {resp.status_code}")
    ctype = resp.headers.get("content-type", "")
    if "html" in ctype:
        raise SheetError("Google Sheet mengembalikan halaman HTML, bukan CSV: pastikan sheet dapat dibuka publik")
    return _decode(resp.content, sheet_url)


def _decode(raw: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(f"{source}: encoding teks tidak dikenali (simpan sebagai CSV UTF-8)")


def parse_csv(text: str, source: str) -> SheetRows:
    try:
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        table = [row for row in reader]
    except csv.Error as exc:
        raise SheetError(f"{source}: CSV rusak: {exc}") from None
    return _rows_from_table(table, source)


def parse_xlsx(path: Path) -> SheetRows:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SheetError(f"{path}: bukan file Excel yang valid ({exc.__class__.__name__})") from None
    try:
        ws = wb.worksheets[0]
        table = [["" if v is None else _cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return _rows_from_table(table, str(path))


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_from_table(table: list[list[str]], source: str) -> SheetRows:
    numbered = [(i + 1, row) for i, row in enumerate(table) if any(str(c).strip() for c in row)]
    if not numbered:
        raise SheetError(f"{source}: sheet kosong")
    headers = [str(h).strip() for h in numbered[0][1]]
    rows = []
    for line_no, raw in numbered[1:]:
        cells = [str(c).strip() for c in raw] + [""] * (len(headers) - len(raw))
        rows.append((line_no, {h: cells[i] for i, h in enumerate(headers) if h}))
    return SheetRows(source=source, headers=headers, rows=rows)
