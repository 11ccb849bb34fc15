"""Task messages for the clients' WhatsApp groups, in Bahasa Indonesia (pure functions, no I/O).

Four shapes: new Instagram posts, new TikTok posts, removed posts, and the
scheduled task list (which replaces the change messages in its slot and carries
today's changes as a summary). Numbers use the Indonesian format (1.234),
times are Asia/Jakarta.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from db.notification_state import TaskPost
from core.clock import JAKARTA

HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"]
BULAN_PENDEK = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


@dataclass
class Changes:
    """Today's changes for one client since the last notification."""

    instagram_added: list[TaskPost] = field(default_factory=list)
    tiktok_added: list[TaskPost] = field(default_factory=list)
    instagram_removed: list[str] = field(default_factory=list)
    tiktok_removed: list[str] = field(default_factory=list)
    removed_posts: dict[str, TaskPost] = field(default_factory=dict)  # "platform:id" -> what it was

    @property
    def notable(self) -> bool:
        return bool(self.instagram_added or self.tiktok_added or self.instagram_removed or self.tiktok_removed)

    def summary(self) -> str:
        """Operator text for logs: `+2 IG, -1 TikTok` or `tidak ada perubahan`."""
        parts = []
        for sign, items, label in (("+", self.instagram_added, "IG"), ("+", self.tiktok_added, "TikTok"),
                                   ("-", self.instagram_removed, "IG"), ("-", self.tiktok_removed, "TikTok")):
            if items:
                parts.append(f"{sign}{len(items)} {label}")
        return ", ".join(parts) or "tidak ada perubahan"


def angka(n: int | None) -> str:
    """Indonesian thousands separator: 1234567 → 1.234.567."""
    return f"{int(n or 0):,}".replace(",", ".")


def waktu_panjang(when: datetime) -> str:
    """Selasa, 17 Februari 2026 pukul 14.28 WIB"""
    t = when.astimezone(JAKARTA)
    return f"{HARI[t.weekday()]}, {t.day} {BULAN[t.month - 1]} {t.year} pukul {t:%H.%M} WIB"


def waktu_unggah(when: datetime | None) -> str:
    """Selasa, 17 Feb 2026, 07.15 WIB (or "-")."""
    if when is None:
        return "-"
    t = when.astimezone(JAKARTA)
    return f"{HARI[t.weekday()]}, {t.day:02d} {BULAN_PENDEK[t.month - 1]} {t.year}, {t:%H.%M} WIB"


def potong(text: str | None, limit: int) -> str | None:
    """One-line excerpt of at most `limit` characters plus `...`; None when blank."""
    if not text or not text.strip():
        return None
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "..."


def instagram_link(shortcode: str) -> str:
    return f"https://www.instagram.com/p/{shortcode}/"


def tiktok_link(video_id: str, account: str | None) -> str:
    return f"https://www.tiktok.com/@{(account or 'user').lstrip('@')}/video/{video_id}"


def _new_post_entries(posts: list[TaskPost], link_of, no_caption: str, caption_chars: int) -> list[str]:
    """Numbered entries of a new-posts message: link, caption excerpt, upload time."""
    lines: list[str] = []
    for i, p in enumerate(posts, 1):
        excerpt = potong(p.caption, caption_chars)
        lines += [f"{i}. {link_of(p)}",
                  f"   {'_' + excerpt + '_' if excerpt else no_caption}",
                  f"   Diunggah: {waktu_unggah(p.posted_at)}", *_manual_mark(p)]
    return lines


MANUAL_MARK = "   ✍️ Ditambahkan manual oleh admin"


def _manual_mark(p: TaskPost) -> list[str]:
    """The line that tells a manually added task from one the API found (none for the API's)."""
    return [MANUAL_MARK] if p.manual else []


def new_instagram_message(client_name: str, posts: list[TaskPost], *, caption_chars: int = 80) -> str:
    lines = [f"📸 *Tugas Instagram Baru — {client_name}*", "",
             f"Ada *{angka(len(posts))}* unggahan Instagram baru yang perlu ditindaklanjuti:", ""]
    lines += _new_post_entries(posts, lambda p: instagram_link(p.post_id), "(tanpa keterangan)", caption_chars)
    lines += ["", "_Mohon segera beri like dan komentar pada unggahan di atas._"]
    return "\n".join(lines)


def new_tiktok_message(client_name: str, posts: list[TaskPost], tiktok_account: str | None, *,
                       caption_chars: int = 80) -> str:
    lines = [f"🎵 *Tugas TikTok Baru — {client_name}*", "",
             f"Ada *{angka(len(posts))}* video TikTok baru yang perlu ditindaklanjuti:", ""]
    lines += _new_post_entries(posts, lambda p: tiktok_link(p.post_id, tiktok_account), "(tanpa deskripsi)",
                               caption_chars)
    lines += ["", "_Mohon segera beri komentar pada video di atas._"]
    return "\n".join(lines)


def _removed_entries(ids: list[str], platform: str, details: dict[str, TaskPost], link_of,
                     caption_chars: int) -> list[str]:
    lines = []
    for i, post_id in enumerate(ids, 1):
        lines.append(f"{i}. {link_of(post_id)}")
        post = details.get(f"{platform}:{post_id}")
        excerpt = potong(post.caption, caption_chars) if post else None
        if excerpt:
            lines.append(f"   _{excerpt}_")
    return lines


