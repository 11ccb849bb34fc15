"""Personnel self-service over WhatsApp (`userrequest`, `daftar`, `notifwa`).

- menu.py — the personnel menu and the command that opens it (or the binding);
- binding.py — an unregistered number binds itself to an NRP (confirmation, lockout);
- profile.py — my profile: usernames (with "did you mean"), WhatsApp number;
- tasks.py — today's tasks of one person, for `cek tugas saya` and the reminders;
- reminders.py — `notifwa on|off` and the scheduled personal reminders;
- fields.py / writes.py — input rules and the audited writes, shared with the operator menu.
"""

from handlers.personnel import menu, reminders

COMMANDS = [*menu.COMMANDS, *reminders.COMMANDS]

__all__ = ["COMMANDS"]
