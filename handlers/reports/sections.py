"""Numbered sections of a WhatsApp report, numbered from what is actually shown.

A report is a list of `Section`s; the ones that are not shown (an empty
bottom list, a platform without content) are left out *before* numbering, so
the numbers read 1, 2, 3 … whatever the data (option 21 used to jump from 3
to 5 when its bottom list was empty).

    lines += render_sections([
        Section("🔥 5 satker tertinggi", top_lines, suffix=" (Capaian tugas)"),
        Section("❄️ 5 satker terendah", bottom_lines),          # left out when empty
        Section("Sisa tugas:", backlog_lines, suffix=" 12 tugas", always=True),
    ])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True)
class Section:
    heading: str                            # '🔥 5 satker tertinggi' → '*3. 🔥 5 satker tertinggi*'
    lines: list[str] = field(default_factory=list)
    suffix: str = ""                        # after the bold heading: ' (Capaian tugas)', ' 12 tugas'
    always: bool = False                    # shown even without lines (a heading that carries a figure)
    numbered: bool = True                   # False: a bold heading between numbered sections, no number

    @property
    def shown(self) -> bool:
        return self.always or bool(self.lines)


def render_sections(sections: Iterable[Section], *, start: int = 1) -> list[str]:
    """The shown sections, each after a blank line, numbered start, start+1, … in order."""
    out: list[str] = []
    number = start
    for s in sections:
        if not s.shown:
            continue
        if s.numbered:
            out += ["", f"*{number}. {s.heading}*{s.suffix}", *s.lines]
            number += 1
        else:
            out += ["", f"*{s.heading}*{s.suffix}", *s.lines]
    return out
