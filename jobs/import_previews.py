"""Personnel import from WhatsApp: read a sheet link or a document, dry-run it, keep it, apply it on `ya`.

The import itself is `jobs.personnel_import.import_personnel`, the same as
`cicero import-users`: the same validation, the same merge (a blank cell never
wipes a stored value, flags and roles survive), the same audit rows.

    sheet = await sheet_from_link(url)              # or sheet_from_document(data, "personel.xlsx")
    preview = await preview_import(pool, actor, "POLRES_A", sheet, at=now)   # dry run, stored
    report = await apply_import(pool, actor, preview.id, at=now)             # what was previewed, written

Bounds: a document is read up to MAX_DOCUMENT_BYTES, a sheet up to MAX_ROWS
rows, a preview is kept PREVIEW_LIFETIME; every failure to read is a
`SheetError` with a message the sender can act on.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg

from core.formats import DEFAULT_NRP_LENGTH
from db.audit import Actor
from db.import_previews import delete_previews_before, store_preview, take_preview
from db.personnel import refresh_statistics
from jobs.personnel_import import ImportReport, import_personnel
from jobs.sources.sheet import SheetError, SheetRows, is_sheet_url, read_source

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TIMEOUT_SECONDS = 60.0
SHEET_TIMEOUT_SECONDS = 30.0
MAX_ROWS = 20_000
PREVIEW_LIFETIME = timedelta(hours=24)
DOCUMENT_SUFFIXES = (".csv", ".xlsx", ".xlsm")


@dataclass(frozen=True)
class CheckedImport:
    id: int
    client_id: str
    report: ImportReport          # the dry run
    rows: int


def _bounded(sheet: SheetRows) -> SheetRows:
    if len(sheet.rows) > MAX_ROWS:
        raise SheetError(f"sheet berisi {len(sheet.rows)} baris; maksimal {MAX_ROWS} per impor")
    return sheet


async def sheet_from_link(url: str) -> SheetRows:
    if not is_sheet_url(url):
        raise SheetError("link harus berupa URL Google Sheet (https://docs.google.com/spreadsheets/d/…)")
    return _bounded(await read_source(url, timeout=SHEET_TIMEOUT_SECONDS))


def _read_file(path: Path) -> SheetRows:
    return asyncio.run(read_source(str(path)))  # a local file: the same reader as the CLI, off the event loop


async def sheet_from_document(data: bytes, filename: str) -> SheetRows:
    """The rows of a received .csv or .xlsx (read through a temporary file by the CLI's reader)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename or "dokumen").name)[-80:] or "dokumen"
    if not name.lower().endswith(DOCUMENT_SUFFIXES):
        raise SheetError(f"{filename}: kirim dokumen .xlsx atau .csv (atau link Google Sheet)")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SheetError(f"{filename}: dokumen terlalu besar (maksimal {MAX_DOCUMENT_BYTES // 1_000_000} MB)")
    with tempfile.TemporaryDirectory(prefix="cicero-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            sheet = await asyncio.to_thread(_read_file, path)
        except SheetError as exc:
            raise SheetError(str(exc).replace(str(path), filename)) from None
    return _bounded(replace(sheet, source=filename))


def _stored(sheet: SheetRows) -> dict:
    return {"headers": sheet.headers, "rows": [[line, cells] for line, cells in sheet.rows]}


def _sheet(source: str, stored: dict) -> SheetRows:
    return SheetRows(source=source, headers=list(stored["headers"]),
                     rows=[(int(line), dict(cells)) for line, cells in stored["rows"]])


async def preview_import(pool: asyncpg.Pool, actor: Actor, client_id: str, sheet: SheetRows, *,
                         at: datetime, nrp_length: int = DEFAULT_NRP_LENGTH) -> CheckedImport:
    """Dry-run the import and keep the sheet for `apply_import`; SheetError for a sheet without the columns."""
    async with pool.acquire() as conn, conn.transaction():
        await delete_previews_before(conn, at - PREVIEW_LIFETIME)
        report = await import_personnel(conn, client_id, sheet, actor=actor, dry_run=True, nrp_length=nrp_length)
        preview_id = await store_preview(conn, client_id=client_id, requested_by=actor.name, source=sheet.source,
                                         sheet=_stored(sheet), at=at)
    return CheckedImport(preview_id, client_id, report, len(sheet.rows))


async def apply_import(pool: asyncpg.Pool, actor: Actor, preview_id: int, *, at: datetime,
                       nrp_length: int = DEFAULT_NRP_LENGTH) -> ImportReport | None:
    """Write the previewed sheet (once); None when the preview is gone (applied, expired or someone else's)."""
    async with pool.acquire() as conn, conn.transaction():
        preview = await take_preview(conn, preview_id, requested_by=actor.name)
        if preview is None or preview.created_at < at - PREVIEW_LIFETIME:
            return None
        report = await import_personnel(conn, preview.client_id, _sheet(preview.source, preview.sheet), actor=actor,
                                        nrp_length=nrp_length)
    await refresh_statistics(pool)
    return report


async def cancel_import(pool: asyncpg.Pool, actor: Actor, preview_id: int) -> None:
    await take_preview(pool, preview_id, requested_by=actor.name)
