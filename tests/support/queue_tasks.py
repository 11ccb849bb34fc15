"""Task kinds used only by the queue tests; each leaves a trace in `queue_test_effects`."""

from __future__ import annotations

import asyncio
import time

from jobs.queue.model import TaskContext

EFFECTS_DDL = """
CREATE TABLE IF NOT EXISTS queue_test_effects (
    task_id   UUID NOT NULL,
    worker    TEXT NOT NULL,
    attempt   INTEGER NOT NULL,
    started   DOUBLE PRECISION NOT NULL,
    finished  DOUBLE PRECISION NOT NULL
)
"""


async def _effect(ctx: TaskContext, seconds: float) -> dict:
    started = time.monotonic()
    if seconds:
        await asyncio.sleep(seconds)  # simulated work, not waiting for time
    await ctx.pool.execute(
        "INSERT INTO queue_test_effects (task_id, worker, attempt, started, finished) VALUES ($1, $2, $3, $4, $5)",
        ctx.task.id, ctx.worker, ctx.attempt, started, time.monotonic(),
    )
    return {"echo": ctx.task.payload.get("echo"), "attempt": ctx.attempt}


async def effect(ctx: TaskContext) -> dict:
    """Records one effect row, after `payload.seconds` of simulated work."""
    return await _effect(ctx, float(ctx.task.payload.get("seconds", 0)))


async def hang_first(ctx: TaskContext) -> dict:
    """The first attempt never ends (the test kills or cancels it); later attempts record an effect."""
    if ctx.attempt == 1:
        await asyncio.Event().wait()
    return await _effect(ctx, 0)


async def hang(ctx: TaskContext) -> dict:
    """Never ends: every attempt is interrupted (a task that crashes its worker each time)."""
    await asyncio.Event().wait()
    return {}


async def boom(ctx: TaskContext) -> dict:
    """Always fails: a poison task."""
    raise RuntimeError("kaboom: this task always fails")


TEST_HANDLERS = {"effect": effect, "hang_first": hang_first, "hang": hang, "boom": boom}
