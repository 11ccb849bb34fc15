"""Test factories: clients, personnel, posts and engagements inserted with plain SQL.

Like the application's writers, every insert that changes attendance keeps the
attendance ledger (`db/attendance_ledger.py`) in step.

Any test may use them:

    f = Factory(pool)
    dit = await f.client("DITBINMAS", type="direktorat")
    await f.person("1001", client_id="DITBINMAS", instagram="budi", roles=["ditbinmas"])
    await f.ig_post("SC1", client_id="DITBINMAS", posted_at=wib(2026, 11, 25, 9))
    await f.likes("SC1", ["budi"])
"""

from __future__ import annotations

import itertools
from datetime import datetime

import asyncpg

from core.clock import JAKARTA
from db import attendance_ledger
from db.clients import Client, upsert_client
from db.directory_cache import directory_cache_of
from db.personnel import Personnel, upsert_personnel


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware Asia/Jakarta datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=JAKARTA)


class Factory:
    def __init__(self, db):
        self.db = db
        self._nrp = itertools.count(70010001)

    async def _ledger(self, update, *args, **kw) -> None:
        if isinstance(self.db, asyncpg.Pool):
            async with self.db.acquire() as conn:
                await update(conn, *args, **kw)
        else:
            await update(self.db, *args, **kw)

    async def client(self, id: str, *, type: str = "org", name: str | None = None, **kw) -> Client:
        kw.setdefault("instagram", id.lower().replace("_", ""))
        kw.setdefault("tiktok", id.lower().replace("_", ""))
        return await upsert_client(self.db, Client(id=id, name=name or id.replace("_", " "), type=type, **kw))

    async def person(self, nrp: str | None = None, *, client_id: str, name: str | None = None, **kw) -> Personnel:
        nrp = nrp or str(next(self._nrp))
        p = Personnel(nrp=nrp, name=name or f"ORANG {nrp}", client_id=client_id, **kw)
        await self.people([p])
        return p

    async def people(self, rows: list[Personnel]) -> None:
        await upsert_personnel(self.db, rows)
        await self._ledger(attendance_ledger.refresh_people, [p.nrp for p in rows])

    async def ig_post(self, shortcode: str, *, client_id: str, posted_at: datetime, removed: bool = False,
                      like_count: int = 0, caption: str | None = None) -> None:
        """An Instagram post (stored once) that is a task of `client_id` (again for a shared post)."""
        await self.db.execute(
            """INSERT INTO instagram_posts (shortcode, posted_at, like_count, caption) VALUES ($1, $2, $3, $4)
               ON CONFLICT (shortcode) DO NOTHING""",
            shortcode, posted_at, like_count, caption,
        )
        await self.task("instagram", shortcode, client_id=client_id, posted_at=posted_at, removed=removed)

    async def tt_post(self, video_id: str, *, client_id: str, posted_at: datetime, removed: bool = False,
                      comment_count: int = 0, caption: str | None = None) -> None:
        await self.db.execute(
            """INSERT INTO tiktok_posts (video_id, posted_at, comment_count, caption) VALUES ($1, $2, $3, $4)
               ON CONFLICT (video_id) DO NOTHING""",
            video_id, posted_at, comment_count, caption,
        )
        await self.task("tiktok", video_id, client_id=client_id, posted_at=posted_at, removed=removed)

    async def task(self, platform: str, post_id: str, *, client_id: str, posted_at: datetime,
                   removed: bool = False) -> None:
        """The `client_posts` row making a stored post a task of `client_id`."""
        await self.db.execute(
            """INSERT INTO client_posts (platform, post_id, client_id, posted_at, removed_at, removed_reason)
               VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, CASE WHEN $5 THEN 'test' END)""",
            platform, post_id, client_id, posted_at, removed,
        )
        await self._ledger(attendance_ledger.refresh_tasks, platform, [post_id], client_id=client_id)

    async def engagements(self, platform: str, post_id: str, usernames: list[str]) -> None:
        """Likes/comments through the application's merge site (per-post counts and the ledger stay right)."""
        from db.engagements import merge_listings

        async def merge(conn) -> None:
            async with conn.transaction():
                merged = await merge_listings(conn, platform, {post_id: list(usernames)})
                await attendance_ledger.record_merged(conn, platform, merged.new_by_post,
                                                      cache=directory_cache_of(self.db))

        await self._ledger(merge)

    async def likes(self, shortcode: str, usernames: list[str]) -> None:
        await self.engagements("instagram", shortcode, usernames)

    async def comments(self, video_id: str, usernames: list[str]) -> None:
        await self.engagements("tiktok", video_id, usernames)

    async def dashboard_account(self, username: str, *, role: str, whatsapp: str | None = None,
                                client_ids: list[str] = ()) -> int:
        account_id = await self.db.fetchval(
            """INSERT INTO dashboard_accounts (username, password_hash, role, whatsapp)
               VALUES ($1, 'x', $2, $3) RETURNING id""",
            username, role, whatsapp,
        )
        for cid in client_ids:
            await self.db.execute(
                "INSERT INTO dashboard_account_clients (account_id, client_id) VALUES ($1, $2)", account_id, cid
            )
        return account_id
