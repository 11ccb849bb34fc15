"""Manual fetches from the dirrequest menu (options 12–16), run through the collection job.

Each option picks the phase (posts + engagement, or engagement only) and the
platforms the collection cycle touches; the reply talks about the platform
asked for. Option 16 replies with the task list built by the notifications
module (`jobs.task_messages.scheduled_list_message`), including the changes
this run made. A menu fetch goes through the same collector as `fetch` and the
schedule (`ctx.start_collection`: the service's notify hook, so groups hear
about new or removed posts; the queue's workers when `[queue] url` is set; the
busy guard).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from db.attendance import posts_in_period
from db.clients import Client
from db.notification_state import todays_task_posts
from handlers.context import HandlerContext
from handlers.reports.attendance import Period, Platform, PostRef, post_url
from handlers.reports.formatting import id_number, id_time
from jobs.admin_text import client_error_text
from jobs.collect_now import CollectionBusy
from jobs.notify import run_changes_from_result
from jobs.task_messages import Changes, scheduled_list_message

log = logging.getLogger(__name__)

TEXT_UNAVAILABLE = "❌ Pengambilan data manual tidak tersedia di proses ini."


@dataclass(frozen=True)
class FetchSpec:
    id: str
    phase: str                        # post_fetch | engagement_only
    platforms: tuple[Platform, ...]
    label: str                        # "konten & likes Instagram"
    task_message: bool = False


FETCH_SPECS = {
    s.id: s for s in (
        FetchSpec("ig_posts_likes", "post_fetch", (Platform.INSTAGRAM,), "konten & likes Instagram"),
        FetchSpec("ig_likes", "engagement_only", (Platform.INSTAGRAM,), "likes Instagram"),
        FetchSpec("tt_posts_comments", "post_fetch", (Platform.TIKTOK,), "konten & komentar TikTok"),
        FetchSpec("tt_comments", "engagement_only", (Platform.TIKTOK,), "komentar TikTok"),
        FetchSpec("all_with_tasks", "post_fetch", (Platform.INSTAGRAM, Platform.TIKTOK),
                  "semua konten, likes & komentar", task_message=True),
    )
}


async def todays_posts(ctx: HandlerContext, client: Client, platform: Platform) -> list[PostRef]:
    start, end = Period.today(ctx.clock.now()).bounds()
    rows = await posts_in_period(ctx.pool, platform.value, [client.id], start, end)
    account = client.instagram if platform is Platform.INSTAGRAM else client.tiktok
    return [PostRef(platform, r.post_id, r.client_id, r.posted_at, r.caption, post_url(platform, r.post_id, account),
                    r.like_count, r.comment_count, r.engagement_count) for r in rows]


def _failure_text(spec: FetchSpec, client: Client, result) -> str | None:
    if result is None:
        return None
    if getattr(result, "lock_skipped", False):
        return ("⏳ Pengambilan data lain sedang berjalan dan permintaan ini tidak dijalankan. "
                "Silakan coba lagi beberapa menit lagi.")
    mine = [c for c in getattr(result, "clients", []) if c.client_id == client.id]
    if not mine:
        skipped = client.id in (getattr(result, "skipped_clients", None) or [])
        return (f"⚠️ Pengambilan {spec.label} *{client.name}* tidak dijalankan"
                + (" karena batas waktu siklus sudah lewat." if skipped else "."))
    if not mine[0].ok:
        return f"❌ Pengambilan {spec.label} *{client.name}* gagal: {client_error_text(mine[0].error)}."
    return None


def render_fetch_done(spec: FetchSpec, client: Client, items: list[PostRef], now) -> str:
    platform = spec.platforms[0]
    unit = "likes" if platform is Platform.INSTAGRAM else "komentar"
    lines = [f"✅ Selesai mengambil {spec.label} *{client.name}* ({client.id}) pukul {id_time(now)}.",
             f"*Jumlah konten hari ini:* {id_number(len(items))}",
             f"*Total {unit} tercatat:* {id_number(sum(p.engagement_count for p in items))}"]
    if items:
        lines.append("Rincian:")
        lines += [f"- {p.url} : {id_number(p.engagement_count)} {unit}" for p in items]
    else:
        lines.append(f"Belum ada konten {platform.label} hari ini.")
    return "\n".join(lines)


async def todays_task_list(ctx: HandlerContext, client: Client, changes: Changes | None = None) -> str:
    """The notifications module's task list of the client's posts of today (with `changes`, if any)."""
    start, end = Period.today(ctx.clock.now()).bounds()
    instagram, tiktok = await todays_task_posts(ctx.pool, client.id, start, end)
    return scheduled_list_message(client.name, ctx.clock.now(), instagram, tiktok, changes or Changes(),
                                  client.tiktok, caption_chars=ctx.settings.notify.caption_chars,
                                  max_chars=ctx.settings.whatsapp.max_message_chars - 100)


async def task_list_text(ctx: HandlerContext, client: Client, result, partial: bool) -> str:
    """Option 16: the task list including the changes made by this run."""
    mine = next((c for c in result.clients if c.client_id == client.id), None)
    changes = await run_changes_from_result(ctx.pool, ctx.settings, ctx.clock, mine) if mine else Changes()
    text = await todays_task_list(ctx, client, changes)
    return text + ("\n\n⚠️ Sebagian data gagal diambil." if partial else "")


async def run_manual_fetch(ctx: HandlerContext, client: Client, spec: FetchSpec) -> None:
    if ctx.collection is None:
        await ctx.reply(TEXT_UNAVAILABLE)
        return
    await ctx.reply(f"⏳ Mengambil {spec.label} *{client.name}*, mohon tunggu…")
    try:
        result = await ctx.start_collection(client.id, phase=spec.phase, platforms=[p.value for p in spec.platforms])
    except CollectionBusy as exc:
        await ctx.reply(str(exc))
        return
    failure = _failure_text(spec, client, result)
    if failure:
        await ctx.reply(failure)
        return
    mine = next((c for c in result.clients if c.client_id == client.id), None)
    partial = bool(mine and mine.warnings) or getattr(result, "status", "ok") == "partial"
    if spec.task_message:
        await ctx.reply(await task_list_text(ctx, client, result, partial))
        return
    posts = await todays_posts(ctx, client, spec.platforms[0])
    await ctx.reply(render_fetch_done(spec, client, posts, ctx.clock.now()))
