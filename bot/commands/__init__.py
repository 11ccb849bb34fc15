"""Subcommands of `cicero`; each module has `register(subparsers)`. Add new ones here."""

from bot.commands import (
    api_cmd, attendance_cmd, audit_cmd, backup_cmd, clients_cmd, config_cmd, console_cmd, db_cmd, demo_cmd,
    doctor_cmd, fetch_cmd, outbox_cmd, posts_cmd, queue_cmd, quota_cmd, reports_cmd, run_cmd, schedule_cmd,
    users_cmd, worker_cmd,
)

COMMAND_MODULES = [
    run_cmd,
    console_cmd,
    config_cmd,
    db_cmd,
    backup_cmd,
    clients_cmd,
    users_cmd,
    attendance_cmd,
    doctor_cmd,
    worker_cmd,
    queue_cmd,
    outbox_cmd,
    reports_cmd,
    api_cmd,
    audit_cmd,
    fetch_cmd,
    quota_cmd,
    posts_cmd,
    schedule_cmd,
    demo_cmd,
]
