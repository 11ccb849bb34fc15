"""Queries for `import_previews`: a personnel sheet read from WhatsApp, checked (dry run), awaiting `ya`.

The sheet is kept exactly as read (`jobs.import_previews` turns it into and
from `SheetRows`), so applying it writes what the sender saw in the dry run,
even when the Google Sheet or the document changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.pool import Executor


@dataclass(frozen=True)
class ImportPreview:
    id: int
    client_id: str
    requested_by: str
    source: str
    sheet: dict[str, Any]        # {"headers": [...], "rows": [[line, {header: cell}], ...]}
    created_at: datetime


async def store_preview(db: Executor, *, client_id: str, requested_by: str, source: str, sheet: dict[str, Any],
                        at: datetime) -> int:
    return await db.fetchval(
        """INSERT INTO import_previews (client_id, requested_by, source, sheet, created_at)
           VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id""",
        client_id, requested_by, source, sheet, at,
    )


async def take_preview(db: Executor, preview_id: int, *, requested_by: str) -> ImportPreview | None:
    """Remove and return the sender's preview (None when it is gone: applied, cancelled or expired)."""
    row = await db.fetchrow(
        "DELETE FROM import_previews WHERE id = $1 AND requested_by = $2 RETURNING *", preview_id, requested_by
    )
    if row is None:
        return None
    return ImportPreview(row["id"], row["client_id"], row["requested_by"], row["source"], row["sheet"],
                         row["created_at"])


async def delete_previews_before(db: Executor, before: datetime) -> int:
    """Forget previews nobody confirmed; returns how many."""
    result = await db.execute("DELETE FROM import_previews WHERE created_at < $1", before)
    return int(result.split()[-1])
