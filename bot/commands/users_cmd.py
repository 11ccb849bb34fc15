"""`cicero users add|list|dedupe` and `cicero import-users`: personnel management."""

from __future__ import annotations

import time

from jobs.personnel_changes import save_personnel
from bot.commands.common import CliContext, UserError, cli_actor, database, esc, table
from db.clients import get_client
from core.formats import (
    FormatError, clean_personnel_text, normalize_client_id, normalize_nrp, normalize_optional_phone, normalize_username,
)
from db.personnel import Personnel, get_personnel, personnel_of_client
from db.personnel import refresh_statistics as refresh_personnel_statistics
from jobs.personnel_dedupe import find_duplicates, merge_duplicates
from jobs.personnel_import import import_personnel
from jobs.sources.sheet import SheetError, read_source


def register(subparsers) -> None:
    p = subparsers.add_parser("users", help="manage personnel")
    sub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create or update one person")
    add.add_argument("nrp")
    add.add_argument("--client", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--rank")
    add.add_argument("--division")
    add.add_argument("--position")
    add.add_argument("--instagram")
    add.add_argument("--tiktok")
    add.add_argument("--whatsapp")
    add.add_argument("--role", action="append", default=[], help="role such as ditbinmas or operator; repeatable")
    add.add_argument("--exception", action="store_true", help="always counted as done in attendance")
    add.set_defaults(handler=add_user)
    lst = sub.add_parser("list", help="list personnel of a client")
    lst.add_argument("--client", required=True)
    lst.set_defaults(handler=list_users)
    dd = sub.add_parser("dedupe", help="merge personnel stored under another spelling of the same NRP")
    dd.add_argument("--client", help="only this client's personnel")
    dd.add_argument("--dry-run", action="store_true", help="report without writing")
    dd.set_defaults(handler=dedupe_users)

    imp = subparsers.add_parser("import-users", help="import personnel from a Google Sheet URL, .csv or .xlsx")
    imp.add_argument("source", help="Google Sheet URL, path to .csv or .xlsx")
    imp.add_argument("--client", required=True, help="client the personnel belong to")
    imp.add_argument("--dry-run", action="store_true", help="validate and report without writing")
    imp.add_argument("--verbose", action="store_true", help="list every row's outcome")
    imp.set_defaults(handler=import_users)


async def add_user(ctx: CliContext) -> int:
    a = ctx.args
    try:
        nrp = normalize_nrp(a.nrp, length=ctx.settings.personnel.nrp_length)
        name = clean_personnel_text("name", a.name)
        if not name:
            raise FormatError("nama kosong")
        person = Personnel(
            nrp=nrp, name=name, client_id=normalize_client_id(a.client),
            rank=clean_personnel_text("rank", a.rank), division=clean_personnel_text("division", a.division),
            position=clean_personnel_text("position", a.position), instagram=normalize_username(a.instagram),
            tiktok=normalize_username(a.tiktok), whatsapp=normalize_optional_phone(a.whatsapp),
            exception=a.exception, roles=sorted({r.strip().lower() for r in a.role if r.strip()}),
        )
    except FormatError as exc:
        raise UserError(str(exc)) from None
    async with database(ctx) as db:
        if await get_client(db.pool, person.client_id) is None:
            raise UserError(f"client {person.client_id} tidak ditemukan")
        existing = await get_personnel(db.pool, nrp)
        if existing:
            for f in ("rank", "division", "position", "instagram", "tiktok", "whatsapp"):
                if getattr(person, f) is None:
                    setattr(person, f, getattr(existing, f))
            person.roles = sorted(set(existing.roles) | set(person.roles))
            person.exception = person.exception or existing.exception
        await save_personnel(db.pool, cli_actor(), [person],
                             action="personnel.move" if existing and existing.client_id != person.client_id
                             else "personnel.update")
    ctx.console.print(f"{'updated' if existing else 'created'} {esc(person.nrp)} {esc(person.name)} ({esc(person.client_id)})")
    if existing and existing.client_id != person.client_id:
        ctx.console.print(f"[yellow]moved:[/] {esc(person.nrp)} was in {esc(existing.client_id)}; "
                          f"now in {esc(person.client_id)}")
    return 0


async def list_users(ctx: CliContext) -> int:
    async with database(ctx) as db:
        if await get_client(db.pool, ctx.args.client.upper()) is None:
            raise UserError(f"client {ctx.args.client.upper()} tidak ditemukan")
        people = await personnel_of_client(db.pool, ctx.args.client.upper())
    rows = [[p.nrp, p.rank or "", p.name, p.division or "", p.position or "", p.instagram or "-",
             p.tiktok or "-", p.whatsapp or "-", "yes" if p.exception else ""] for p in people]
    ctx.console.print(table(f"{len(people)} personnel of {ctx.args.client.upper()}",
                            ["nrp", "rank", "name", "division", "position", "instagram", "tiktok", "whatsapp", "exception"], rows))
    return 0


async def import_users(ctx: CliContext) -> int:
    a = ctx.args
    client_id = a.client.upper()
    started = time.perf_counter()
    async with database(ctx) as db:
        if await get_client(db.pool, client_id) is None:
            raise UserError(f"client {client_id} tidak ditemukan; buat dulu dengan `cicero clients add`")
        try:
            sheet = await read_source(a.source)
            async with db.pool.acquire() as conn, conn.transaction():
                report = await import_personnel(conn, client_id, sheet, actor=cli_actor(), dry_run=a.dry_run,
                                                nrp_length=ctx.settings.personnel.nrp_length)
            if not a.dry_run:
                await refresh_personnel_statistics(db.pool)
        except SheetError as exc:
            raise UserError(str(exc)) from None
    elapsed = time.perf_counter() - started
    totals = report.totals()
    mode = " (dry run: nothing written)" if a.dry_run else ""
    ctx.console.print(
        f"import {client_id}{mode}: created {totals['created']}, updated {totals['updated']}, "
        f"unchanged {totals['unchanged']}, rejected {totals['rejected']} — {len(sheet.rows)} rows in {elapsed:.2f}s"
    )
    shown = report.outcomes if a.verbose else report.rejected
    if shown:
        ctx.console.print(table("Rows" if a.verbose else "Rejected rows", ["row", "nrp", "name", "outcome", "reason"],
                                [[o.line, o.nrp, o.name, o.outcome, o.reason] for o in shown]))
    return 1 if report.rejected else 0


async def dedupe_users(ctx: CliContext) -> int:
    a = ctx.args
    client_id = normalize_client_id(a.client) if a.client else None
    async with database(ctx) as db:
        groups = await find_duplicates(db.pool, nrp_length=ctx.settings.personnel.nrp_length, client_id=client_id)
        merged = 0 if a.dry_run else await merge_duplicates(db.pool, cli_actor(), groups)
    if not groups:
        ctx.console.print("no near-duplicate NRPs found")
        return 0
    done = "would merge" if a.dry_run else "merged"
    rows = [[g.nrp, ", ".join(p.nrp for p in g.irregular), ", ".join(sorted({p.client_id for p in g.rows})),
             g.rows[0].name, g.problem or done] for g in groups]
    ctx.console.print(table(f"{len(groups)} near-duplicate NRP(s)", ["nrp", "also stored as", "client", "name",
                                                                     "outcome"], rows))
    mode = " (dry run: nothing written)" if a.dry_run else ""
    problems = sum(1 for g in groups if g.problem)
    ctx.console.print(f"dedupe{mode}: {merged} merged, {problems} to check by hand")
    return 1 if problems else 0
