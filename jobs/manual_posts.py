"""Manual task posts: an admin adds a post by URL when the API missed it, or removes one with a reason.

The plain async functions here are the one path for every channel: `cicero
posts add|remove|list` and the WhatsApp admin console (`tugas`,
`handlers/console/task_posts.py`) call them.
Each change is written with its audit row (`db/audit.py`) in one transaction,
and the task row itself keeps who and when (`added_by`, `removed_by`,
`removed_reason`). A manual post's likes/comments are fetched like any other
task's at the next collection run.

A manual task belongs to the day of its post when the post is already stored,
else to the moment it was added (the post's content arrives when a listing
shows it; the task stays on its day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from db import client_posts as tasks_db
from db import posts as posts_db
from db.audit import Actor, record_change
from db.clients import get_client

MAX_URL_CHARS = 500
MAX_REASON_CHARS = 300
_IG_PATH = re.compile(r"^/(?:[A-Za-z0-9._]+/)?(?:p|reel|reels|tv)/([A-Za-z0-9_-]{1,64})/?$")
_TT_PATH = re.compile(r"^/@[A-Za-z0-9._]{1,64}/(?:video|photo)/(\d{1,32})/?$")


class ManualPostError(ValueError):
    """Bad input (URL, client, reason) or a post that is not a task; the message is for a person (English).

    `kind` says which, so a channel can word it in its own language (the WhatsApp
    console): `url`, `short_link`, `client`, `reason`, `not_task`.
    """

    def __init__(self, message: str, kind: str = "url"):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class PostRef:
    platform: str  # instagram | tiktok
    post_id: str


def parse_post_url(url: str) -> PostRef:
    """An Instagram post/reel URL or a TikTok video URL as (platform, id); ManualPostError otherwise."""
    text = (url or "").strip()
    if not text or len(text) > MAX_URL_CHARS:
        raise ManualPostError(f"a post URL of at most {MAX_URL_CHARS} characters is needed")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if host in ("instagram.com", "instagr.am") and (m := _IG_PATH.match(parts.path)):
        return PostRef("instagram", m.group(1))
    if host == "tiktok.com" and (m := _TT_PATH.match(parts.path)):
        return PostRef("tiktok", m.group(1))
    if host in ("vm.tiktok.com", "vt.tiktok.com"):
        raise ManualPostError("short TikTok links cannot be read: open it and copy the full "
                              "https://www.tiktok.com/@account/video/… link", "short_link")
    raise ManualPostError(f"not an Instagram post or TikTok video URL: {url.strip()[:80]!r}")


def clean_reason(reason: str | None) -> str:
    """A removal reason on one line (spaces collapsed); ManualPostError unless 1..MAX_REASON_CHARS long."""
    text = " ".join((reason or "")[:MAX_REASON_CHARS * 4].split())
    if not text or len(text) > MAX_REASON_CHARS:
        raise ManualPostError(f"a reason of 1 to {MAX_REASON_CHARS} characters is needed", "reason")
    return text


@dataclass(frozen=True)
class ManualOutcome:
    ref: PostRef
    client_id: str
    posted_at: datetime
    changed: bool  # False: nothing to do (already a task / already removed)
    note: str


async def _client(pool, client_id: str):
    client = await get_client(pool, (client_id or "").strip().upper())
    if client is None:
        raise ManualPostError(f"unknown client {client_id!r}", "client")
    return client


async def add_manual_post(pool, client_id: str, url: str, actor: Actor, *, now: datetime) -> ManualOutcome:
    """Make the post at `url` a task of the client (audited); it comes back if it had been removed."""
    ref = parse_post_url(url)
    client = await _client(pool, client_id)
    async with pool.acquire() as conn, conn.transaction():
        before = await tasks_db.task_row(conn, ref.platform, ref.post_id, client.id)
        if before is not None and before.removed_at is None:
            return ManualOutcome(ref, client.id, before.posted_at, False, "already a task of this client")
        posted_at = await tasks_db.stored_posted_at(conn, ref.platform, ref.post_id) or now
        await tasks_db.add_manual_task(conn, ref.platform, ref.post_id, client.id, posted_at=posted_at,
                                       by=actor.name, at=now)
        await record_change(conn, actor, action="task_post.add", entity="client_post",
                            entity_id=f"{ref.platform}:{ref.post_id}", client_id=client.id,
                            before=_audit(before), after={"source": "manual", "posted_at": posted_at.isoformat(),
                                                          "removed": False, "added_by": actor.name}, at=now)
    return ManualOutcome(ref, client.id, posted_at, True, "added back" if before else "added")


async def remove_manual_post(pool, client_id: str, url: str, reason: str, actor: Actor, *,
                             now: datetime) -> ManualOutcome:
    """Take the post off the client's tasks with a reason (audited); a later listing never brings it back."""
    ref = parse_post_url(url)
    reason = clean_reason(reason)
    client = await _client(pool, client_id)
    async with pool.acquire() as conn, conn.transaction():
        before = await tasks_db.task_row(conn, ref.platform, ref.post_id, client.id)
        if before is None:
            raise ManualPostError(f"{ref.platform} {ref.post_id} is not a task of {client.id}", "not_task")
        if before.removed_at is not None:
            return ManualOutcome(ref, client.id, before.posted_at, False, "already removed")
        await posts_db.mark_removed(conn, ref.platform, client.id, [ref.post_id], at=now, reason=reason,
                                    by=actor.name)
        await record_change(conn, actor, action="task_post.remove", entity="client_post",
                            entity_id=f"{ref.platform}:{ref.post_id}", client_id=client.id, before=_audit(before),
                            after={**_audit(before), "removed": True, "removed_reason": reason,
                                   "removed_by": actor.name}, at=now)
    return ManualOutcome(ref, client.id, before.posted_at, True, "removed")


def _audit(row: tasks_db.TaskRow | None) -> dict | None:
    if row is None:
        return None
    return {"source": row.source, "posted_at": row.posted_at.isoformat(), "removed": row.removed_at is not None,
            "removed_reason": row.removed_reason, "removed_by": row.removed_by, "added_by": row.added_by}


async def task_list(pool, client_id: str, start: datetime, end: datetime) -> list[tasks_db.TaskRow]:
    """The client's task rows of [start, end) with who added/removed them, removed ones included."""
    client = await _client(pool, client_id)
    return await tasks_db.client_task_rows(pool, client.id, start, end)
