"""`cicero worker [--concurrency N]`: consume RabbitMQ tasks (no WhatsApp in this process)."""

from __future__ import annotations

from rich.markup import escape

from bot.commands.common import CliContext, UserError
from bot.worker import run_worker
from jobs.queue.model import QueueUnavailable

EXIT_BROKER = 4  # like an unreachable database: the service the command needs is down


def register(subparsers) -> None:
    p = subparsers.add_parser("worker", help="consume queued tasks from RabbitMQ ([queue] url must be set)")
    p.add_argument("--concurrency", type=int, default=1, metavar="N",
                   help="tasks run at once by this process (default 1)")
    p.set_defaults(handler=worker)


async def worker(ctx: CliContext) -> int:
    if not ctx.settings.queue.url:
        raise UserError(
            "cicero worker needs a broker: set queue.url (CICERO_QUEUE__URL=amqp://…); with an empty url tasks run inside `cicero run`"
        )
    if not 1 <= ctx.args.concurrency <= 64:
        raise UserError("--concurrency must be between 1 and 64")
    try:
        return await run_worker(ctx.settings, ctx.console, concurrency=ctx.args.concurrency)
    except QueueUnavailable as exc:
        ctx.console.print(f"[bold red]Broker error:[/] {escape(str(exc))}", highlight=False)
        return EXIT_BROKER
