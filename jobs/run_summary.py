"""What the admins hear about a collection run: the task messages it queued and the clients that failed.

`RunNotifier` is the collector's notify hook (`after_client`: the group task
messages of `jobs/notify.py` for each finished client) and its end-of-run hook
(`after_run`: the admin message). `[notify] admin_detail` picks how much:

| admin_detail | during the run | at the end of the run |
|---|---|---|
| `summary` (default) | nothing | ONE message: task messages queued per client, failed and skipped clients; nothing when the run queued nothing and nothing failed |
| `each` | a line per task message as it is queued | the failures, if any |
| `errors` | nothing | the failures, if any |

Failures alone go out as an admin *error* (the admin log holds back the same
text within `[notify] error_repeat_minutes` and counts the repeats), so a
RapidAPI outage does not produce one message per run. Texts are Indonesian with
human times; the English error details stay in the logs and `cicero fetch`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import asyncpg

from core.boundary import report_safely
from core.clock import Clock
from core.reporting import Reporter
from core.settings import Settings
from jobs.admin_text import client_error_text, phase_label, pukul
from jobs.fetch_model import ClientResult, CycleResult
from jobs.notify import NotifyOutcome, notify_after_client

log = logging.getLogger(__name__)

MAX_OPEN_RESULTS = 10_000  # outcomes of runs that never reached after_run (cancelled) are dropped beyond this
TRIGGER_TITLE = {
    "schedule": "Pengambilan data terjadwal",
    "manual": "Pengambilan data manual (CLI)",
    "admin": "Pengambilan data atas permintaan admin",
}


def outcome_text(outcome: NotifyOutcome, tz) -> str:
    """'daftar tugas pukul 08.05 WIB (+1 IG)' or 'pesan perubahan (+1 IG, -1 TikTok)'."""
    changes = f" ({outcome.changes})" if outcome.changes else ""
    if outcome.decision == "scheduled":
        hour = f" {pukul(outcome.slot_at, tz)}" if outcome.slot_at else ""
        return f"daftar tugas{hour}{changes}"
    return f"pesan perubahan{changes}"


def failure_lines(cycle: CycleResult) -> list[str]:
    lines = [f"• {c.client_id}: {client_error_text(c.error)}" for c in cycle.failed_clients]
    if cycle.skipped_clients:
        lines.append(f"• tidak sempat dijalankan (batas waktu siklus): {', '.join(cycle.skipped_clients)}")
    if cycle.unknown_clients:
        lines.append(f"• client tidak dikenal: {', '.join(cycle.unknown_clients)}")
    if cycle.status == "failed" and not lines:
        lines.append("• siklus gagal dijalankan (rincian di log layanan)")
    return lines


def failures_message(cycle: CycleResult) -> str | None:
    """The failures of a run, without a time, so the same outage reads the same every run (deduplicated)."""
    lines = failure_lines(cycle)
    if not lines:
        return None
    done = len(cycle.clients)
    head = (f"{TRIGGER_TITLE.get(cycle.trigger, 'Pengambilan data')} ({phase_label(cycle.phase)}): "
            f"{len(cycle.failed_clients)} dari {done} client gagal")
    return "\n".join([head, *lines])


def summary_message(cycle: CycleResult, sent: list[tuple[str, NotifyOutcome]], no_group: list[str],
                    clock: Clock) -> str | None:
    """One run's account, or None when it queued nothing and nothing failed."""
    failures = failure_lines(cycle)
    if not sent and not failures:
        return None
    mark = "❌" if failures else "✅"
    head = (f"{mark} *{TRIGGER_TITLE.get(cycle.trigger, 'Pengambilan data')}* selesai {pukul(clock.now(), clock.tz)} "
            f"— {phase_label(cycle.phase)}")
    lines = [head, _totals(cycle.clients)]
    if sent:
        lines += ["", "Dikirim ke grup:"]
        lines += [f"• {cid}: {outcome_text(o, clock.tz)}" for cid, o in sent]
    if failures:
        lines += ["", "Gagal:", *failures]
    if no_group:
        lines += ["", f"Tidak terkirim (client belum punya grup WhatsApp): {', '.join(no_group)}"]
    return "\n".join(lines)


def _totals(clients: list[ClientResult]) -> str:
    new = sum(len(c.instagram.new) + len(c.tiktok.new) for c in clients if c.ok)
    likes = sum(max(c.after.likes - c.before.likes, 0) for c in clients if c.ok)
    comments = sum(max(c.after.comments - c.before.comments, 0) for c in clients if c.ok)
    ok = sum(1 for c in clients if c.ok)
    return f"{ok}/{len(clients)} client berhasil · {new} posting baru · +{likes} likes · +{comments} komentar"


@dataclass
class RunNotifier:
    """`after_client` (group task messages) and `after_run` (the admins' account) of the collector."""

    pool: asyncpg.Pool
    settings: Settings
    clock: Clock
    reporter: Reporter
    _outcomes: dict[int, tuple[ClientResult, NotifyOutcome]] = field(default_factory=dict, init=False, repr=False)

    @property
    def detail(self) -> str:
        return self.settings.notify.admin_detail

    async def after_client(self, result: ClientResult) -> None:
        outcome = await notify_after_client(self.pool, self.settings, self.clock, self.reporter, result)
        # keyed by the result object: the same object is in the run's CycleResult.clients, whatever runner ran it
        self._outcomes[id(result)] = (result, outcome)
        while len(self._outcomes) > MAX_OPEN_RESULTS:
            self._outcomes.pop(next(iter(self._outcomes)))
        if self.detail == "each" and outcome.queued:
            await report_safely(self.reporter, "info",
                                f"Notifikasi tugas {outcome.client_id}: {outcome_text(outcome, self.clock.tz)}",
                                client_id=outcome.client_id)

    async def after_run(self, cycle: CycleResult) -> None:
        outcomes = [pair[1] for c in cycle.clients if (pair := self._outcomes.pop(id(c), None))]
        if cycle.lock_skipped:
            return
        if self.detail == "summary":
            sent = [(o.client_id, o) for o in outcomes if o.queued]
            if sent:
                no_group = [o.client_id for o in outcomes if o.no_group]
                await report_safely(self.reporter, "summary", summary_message(cycle, sent, no_group, self.clock))
                return
        text = failures_message(cycle)  # failures alone: an admin error, deduplicated across runs
        if text is not None:
            await report_safely(self.reporter, "error", text)
