"""Reading personnel rows from a Google Sheet URL, a .csv file or an .xlsx file.

A Google Sheet is read through its public CSV export (`/export?format=csv&gid=…`)
on the same scheme and host as the URL given, so tests can serve a fake sheet
on loopback. Every failure is a `SheetError` whose message an operator can act on.

CSV is read strictly: a quote that is never closed (which would swallow the
rows after it into one cell) is an error naming the row where it opened, not a
silently merged row. Text may be UTF-8 (with or without BOM), UTF-16 (Excel's
"Unicode Text", tab-separated) or cp1252; a source over `MAX_SHEET_BYTES` is
refused before it is parsed.
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

MAX_SHEET_BYTES = 20 * 1024 * 1024
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
    if suffix in (".csv", ".tsv", ".txt"):
        return parse_csv(_decode(_read_bounded(path, source), source), source)
    if suffix in (".xlsx", ".xlsm"):
        return parse_xlsx(path)
    raise SheetError(f"format {suffix or '(tanpa ekstensi)'} tidak didukung: gunakan URL Google Sheet, .csv atau .xlsx")


def _read_bounded(path: Path, source: str) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SHEET_BYTES + 1)
    except OSError as exc:
        raise SheetError(f"file {source} tidak dapat dibaca: {exc.strerror}") from None
    _check_size(len(raw), source)
    return raw


async def fetch_sheet_csv(sheet_url: str, *, http: httpx.AsyncClient | None = None, timeout: float = 30.0) -> str:
    url = csv_export_url(sheet_url)
    own = http is None
    client = http or httpx.AsyncClient(timeout=timeout, follow_redirects=True)
    try:
        async with client.stream("GET", url) as resp:
            content = await _bounded_body(resp, sheet_url)
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
    return _decode(content, sheet_url)


async def _bounded_body(resp: httpx.Response, source: str) -> bytes:
    """The response body, refused as soon as it passes MAX_SHEET_BYTES."""
    chunks, size = [], 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        _check_size(size, source)
        chunks.append(chunk)
    return b"".join(chunks)


def _check_size(size: int, source: str) -> None:
    if size > MAX_SHEET_BYTES:
        raise SheetError(f"{source}: lebih dari {MAX_SHEET_BYTES // (1024 * 1024)} MB; bagi menjadi beberapa file")


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _decode(raw: bytes, source: str) -> str:
    """Text of a CSV: by BOM (UTF-8, UTF-16), UTF-16 without BOM (NUL bytes), else UTF-8, else cp1252."""
    encodings = [enc for bom, enc in _BOMS if raw.startswith(bom)]
    if not encodings and b"\x00" in raw[:4096]:
        head = raw[:4096]
        encodings = ["utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"]
    for encoding in encodings or ["utf-8", "cp1252"]:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise SheetError(f"{source}: encoding teks tidak dikenali (simpan sebagai CSV UTF-8)")


def parse_csv(text: str, source: str) -> SheetRows:
    sample = text[:4096]
    delimiter = max(("\t", ";", ","), key=lambda d: (sample.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table: list[tuple[int, list[str]]] = []
    start = 1  # the line the row being read began on
    try:
        for row in reader:
            table.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SheetError(f"{source}: CSV rusak di baris {start}: {_csv_problem(exc)}") from None
    return _rows_from_table(table, source)


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text or "expected after" in text:
        return f"tanda kutip (\") yang dibuka di baris ini tidak ditutup dengan benar ({text})"
    if "field larger than field limit" in text:
        return "sel terlalu panjang"
    return text


def parse_xlsx(path: Path) -> SheetRows:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        _check_size(path.stat().st_size, str(path))
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SheetError(f"{path}: bukan file Excel yang valid ({exc.__class__.__name__})") from None
    try:
        ws = wb.worksheets[0]
        table = [(i, ["" if v is None else _cell_text(v) for v in row])
                 for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()
    return _rows_from_table(table, str(path))


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_from_table(table: list[tuple[int, list[str]]], source: str) -> SheetRows:
    """`table` is (line number, cells) per row; blank rows are dropped, the first one left is the header."""
    numbered = [(line, row) for line, row in table if any(str(c).strip() for c in row)]
    if not numbered:
        raise SheetError(f"{source}: sheet kosong")
    headers = [str(h).strip() for h in numbered[0][1]]
    rows = []
    for line_no, raw in numbered[1:]:
        cells = [str(c).strip() for c in raw] + [""] * (len(headers) - len(raw))
        rows.append((line_no, {h: cells[i] for i, h in enumerate(headers) if h}))
    return SheetRows(source=source, headers=headers, rows=rows)
