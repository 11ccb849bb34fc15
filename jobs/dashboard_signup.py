"""Self-registration of dashboard accounts, approved by an admin in WhatsApp.

    reg = await register(pool, actor, SignupRequest(...), admins=settings.whatsapp.admins, now=clock.now())
    decision = await decide_registration(pool, Actor(admin_phone, "whatsapp"), reg.id, approve=True,
                                         now=clock.now())

`register` creates the account **inactive** (through `jobs.account_changes`, so
the username, role and client rules and the audit row are the same as for the
CLI and the WhatsApp console), opens a `dashboard_registrations` row, and queues
one approval request per admin in the outbox — all in one transaction, so an
account never waits for an approval nobody was asked for. A self-registered
account may not ask for the `admin` role.

`decide_registration` is what an admin's `ya ID` / `tidak ID` does: once per
registration (a second answer is refused and says who answered first), the
account is activated (approved) or stays inactive (refused), and the applicant
is told on WhatsApp through the outbox, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from core.clock import JAKARTA
from db import signups
from db.audit import Actor, record_change
from db.dashboard_accounts import ADMIN_ROLE
from db.pool import Executor
from db.signups import Registration
from jobs.account_changes import AccountError, change_dashboard_account, create_dashboard_account
from jobs.outbox import enqueue
from jobs.rate_limits import Limit, TooMany
from jobs.task_messages import waktu_panjang

ADDRESS_LIMIT = Limit(5, timedelta(hours=1))     # registrations per client address per window
KIND_REQUEST = "dashboard_registration"
KIND_DECISION = "dashboard_registration_decision"

TEXT_REQUEST = (
    "🆕 *Pendaftaran akun dashboard* #{id}\n"
    "Username: {username}\nPeran: {role}\nClient: {clients}\nWhatsApp: {whatsapp}\nDiajukan: {when}\n\n"
    "Balas *ya {id}* untuk menyetujui atau *tidak {id}* untuk menolak."
)
TEXT_APPROVED = ("✅ Akun dashboard Cicero *{username}* sudah disetujui admin. Silakan login dengan username "
                 "dan password yang Anda daftarkan.")
TEXT_REFUSED = "❌ Pendaftaran akun dashboard Cicero *{username}* ditolak admin. Hubungi admin bila ini keliru."


class RegistrationError(ValueError):
    """A registration or an answer to one that cannot be accepted; the message says why (Indonesian)."""


@dataclass(frozen=True)
class SignupRequest:
    username: str
    password: str
    whatsapp: str
    role: str
    client_ids: list[str]
    ip: str | None = None


@dataclass(frozen=True)
class Decision:
    registration: Registration     # as it was before this answer
    approved: bool
    notified: bool                 # the applicant's notice was queued (they have a WhatsApp number)


def request_text(reg: Registration) -> str:
    return TEXT_REQUEST.format(id=reg.id, username=reg.username, role=reg.role,
                               clients=", ".join(reg.client_ids) or "-", whatsapp=reg.whatsapp or "-",
                               when=waktu_panjang(reg.requested_at.astimezone(JAKARTA)))


async def register(pool: asyncpg.Pool, actor: Actor, req: SignupRequest, *, admins: list[str],
                   now: datetime) -> Registration:
    """Create the inactive account, its registration, and the admins' approval requests (one transaction)."""
    if (req.role or "").strip().lower() == ADMIN_ROLE:
        raise RegistrationError("peran admin tidak dapat didaftarkan sendiri; minta admin membuatkan akun")
    if not (req.whatsapp or "").strip():
        raise RegistrationError("nomor WhatsApp wajib diisi (untuk persetujuan dan reset password)")
    if not admins:
        raise RegistrationError("pendaftaran belum dapat diproses: belum ada admin WhatsApp yang terdaftar")
    if req.ip:
        wait = ADDRESS_LIMIT.wait(await signups.registrations_from_ip_since(pool, req.ip, ADDRESS_LIMIT.since(now)), now)
        if wait:
            raise TooMany("pendaftaran dari alamat ini", wait)
    async with pool.acquire() as conn, conn.transaction():
        try:
            created = await create_dashboard_account(
                conn, actor, username=req.username, role=req.role or "operator", whatsapp=req.whatsapp,
                client_ids=req.client_ids, password=req.password, active=False,
                note="pendaftaran mandiri, menunggu persetujuan admin")
        except AccountError as exc:
            raise RegistrationError(str(exc)) from None
        reg_id = await signups.open_registration(conn, created.account.id, at=now, ip=req.ip)
        reg = await signups.get_registration(conn, reg_id)
        text = request_text(reg)
        for admin in admins:
            await enqueue(conn, recipient=admin, kind=KIND_REQUEST, body=text,
                          idempotency_key=f"dashreg:{reg.id}:{admin}", now=now)
    return reg


def _decided_text(reg: Registration) -> str:
    verb = "disetujui" if reg.decision == "approved" else "ditolak"
    return f"pendaftaran #{reg.id} ({reg.username}) sudah {verb} oleh {reg.decided_by} ({waktu_panjang(reg.decided_at)})"


async def decide_registration(pool: asyncpg.Pool, actor: Actor, registration_id: int, *, approve: bool,
                              now: datetime) -> Decision:
    """Approve or refuse a pending registration once; the applicant is told through the outbox."""
    async with pool.acquire() as conn, conn.transaction():
        reg = await signups.get_registration(conn, registration_id, for_update=True)
        if reg is None:
            raise RegistrationError(f"pendaftaran #{registration_id} tidak ditemukan")
        if not reg.pending:
            raise RegistrationError(_decided_text(reg))
        await signups.decide(conn, reg.id, approved=approve, by=actor.name, at=now)
        await _apply(conn, actor, reg, approve)
        notified = False
        if reg.whatsapp:
            text = (TEXT_APPROVED if approve else TEXT_REFUSED).format(username=reg.username)
            notified = await enqueue(conn, recipient=reg.whatsapp, kind=KIND_DECISION, body=text,
                                     idempotency_key=f"dashreg:{reg.id}:decision", now=now)
    return Decision(reg, approve, notified)


async def _apply(conn: Executor, actor: Actor, reg: Registration, approve: bool) -> None:
    if approve:
        try:
            await change_dashboard_account(conn, actor, reg.username, active=True,
                                           note=f"pendaftaran #{reg.id} disetujui")
        except AccountError as exc:  # e.g. its client was deleted meanwhile
            raise RegistrationError(f"akun {reg.username} tidak dapat diaktifkan: {exc}") from None
        return
    await record_change(conn, actor, action="dashboard_account.registration_refused", entity="dashboard_account",
                        entity_id=reg.username, client_id=reg.client_ids[0] if len(reg.client_ids) == 1 else None,
                        after={"registration": reg.id, "decision": "refused"})
