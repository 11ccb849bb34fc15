"""A Reporter that remembers what it was told (for tests of jobs that report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordingReporter:
    records: list[tuple[str, str, dict]] = field(default_factory=list)

    async def info(self, text: str, **context: Any) -> None:
        self.records.append(("info", text, context))

    async def warning(self, text: str, **context: Any) -> None:
        self.records.append(("warning", text, context))

    async def error(self, text: str, **context: Any) -> None:
        self.records.append(("error", text, context))

    async def summary(self, text: str, **context: Any) -> None:
        self.records.append(("summary", text, context))

    def texts(self, level: str | None = None) -> list[str]:
        return [t for lv, t, _ in self.records if level is None or lv == level]
