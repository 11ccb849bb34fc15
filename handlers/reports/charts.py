"""Charts sent as PNG beside a recap: share per satker, sorted, with the target line.

Rendered with matplotlib on the Agg canvas attached to a `Figure` built here —
no pyplot, so no global figure state and nothing shared between two reports
built at once. matplotlib is imported inside the functions: it costs a few
hundred milliseconds, paid only by a report that draws a chart, not by every
`cicero` start.

Readable on a phone: 1200 px wide (≥ 1080), labels at 15–22 pt, one bar per
unit, the best at the top. The chat port has no image message, so a chart
travels as a `Document` with mimetype `image/png` (`chart_document`).
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from typing import TYPE_CHECKING, Sequence

from core.chat_port import Document
from handlers.reports.attendance import CAPAIAN
from handlers.reports.formatting import id_number, id_time

if TYPE_CHECKING:
    from handlers.reports.recaps import CombinedRecap

PNG_MIMETYPE = "image/png"
WIDTH_INCHES = 12.0
DPI = 100                       # 12 in × 100 dpi = 1200 px
MAX_BARS = 60                   # more units: the highest and lowest 30 are drawn, the middle is named in a note
MAX_LABEL = 28                  # characters of a unit name on the axis
MAX_TITLE = 90
BAR_INCHES = 0.42
GOOD, BAD, NEUTRAL, TARGET = "#2E7D32", "#C62828", "#1F4E78", "#F9A825"


def _fmt_percent(value: float) -> str:
    return f"{id_number(value, 1)}%"


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _checked(labels: Sequence[str], shares: Sequence[float], target: float | None) -> list[tuple[str, float]]:
    if len(labels) != len(shares):
        raise ValueError(f"share_chart: {len(labels)} labels but {len(shares)} shares")
    if not labels:
        raise ValueError("share_chart: nothing to draw")
    if target is not None and not (math.isfinite(target) and 0 <= target <= 100):
        raise ValueError(f"share_chart: target {target!r} is not a percentage")
    bars = []
    for label, value in zip(labels, shares):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"share_chart: share of {label!r} is not a number")
        bars.append((_short(label, MAX_LABEL), min(max(value, 0.0), 100.0)))
    return bars


def _limited(bars: list[tuple[str, float]]) -> tuple[list[tuple[str, float]], int]:
    """At most MAX_BARS bars: the highest and the lowest halves (the middle is counted in a note)."""
    if len(bars) <= MAX_BARS:
        return bars, 0
    half = MAX_BARS // 2
    return bars[:half] + bars[-half:], len(bars) - 2 * half


def share_chart(title: str, labels: Sequence[str], shares: Sequence[float], *, target: float | None,
                subtitle: str = "") -> bytes:
    """A PNG of horizontal bars, one per label, sorted by share (percent, 0–100) descending, the best on top.

    Bars at or above `target` are green, below it red, and a dashed line marks the target; with no target
    every bar is blue. ValueError for mismatched or empty input, a non-finite share or a target outside 0–100."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bars = sorted(_checked(labels, shares, target), key=lambda b: (-b[1], b[0]))
    bars, hidden = _limited(bars)
    if hidden:
        note = f"{hidden} unit di tengah urutan tidak ditampilkan"
        subtitle = f"{subtitle} · {note}" if subtitle else note
    height = max(5.0, 2.4 + BAR_INCHES * len(bars))
    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names = [b[0] for b in bars]
    values = [b[1] for b in bars]
    colours = [NEUTRAL if target is None else GOOD if v >= target - 1e-9 else BAD for v in values]
    positions = range(len(bars))
    ax.barh(positions, values, color=colours, height=0.7)
    ax.set_yticks(positions, labels=names, fontsize=15)
    ax.invert_yaxis()                                   # the first (highest) bar at the top
    ax.set_xlim(0, 112)                                 # room for the value labels past 100%
    ax.set_xticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"], fontsize=14)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)
    for y, value in zip(positions, values):
        ax.text(value + 1.0, y, _fmt_percent(value), va="center", fontsize=14)
    if target is not None:
        ax.axvline(target, color=TARGET, linestyle="--", linewidth=3)
        ax.text(target, -0.9, f"Target {_fmt_percent(target)}", ha="center", va="bottom", fontsize=14,
                color="#6D4C00", fontweight="bold")
    fig.suptitle(_short(title, MAX_TITLE), fontsize=22, fontweight="bold")
    if subtitle:
        ax.set_title(_short(subtitle, MAX_TITLE * 2), fontsize=15, color="#444444", pad=28 if target is not None else 8)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def chart_document(png: bytes, filename: str, caption: str | None = None) -> Document:
    """A chart as something the chat port can send (it has no image message)."""
    return Document(data=png, filename=filename, mimetype=PNG_MIMETYPE, caption=caption)


def render_combined_recap_chart(recap: "CombinedRecap", now: datetime, *, target: float | None) -> bytes | None:
    """Option 21's chart: the capaian tugas (Instagram + TikTok) of every unit of the recap that has tasks
    (satker, or divisions for a single client); None when no unit has one."""
    units = [u for u in recap.units if u.capaian is not None]
    if not units:
        return None
    title = f"{CAPAIAN.label} per {recap.unit_kind} (Instagram + TikTok)"
    subtitle = f"{recap.client.name} · {recap.period.label()} · dibuat pukul {id_time(now)}"
    return share_chart(title, [u.name for u in units], [u.capaian for u in units], target=target, subtitle=subtitle)
