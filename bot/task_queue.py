"""Bot-side wiring of the task queue (`cicero run`, `cicero fetch`): the queue part and the cycle runner.

    wiring = build_task_queue(settings, pool, clock, reporter)
    parts.append(wiring.queue)                       # a Part: name, start(), stop()
    CollectionPart(..., runner=wiring.runner)        # None: clients run in this process

With `[queue] url` set, `wiring.queue` is a `RabbitQueue` (publisher) and
`wiring.runner` a `QueueRunner`, so each client of a cycle runs on a
`cicero worker` and notifications still go out from this process; the Excel
options of dirrequest submit `build_report` tasks to it. If the broker is
unreachable, the bot still starts, and a cycle runs the clients it could not
publish in-process (admins are warned). Without a URL the queue runs
`build_report` tasks in this process and cycles use the in-process runner.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from core.clock import Clock
from core.reporting import Reporter
from core.settings import Settings
from handlers.reports.queued import REPORT_BUILDERS
from jobs.fetch import in_process_runner
from jobs.queue.collect_runner import QueueRunner
from jobs.queue.executor import Executor
from jobs.queue.in_process import InProcessQueue
from jobs.queue.kinds import default_registry
from jobs.queue.model import TaskQueue
from jobs.queue.rabbit import RabbitQueue


@dataclass
class TaskQueueWiring:
    queue: TaskQueue
    runner: QueueRunner | None  # the cycle's per-client strategy when a broker is configured


def build_task_queue(settings: Settings, pool: asyncpg.Pool, clock: Clock, reporter: Reporter) -> TaskQueueWiring:
    if settings.queue.url:
        # The bot starts even when the broker is down; a cycle then runs the clients the broker
        # would not take in this process (and tells the admins) rather than losing the run.
        queue = RabbitQueue(settings.queue, pool, required=False)
        grace = max(60.0, settings.fetch.run_deadline_minutes * 60 * 0.25)
        runner = QueueRunner(queue, pool, grace_seconds=grace, fallback=in_process_runner)
        return TaskQueueWiring(queue=queue, runner=runner)
    executor = Executor(pool=pool, registry=default_registry(), clock=clock, reporter=reporter,
                        delivery_limit=settings.queue.delivery_limit,
                        services={"settings": settings, "report_builders": dict(REPORT_BUILDERS)})
    return TaskQueueWiring(queue=InProcessQueue(executor, concurrency=2), runner=None)
