"""The admin-report port: how jobs tell operators what happened.

Jobs receive a `Reporter`; the service passes `bot.adminlog.AdminLog`, which
delivers to the admins' WhatsApp through the outbox. `LoggingReporter` is the
default for command-line runs and tests that do not care about delivery.

`info`/`warning`/`error` are single lines (AdminLog buffers info and warnings
into a digest and deduplicates repeated errors); `summary` is a finished
message that goes out as it is, at once (one collection run's account).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

log = logging.getLogger("cicero.report")


class Reporter(Protocol):
    async def info(self, text: str, **context: Any) -> None: ...

    async def warning(self, text: str, **context: Any) -> None: ...

    async def error(self, text: str, **context: Any) -> None: ...

    async def summary(self, text: str, **context: Any) -> None: ...


class LoggingReporter:
    """Reports to the process log only."""

    async def info(self, text: str, **context: Any) -> None:
        log.info("%s %s", text, context or "")

    async def warning(self, text: str, **context: Any) -> None:
        log.warning("%s %s", text, context or "")

    async def error(self, text: str, **context: Any) -> None:
        log.error("%s %s", text, context or "")

    async def summary(self, text: str, **context: Any) -> None:
        log.info("%s %s", text, context or "")