def removed_message(client_name: str, changes: Changes, tiktok_account: str | None, *,
                    caption_chars: int = 80) -> str:
    """Which posts left the task list: each with its link and a caption excerpt."""
    lines = [f"🗑️ *Perubahan Daftar Tugas — {client_name}*", ""]
    if changes.instagram_removed:
        lines.append(f"📸 *{angka(len(changes.instagram_removed))}* unggahan Instagram dikeluarkan dari daftar tugas:")
        lines += _removed_entries(changes.instagram_removed, "instagram", changes.removed_posts, instagram_link,
                                  caption_chars)
    if changes.tiktok_removed:
        if changes.instagram_removed:
            lines.append("")
        lines.append(f"🎵 *{angka(len(changes.tiktok_removed))}* video TikTok dikeluarkan dari daftar tugas:")
        lines += _removed_entries(changes.tiktok_removed, "tiktok", changes.removed_posts,
                                  lambda vid: tiktok_link(vid, tiktok_account), caption_chars)
    lines += ["", "_Unggahan yang dikeluarkan tidak perlu dikerjakan lagi._"]
    return "\n".join(lines)


def change_messages(client_name: str, changes: Changes, tiktok_account: str | None, *,
                    caption_chars: int = 80) -> list[tuple[str, list[str], str]]:
    """[(part, post ids it is about, text)] in sending order; empty when nothing changed."""
    out = []
    if changes.instagram_added:
        out.append(("ig_new", [p.post_id for p in changes.instagram_added],
                    new_instagram_message(client_name, changes.instagram_added, caption_chars=caption_chars)))
    if changes.tiktok_added:
        out.append(("tt_new", [p.post_id for p in changes.tiktok_added],
                    new_tiktok_message(client_name, changes.tiktok_added, tiktok_account,
                                       caption_chars=caption_chars)))
    if changes.instagram_removed or changes.tiktok_removed:
        ids = [f"ig:{i}" for i in changes.instagram_removed] + [f"tt:{i}" for i in changes.tiktok_removed]
        out.append(("removed", ids, removed_message(client_name, changes, tiktok_account,
                                                     caption_chars=caption_chars)))
    return out


def _entry(i: int, link: str, p: TaskPost, empty: str, caption_chars: int) -> list[str]:
    excerpt = potong(p.caption, caption_chars)
    return [f"{i}. {link}",
            f"   _{excerpt}_" if excerpt else f"   _{empty}_",
            f"   Diunggah: {waktu_unggah(p.posted_at)}",
            f"   Like: {angka(p.like_count)} | Komentar: {angka(p.comment_count)}", *_manual_mark(p)]


def scheduled_list_message(client_name: str, now: datetime, instagram: list[TaskPost], tiktok: list[TaskPost],
                           changes: Changes, tiktok_account: str | None, *, caption_chars: int = 60,
                           max_chars: int = 4000) -> str:
    """The hourly task list; entries beyond `max_chars` are summarised as "… dan N lainnya"."""
    for shown in range(len(instagram) + len(tiktok), -1, -1):
        text = _scheduled(client_name, now, instagram, tiktok, changes, tiktok_account, caption_chars, shown)
        if len(text) <= max_chars:
            return text
    return text


def _scheduled(client_name, now, instagram, tiktok, changes, tiktok_account, caption_chars, shown) -> str:
    lines = [f"📋 *Daftar Tugas — {client_name}*",
             f"🕒 Data per {waktu_panjang(now)}", "",
             "Jumlah tugas hari ini:",
             f"📸 Instagram: *{angka(len(instagram))}* unggahan",
             f"🎵 TikTok: *{angka(len(tiktok))}* video"]
    if changes.notable:
        lines += ["", "📊 *Perubahan sejak pemberitahuan terakhir:*"]
        if changes.instagram_added:
            lines.append(f"✅ +{angka(len(changes.instagram_added))} unggahan Instagram baru")
        if changes.tiktok_added:
            lines.append(f"✅ +{angka(len(changes.tiktok_added))} video TikTok baru")
        if changes.instagram_removed:
            lines.append(f"❌ -{angka(len(changes.instagram_removed))} unggahan Instagram dihapus")
        if changes.tiktok_removed:
            lines.append(f"❌ -{angka(len(changes.tiktok_removed))} video TikTok dihapus")
    if instagram or tiktok:
        lines += ["", "📝 *Rincian Tugas:*"]
        budget = shown
        if instagram:
            lines += ["", f"📸 *Instagram ({angka(len(instagram))} unggahan):*", ""]
            for i, p in enumerate(instagram[:budget], 1):
                lines += _entry(i, instagram_link(p.post_id), p, "(tanpa keterangan)", caption_chars)
            if len(instagram) > budget:
                lines.append(f"… dan {angka(len(instagram) - max(budget, 0))} unggahan lainnya")
            budget = max(budget - len(instagram), 0)
        if tiktok:
            lines += ["", f"🎵 *TikTok ({angka(len(tiktok))} video):*", ""]
            for i, p in enumerate(tiktok[:budget], 1):
                lines += _entry(i, tiktok_link(p.post_id, tiktok_account), p, "(tanpa deskripsi)", caption_chars)
            if len(tiktok) > budget:
                lines.append(f"… dan {angka(len(tiktok) - budget)} video lainnya")
    else:
        lines += ["", "_Belum ada unggahan hari ini._"]
    lines += ["", "_Pastikan semua tugas sudah dikerjakan. Terima kasih._"]
    return "\n".join(lines)
