"""Queries for `admin_alerts`: deduplication and rate limit of admin-log warnings and errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from db.pool import Executor


@dataclass(frozen=True)
class AlertDecision:
    send: bool                 # deliver this occurrence now
    repeats: int               # occurrences suppressed since the last delivery (reported with this one)
    last_sent_at: datetime | None  # when it was last delivered before this one


async def record_alert(db: Executor, *, fingerprint: str, level: str, text: str, now: datetime,
                       window: timedelta) -> AlertDecision:
    """Count one occurrence; deliver it if it was never sent or last sent `window` ago or more.

    Call inside a transaction (the row is locked while deciding).
    """
    await db.execute(
        """
        INSERT INTO admin_alerts (fingerprint, level, last_text, first_seen_at, last_sent_at, suppressed_count)
        VALUES ($1, $2, $3, $4, NULL, 0)
        ON CONFLICT (fingerprint) DO NOTHING
        """,
        fingerprint, level, text, now,
    )
    row = await db.fetchrow(
        "SELECT last_sent_at, suppressed_count FROM admin_alerts WHERE fingerprint = $1 FOR UPDATE", fingerprint
    )
    last_sent, suppressed = row["last_sent_at"], row["suppressed_count"]
    if last_sent is None or now - last_sent >= window:
        await db.execute(
            "UPDATE admin_alerts SET last_sent_at = $2, suppressed_count = 0, last_text = $3 WHERE fingerprint = $1",
            fingerprint, now, text,
        )
        return AlertDecision(send=True, repeats=suppressed, last_sent_at=last_sent)
    await db.execute(
        "UPDATE admin_alerts SET suppressed_count = suppressed_count + 1, last_text = $2 WHERE fingerprint = $1",
        fingerprint, text,
    )
    return AlertDecision(send=False, repeats=suppressed + 1, last_sent_at=last_sent)

