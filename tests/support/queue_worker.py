"""A `cicero worker` process with the test task kinds added: `python -m tests.support.queue_worker N`.

Settings come from CICERO_* environment variables (database url, queue url and
queue name). Used by tests that kill a worker process.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from core.settings import load_settings
from bot.worker import run_worker
from tests.support.queue_tasks import TEST_HANDLERS


def main() -> int:
    concurrency = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    settings = load_settings(Path(tempfile.gettempdir()) / "cicero-absent-config.toml").settings
    console = Console(force_terminal=False, soft_wrap=True)
    return asyncio.run(run_worker(settings, console, concurrency=concurrency, extra_handlers=TEST_HANDLERS))


if __name__ == "__main__":
    sys.exit(main())
