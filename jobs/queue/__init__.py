"""Tasks: units of heavy work that run in-process or on RabbitMQ workers.

Modules: `model` (Task, registry, the queue protocol), `executor` (claim, run,
finish; waiting for results), `in_process` and `rabbit` (the two backends),
`status` (depths and outcomes), `kinds` (the task kinds Cicero ships) and
`collect_runner` (a collection cycle as one task per client).

One abstraction, two backends chosen by `[queue] url`:

* `InProcessQueue` (empty URL, the default) runs tasks as asyncio tasks in the
  calling process, bounded by a concurrency limit.
* `RabbitQueue` publishes tasks to a durable quorum queue through aio-pika
  (robust connection, persistent messages, publisher confirms); `RabbitWorker`
  (`cicero worker`) consumes them with a prefetch from settings. A dead-letter
  exchange/queue receives what the broker gives up on (`x-delivery-limit`) and
  what a worker rejects for good.

PostgreSQL is the truth for every task (`db/tasks.py`): the row is written
before publishing, each start is a *claim* that counts the attempt, and the
row is finished exactly once (`done` or `dead`). A delivery whose row is
already finished is acknowledged without running, so a message redelivered
after a crash never runs the work a second time once it has completed; while a
task runs, its worker holds a PostgreSQL advisory lock on the task id, so a
duplicate delivery waits for the first instead of running beside it. A task
that fails is retried up to `[queue] delivery_limit` times, then marked dead,
dead-lettered and reported to the admins through the `Reporter`
(`bot.adminlog.AdminLog` in the service, which writes the outbox).

Waiting for results is the same for both backends: `wait_for_tasks` listens on
`NOTIFY cicero_tasks` (with a polling fallback) until the rows are finished or
the deadline passes. `QueueRunner` uses it to run a collection cycle as one
task per client.
"""
