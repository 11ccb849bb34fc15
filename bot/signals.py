"""SIGINT/SIGTERM as an asyncio.Event: how `cicero run`, `cicero console` and `cicero worker` learn to stop."""

from __future__ import annotations

import asyncio
import signal


def stop_on_signals(stop_event: asyncio.Event) -> asyncio.Event:
    """Set `stop_event` on SIGINT/SIGTERM (the running loop's handlers); returns it."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop_event.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
            pass
    return stop_event
