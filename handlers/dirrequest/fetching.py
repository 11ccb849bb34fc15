"""Manual fetches from the dirrequest menu (options 12–16), run through the collection job.

Each option picks the phase (posts + engagement, or engagement only) and the
platforms the collection cycle (`jobs.fetch.run_cycle`) touches; the reply talks
about the platform asked for. Option 16 replies with the task list built by
the notifications module (`jobs.task_messages.scheduled_list_message`), including the
changes this run made. Like scheduled runs, a menu fetch runs the notifications hook
(`jobs.notify.make_after_client`), so groups hear about new or removed posts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from db.attendance import posts_in_period
from db.clients import Client
from handlers.context import HandlerContext
from handlers.reports.attendance import Period, Platform, PostRef, post_url
from handlers.reports.formatting import id_number, id_time

log = logging.getLogger(__name__)


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


async def collect_now(ctx: HandlerContext, client: Client, phase: str, platforms: tuple[Platform, ...]):
    """One collection cycle for this client and platforms (trigger "admin"); returns the CycleResult."""
    from jobs.fetch import fetch_deps, run_cycle
    from jobs.notify import make_after_client

    after = make_after_client(ctx.pool, ctx.settings, ctx.clock, ctx.reporter)  # group notices, as scheduled runs
    async with fetch_deps(ctx.settings, ctx.pool, ctx.clock, reporter=ctx.reporter, after_client=after) as deps:
        return await run_cycle(deps, phase=phase, client_ids=[client.id], trigger="admin",
                               platforms=tuple(p.value for p in platforms))


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
        return f"❌ Pengambilan {spec.label} *{client.name}* gagal: {mine[0].error or 'tanpa keterangan'}."
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


async def task_list_text(ctx: HandlerContext, client: Client, result, partial: bool) -> str:
    """Option 16: the notifications module's task list (today's posts, changes made by this run)."""
    from jobs.notify import run_changes_from_result
    from jobs.task_messages import Changes, scheduled_list_message
    from db.notification_state import todays_task_posts

    mine = next((c for c in result.clients if c.client_id == client.id), None)
    changes = await run_changes_from_result(ctx.pool, ctx.settings, ctx.clock, mine) if mine else Changes()
    start, end = Period.today(ctx.clock.now()).bounds()
    instagram, tiktok = await todays_task_posts(ctx.pool, client.id, start, end)
    text = scheduled_list_message(client.name, ctx.clock.now(), instagram, tiktok, changes, client.tiktok,
                                  caption_chars=ctx.settings.notify.caption_chars,
                                  max_chars=ctx.settings.whatsapp.max_message_chars - 100)
    return text + ("\n\n⚠️ Sebagian data gagal diambil." if partial else "")


async def run_manual_fetch(ctx: HandlerContext, client: Client, spec: FetchSpec) -> None:
    await ctx.reply(f"⏳ Mengambil {spec.label} *{client.name}*, mohon tunggu…")
    try:
        result = await collect_now(ctx, client, spec.phase, spec.platforms)
    except Exception as exc:  # the collection job failed as a whole: say so, keep the menu alive
        log.exception("manual fetch %s for %s failed", spec.id, client.id)
        await ctx.reply(f"❌ Pengambilan {spec.label} *{client.name}* gagal: {exc.__class__.__name__}.")
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
