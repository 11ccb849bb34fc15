"""How the service wires notifications: the admin log, the outbox sender and the after-client hook.

`bot/app.py` calls these from `build_parts` so that the wiring of this concern
lives in one small place:

    admin_log = build_admin_log(app)                   # a Reporter and a part (digest)
    sender = build_outbox_sender(app, gateway, admin_log)   # a part; after the gateway
    after_client = build_after_client(app, admin_log)  # FetchDeps.after_client for the scheduler

Start order: gateway, admin log, sender (stop runs in reverse, so the sender
stops before the gateway it sends through).
"""

from __future__ import annotations

from typing import Awaitable, Callable

from bot.adminlog import AdminLog
from jobs.notify import make_after_client
from jobs.outbox import OutboxSender
from core.reporting import Reporter


def build_admin_log(app) -> AdminLog:
    return AdminLog(pool=app.db.pool, settings=app.settings, clock=app.clock)


def build_outbox_sender(app, gateway, reporter: Reporter) -> OutboxSender:
    sender = OutboxSender(app.db.pool, gateway, app.settings, app.clock, reporter)
    add_listener = getattr(gateway, "add_connected_listener", None)
    if callable(add_listener):
        add_listener(sender.wake)  # drain at once when WhatsApp (re)connects
    return sender


def build_after_client(app, reporter: Reporter) -> Callable[[object], Awaitable[None]]:
    return make_after_client(app.db.pool, app.settings, app.clock, reporter)
