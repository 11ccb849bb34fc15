"""Report subscriptions: scheduled reports as data (issue 15).

- `recipients`: recipient specs → chats, from the client record at send time;
- `timing`: times/crons → slots, and the period a slot reports on;
- `status`: each subscription's state (inactive with the reason) and next run;
- `delivery`: the minute tick and "send now", through the outbox;
- `defaults`: the original's daily rhythm, seeded once from `[reports]`;
- `ticker`: the `ScheduledJob` that runs the tick.
"""

from handlers.reports.subscriptions.delivery import SendResult, TickResult, run_due, send_now
from handlers.reports.subscriptions.recipients import Recipients, resolve_recipients
from handlers.reports.subscriptions.status import (
    NextReportRun, SubscriptionStatus, next_report_runs, report_title, subscription_status,
)

__all__ = [
    "NextReportRun", "Recipients", "SendResult", "SubscriptionStatus", "TickResult", "next_report_runs",
    "report_title", "resolve_recipients", "run_due", "send_now", "subscription_status",
]
