"""Manual fetches from the dirrequest menu (options 12–16), run through the collection job.

The collection cycle (`jobs.fetch.run_cycle`) always handles both platforms of a
client; the option picks the phase (posts + engagement, or engagement only) and
which platform the reply talks about. Option 16 also replies with the task list
(new posts marked [BARU]).
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


async def collect_now(ctx: HandlerContext, client: Client, phase: str):
    """One collection cycle for this client (trigger "admin"); returns the CycleResult."""
    from jobs.fetch import fetch_deps, run_cycle

    async with fetch_deps(ctx.settings, ctx.pool, ctx.clock, reporter=ctx.reporter) as deps:
        return await run_cycle(deps, phase=phase, client_ids=[client.id], trigger="admin")


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


def _new_ids(result, client: Client, platform: Platform) -> set[str]:
    for c in getattr(result, "clients", []) or []:
        if c.client_id == client.id:
            changes = c.instagram if platform is Platform.INSTAGRAM else c.tiktok
            return set(changes.new)
    return set()


def render_fetch_done(spec: FetchSpec, client: Client, posts: dict[Platform, list[PostRef]], new: dict[Platform, set],
                      now, partial: bool) -> str:
    if spec.task_message:
        return render_task_list(client, posts, new, now, partial)
    platform = spec.platforms[0]
    unit = "likes" if platform is Platform.INSTAGRAM else "komentar"
    items = posts[platform]
    lines = [f"✅ Selesai mengambil {spec.label} *{client.name}* ({client.id}) pukul {id_time(now)}.",
             f"*Jumlah konten hari ini:* {id_number(len(items))}",
             f"*Total {unit} tercatat:* {id_number(sum(p.engagement_count for p in items))}"]
    if items:
        lines.append("Rincian:")
        lines += [f"- {p.url} : {id_number(p.engagement_count)} {unit}" for p in items]
    else:
        lines.append(f"Belum ada konten {platform.label} hari ini.")
    return "\n".join(lines)


def render_task_list(client: Client, posts: dict[Platform, list[PostRef]], new: dict[Platform, set], now,
                     partial: bool = False) -> str:
    """The option-16 task message: today's posts of both platforms, new ones marked [BARU]."""
    lines = [f"Mohon izin Komandan, Senior, Rekan Operator dan personel pelaksana tugas likes dan komentar "
             f"sosial media *{client.name}*.", ""]
    for platform in (Platform.INSTAGRAM, Platform.TIKTOK):
        items = posts.get(platform, [])
        unit = "likes" if platform is Platform.INSTAGRAM else "komentar"
        lines.append(f"*Tugas {platform.label}* ({id_number(len(items))} konten hari ini):")
        if not items:
            lines.append("- belum ada konten")
        for i, p in enumerate(items, 1):
            mark = "[BARU] " if p.post_id in new.get(platform, set()) else ""
            lines.append(f"{i}. {mark}{p.url} (upload {id_time(p.posted_at)}) : {id_number(p.engagement_count)} {unit}")
        lines.append("")
    if partial:
        lines += ["⚠️ Sebagian data gagal diambil.", ""]
    lines.append("Silakan melaksanakan likes, komentar dan share. Terima kasih.")
    return "\n".join(lines)


async def run_manual_fetch(ctx: HandlerContext, client: Client, spec: FetchSpec) -> None:
    await ctx.reply(f"⏳ Mengambil {spec.label} *{client.name}*, mohon tunggu…")
    try:
        result = await collect_now(ctx, client, spec.phase)
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
    posts = {p: await todays_posts(ctx, client, p) for p in spec.platforms}
    new = {p: _new_ids(result, client, p) for p in spec.platforms}
    await ctx.reply(render_fetch_done(spec, client, posts, new, ctx.clock.now(), partial))
