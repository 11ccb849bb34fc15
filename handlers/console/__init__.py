"""The WhatsApp admin console: onboarding and managing clients, personnel, groups and accounts without a shell.

| command | who | module |
|---|---|---|
| `grup` / `thisgroup` (in a group) | admin | `groups.py` |
| `klien` / `clientrequest` | admin | `clients.py` (+ `client_form.py`) |
| `import CLIENT [LINK]` (or a document) | admin, super-admin (own client) | `imports.py` |
| `personel` | admin, super-admin (own client) | `personnel.py` |
| `akun` | admin | `accounts.py` |
| `riwayat [CLIENT]` | admin, super-admin (own client) | `history.py` |
| `tugas` / `posttugas` | admin, super-admin (own client) | `task_posts.py` |

Scope comes from `handlers.identity` (`may_manage`, `manageable_client_ids`);
writes go through `jobs/` (client_changes, personnel_admin, import_previews,
account_changes, admin_groups, manual_posts), each audited in its transaction.
"""

from handlers.console import accounts, clients, groups, history, imports, personnel, task_posts

COMMANDS = [*groups.COMMANDS, *clients.COMMANDS, *imports.COMMANDS, *personnel.COMMANDS, *accounts.COMMANDS,
            *history.COMMANDS, *task_posts.COMMANDS]

__all__ = ["COMMANDS"]
