"""Bot-side wiring of the task queue (`cicero run`): the queue part and the cycle runner.

    wiring = build_task_queue(settings, pool, clock, reporter)
    parts.append(wiring.queue)                       # a Part: name, start(), stop()
    scheduler = build_scheduler_part(...)
    scheduler.run_cycle = wiring.run_cycle           # None-safe: plain run_cycle without a broker

With `[queue] url` set, `wiring.queue` is a `RabbitQueue` (publisher) and
`wiring.run_cycle` is `jobs.fetch.run_cycle` with a `QueueRunner`, so each
client of a cycle runs on a `cicero worker` and notifications still go out
from this process. If the broker is unreachable, the bot still starts, and a
cycle runs the clients it could not publish in-process (admins are warned). Without a URL the queue runs `build_report` tasks in this
process and the cycle keeps its default in-process runner.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

from bot.report_tasks import REPORT_BUILDERS
from core.settings import Settings
from core.clock import Clock
from jobs.queue import Executor, InProcessQueue, QueueRunner, RabbitQueue, TaskQueue
from jobs.queue_tasks import default_registry
from core.reporting import Reporter


@dataclass
class TaskQueueWiring:
    queue: TaskQueue
    runner: QueueRunner | None  # the cycle's per-client strategy when a broker is configured

    @property
    def run_cycle(self) -> Callable[..., Any]:
        """`jobs.fetch.run_cycle`, with the queue runner bound when there is one."""
        from jobs.fetch import run_cycle

        return functools.partial(run_cycle, runner=self.runner) if self.runner else run_cycle


def build_task_queue(settings: Settings, pool, clock: Clock, reporter: Reporter) -> TaskQueueWiring:
    if settings.queue.url:
        from jobs.fetch import in_process_runner

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
