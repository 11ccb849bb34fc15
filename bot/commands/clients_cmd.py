"""`cicero clients add|list|set`: manage the clients whose accounts are watched."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.common import CliContext, UserError, cli_actor, database, esc, table
from db.clients import Client, list_clients
from core.formats import FormatError
from jobs.client_changes import ClientExists, ClientNotFound, change_client, create_client


def register(subparsers) -> None:
    p = subparsers.add_parser("clients", help="manage clients (directorates and Polres)")
    sub = p.add_subparsers(dest="clients_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="create a client (an existing id is refused unless --replace)")
    add.add_argument("id", help="client id, e.g. DITBINMAS or POLRES_BLITAR")
    add.add_argument("--name", required=True)
    add.add_argument("--type", required=True, choices=["org", "direktorat"])
    _add_field_options(add)
    add.add_argument("--replace", action="store_true",
                     help="replace EVERY field of an existing client (fields not given become empty)")
    add.set_defaults(handler=add_client)

    lst = sub.add_parser("list", help="list clients")
    lst.add_argument("--active", action="store_true", help="only active clients")
    lst.set_defaults(handler=list_clients_cmd)

    st = sub.add_parser("set", help="change fields of an existing client")
    st.add_argument("id")
    st.add_argument("--name")
    st.add_argument("--type", choices=["org", "direktorat"])
    _add_field_options(st)
    st.add_argument("--active", choices=["yes", "no"], help="client active flag")
    st.add_argument("--instagram-active", choices=["yes", "no"])
    st.add_argument("--tiktok-active", choices=["yes", "no"])
    st.add_argument("--clear-groups", action="store_true", help="remove all group ids before adding --group")
    st.set_defaults(handler=set_client)


def _add_field_options(p) -> None:
    p.add_argument("--instagram", help="Instagram account username")
    p.add_argument("--tiktok", help="TikTok account username")
    p.add_argument("--group", action="append", default=[], help="WhatsApp group id (…@g.us); repeatable")
    p.add_argument("--operator", help="operator WhatsApp number")
    p.add_argument("--super", action="append", default=[], help="super-admin WhatsApp number; repeatable")
    p.add_argument("--regional", help="regional id, e.g. JATIM")
    p.add_argument("--parent", help="parent client id")
    p.add_argument("--secuid", help="TikTok secUid (normally looked up automatically)")


def _saved(ctx: CliContext, saved: Client, fields: tuple[str, ...]) -> None:
    changed = f" — changed: {', '.join(fields)}" if fields else " — nothing changed"
    ctx.console.print(f"saved client [bold]{esc(saved.id)}[/] ({esc(saved.name)}, {saved.type}){changed}")


async def add_client(ctx: CliContext) -> int:
    a = ctx.args
    client = Client(
        id=a.id, name=a.name, type=a.type, instagram=a.instagram, tiktok=a.tiktok, group_ids=a.group,
        operator_phone=a.operator, super_phones=a.super, regional_id=a.regional, parent_id=a.parent,
        tiktok_secuid=a.secuid,
    )
    async with database(ctx) as db:
        try:
            change = await create_client(db.pool, cli_actor(), client, replace_existing=a.replace)
        except ClientExists as exc:
            raise UserError(
                f"client {exc.client_id} already exists; change fields with `cicero clients set {exc.client_id} "
                "--name …/--group …`, or pass --replace to replace every field (its handles, groups and "
                "operator are cleared when not given)") from None
        except (FormatError, ValueError) as exc:
            raise UserError(str(exc)) from None
    _saved(ctx, change.after, () if change.created else change.changed_fields)
    return 0


def _flag(value: str | None, current: bool) -> bool:
    return current if value is None else value == "yes"


def _updated(a, current: Client) -> Client:
    groups = [] if a.clear_groups else list(current.group_ids)
    return replace(
        current,
        name=a.name or current.name,
        type=a.type or current.type,
        instagram=a.instagram if a.instagram is not None else current.instagram,
        tiktok=a.tiktok if a.tiktok is not None else current.tiktok,
        group_ids=groups + a.group,
        operator_phone=a.operator if a.operator is not None else current.operator_phone,
        super_phones=(current.super_phones + a.super) if a.super else current.super_phones,
        regional_id=a.regional if a.regional is not None else current.regional_id,
        parent_id=a.parent if a.parent is not None else current.parent_id,
        tiktok_secuid=a.secuid if a.secuid is not None else current.tiktok_secuid,
        active=_flag(a.active, current.active),
        instagram_active=_flag(a.instagram_active, current.instagram_active),
        tiktok_active=_flag(a.tiktok_active, current.tiktok_active),
    )


async def set_client(ctx: CliContext) -> int:
    a = ctx.args
    async with database(ctx) as db:
        try:
            change = await change_client(db.pool, cli_actor(), a.id, lambda current: _updated(a, current))
        except ClientNotFound as exc:
            raise UserError(f"client {exc.client_id} tidak ditemukan (lihat `cicero clients list`)") from None
        except (FormatError, ValueError) as exc:
            raise UserError(str(exc)) from None
    _saved(ctx, change.after, change.changed_fields)
    return 0


async def list_clients_cmd(ctx: CliContext) -> int:
    async with database(ctx) as db:
        clients = await list_clients(db.pool, active_only=ctx.args.active)
    rows = [
        [c.id, c.name, c.type, "yes" if c.active else "no", c.instagram or "-", c.tiktok or "-",
         "\n".join(c.group_ids) or "-", c.operator_phone or "-"]
        for c in clients
    ]
    ctx.console.print(table(f"{len(clients)} client(s)", ["id", "name", "type", "active", "instagram", "tiktok", "groups", "operator"], rows))
    return 0
