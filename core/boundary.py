"""The error boundary: one way to run work whose failure must not stop what called it.

A scheduled job, a chat handler, a part's start/stop or a best-effort step
(refreshing statistics, reporting to the admins) runs inside `guarded(...)`:

    async with guarded("scheduled collection", log, reporter=reporter,
                       report="Jadwal pengambilan data gagal dijalankan", job=job_id) as guard:
        await run_cycle(...)
    if guard.failed: ...

An `Exception` inside the block is logged once with the action and its context
(client, chat, message id, job run id…), optionally reported to the admins,
and swallowed; `guard.error` holds it. Cancellation and other `BaseException`s
(shutdown, a killed task) always propagate. Reporting itself never raises
(`report_safely`), so a broken admin log cannot turn one failure into two.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Iterator, Literal

from core.reporting import Reporter

_log = logging.getLogger("cicero.boundary")

Level = Literal["info", "warning", "error"]
MAX_DESCRIPTION_CHARS = 1000


@dataclass
class Guard:
    """What a guarded block left behind: the exception it swallowed, if any."""

    error: Exception | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def describe(exc: BaseException, limit: int = MAX_DESCRIPTION_CHARS) -> str:
    """`ClassName: message`, cut to `limit` characters: how an error is shown to an operator."""
    text = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _log_failure(action: str, logger: logging.Logger | None, level: Level, traceback: bool,
                 context: dict[str, Any], exc: Exception) -> None:
    where = " ".join(f"{k}={v}" for k, v in context.items() if v is not None)
    (logger or _log).log(logging.ERROR if level == "error" else logging.WARNING,
                         "%s failed%s: %s", action, f" ({where})" if where else "", describe(exc),
                         exc_info=exc if traceback else None)


async def report_safely(reporter: Reporter | None, level: Level | Literal["summary"], text: str,
                        **context: Any) -> bool:
    """Send `text` to the admin log (`summary`: as one message of its own); a failing reporter is
    logged, never raised. True when sent."""
    if reporter is None:
        return False
    try:
        await getattr(reporter, level)(text, **context)
        return True
    except Exception:
        _log.exception("could not report to the admins: %r", text[:200])
        return False


@asynccontextmanager
async def guarded(action: str, logger: logging.Logger | None = None, *, reporter: Reporter | None = None,
                  report: str | None = None, level: Level = "error", traceback: bool = True,
                  **context: Any) -> AsyncIterator[Guard]:
    """Run the block; log (and report) an `Exception` it raises, then carry on.

    `report` is the admin-log text (Indonesian, for people); the exception's
    description is appended to it. `traceback=False` logs one line instead of
    the traceback, for expected failures (an unreachable optional service).
    """
    guard = Guard()
    try:
        yield guard
    except Exception as exc:
        guard.error = exc
        _log_failure(action, logger, level, traceback, context, exc)
        if report is not None:
            await report_safely(reporter, level, f"{report}: {describe(exc)}", **context)


@contextmanager
def guarded_sync(action: str, logger: logging.Logger | None = None, *, traceback: bool = True,
                 **context: Any) -> Iterator[Guard]:
    """`guarded` for synchronous code (event callbacks of a library thread, cleanup)."""
    guard = Guard()
    try:
        yield guard
    except Exception as exc:
        guard.error = exc
        _log_failure(action, logger, "error", traceback, context, exc)
