"""`personel`: exceptions and status of personnel, and operators' exception requests (admins; super-admins
for their own client).

Steps: main → nrp → reason (exception / (de)activation) | target (move, admins only);
main → requests → decide. Every write goes through `jobs.personnel_admin` (one
transaction with its audit row); a decided request is told to the operator who
asked, through the outbox.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from core.formats import FormatError, clean_text, normalize_nrp
from db.clients import get_client
from db.exception_requests import get_request, pending_requests
from db.personnel import Personnel, get_personnel
from handlers.console.common import back_to_main, optional, shown, when
from handlers.context import Command, HandlerContext, InvalidInput
from handlers.identity import ADMIN_OR_SUPER
from handlers.menus import Choice, Menu, MenuStep, menu_number
from jobs.personnel_changes import PersonnelChange
from jobs.personnel_admin import (
    PersonnelNotFound, decide_exception_request, move_personnel, set_exception, set_personnel_active,
)

MENU_TITLE = "Menu Personel"
MAX_REQUESTS_SHOWN = 20
ACTIONS = {
    "mark": "Tandai pengecualian",
    "unmark": "Hapus pengecualian",
    "requests": "Permintaan pengecualian",
    "deactivate": "Nonaktifkan personel",
    "activate": "Aktifkan personel",
    "move": "Pindahkan ke client lain",
}
ADMIN_ONLY_ACTIONS = frozenset({"move"})


# --------------------------------------------------------------------------- main

async def _pending(ctx: HandlerContext):
    scope = ctx.identity.manageable_client_ids
    return await pending_requests(ctx.pool, list(scope) if scope is not None else None)


async def main_choices(ctx: HandlerContext) -> list[Choice]:
    keys = [k for k in ACTIONS if ctx.identity.is_admin or k not in ADMIN_ONLY_ACTIONS]
    waiting = len(await _pending(ctx))
    labels = {**ACTIONS, "requests": f"{ACTIONS['requests']} ({waiting} menunggu)"}
    return [Choice(str(i), labels[k], k) for i, k in enumerate(keys, 1)]


async def on_main(ctx: HandlerContext, choice: Choice | None, _text: str) -> None:
    action = choice.value if choice else ""
    ctx.conversation.data["action"] = action
    ctx.goto("requests" if action == "requests" else "nrp")


def person_line(p: Personnel) -> str:
    flags = f"pengecualian: {shown(p.exception)} · aktif: {shown(p.active)}"
    return f"👤 {p.rank + ' ' if p.rank else ''}{p.name} (NRP {p.nrp}, {p.client_id}) — {flags}"


# --------------------------------------------------------------------------- nrp → reason / target

async def nrp_prompt(ctx: HandlerContext) -> str:
    action = ACTIONS.get(ctx.conversation.data.get("action") or "", "")
    return f"*{action}*\nKetik *NRP* personel."


async def on_nrp(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    try:
        nrp = normalize_nrp(text, length=ctx.settings.personnel.nrp_length)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    person = await get_personnel(ctx.pool, nrp)
    if person is None or not ctx.identity.may_manage(person.client_id):
        # the same answer for "no such person" and "not yours": no probing other clients' NRPs
        raise InvalidInput(f"❌ Personel dengan NRP {nrp} tidak ditemukan di client Anda.")
    ctx.conversation.data["nrp"] = nrp
    ctx.goto("target" if ctx.conversation.data.get("action") == "move" else "reason")


async def _chosen_line(ctx: HandlerContext) -> str:
    person = await get_personnel(ctx.pool, ctx.conversation.data.get("nrp") or "")
    return person_line(person) if person else ""


async def reason_prompt(ctx: HandlerContext) -> str:
    action = ctx.conversation.data.get("action")
    if action in ("mark", "unmark"):
        ask = "Ketik *alasan* (wajib, mis. cuti melahirkan sampai 30/06)."
    else:
        ask = "Ketik *alasan* (atau *-* tanpa alasan)."
    return f"{await _chosen_line(ctx)}\n{ask}"


def _reason(text: str, *, required: bool) -> str | None:
    try:
        reason = clean_text(optional(text), field="alasan", max_chars=200)
    except FormatError as exc:
        raise InvalidInput(f"❌ {exc}") from None
    if required and not reason:
        raise InvalidInput("❌ Alasan wajib diisi.")
    return reason


async def _saved(ctx: HandlerContext, work: Awaitable[PersonnelChange | None], *, unchanged: str,
                 done: Callable[[PersonnelChange], str]) -> None:
    """Run one write, return to the main step, and say what happened."""
    try:
        change = await work
        text = unchanged if change is None else done(change)
    except PersonnelNotFound as exc:
        text = f"⚠️ {exc}"
    back_to_main(ctx)
    await ctx.reply(text)


async def on_reason(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    action = ctx.conversation.data.get("action")
    nrp = ctx.conversation.data.get("nrp") or ""
    if action in ("mark", "unmark"):
        work = set_exception(ctx.pool, ctx.identity.actor, nrp, action == "mark",
                             reason=_reason(text, required=True) or "")
    else:
        work = set_personnel_active(ctx.pool, ctx.identity.actor, nrp, action == "activate",
                                    reason=_reason(text, required=False))
    await _saved(ctx, work, unchanged="ℹ️ Tidak ada yang berubah: data personel sudah seperti itu.",
                 done=lambda change: f"✅ Disimpan. {person_line(change.after)}")


async def target_prompt(ctx: HandlerContext) -> str:
    return f"{await _chosen_line(ctx)}\nKetik *ID client tujuan*."


async def on_target(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    target = await get_client(ctx.pool, text.strip()[:64]) if text.strip() else None
    if target is None:
        raise InvalidInput(f"❌ Client {text.strip().upper()[:64]} tidak ditemukan.")
    work = move_personnel(ctx.pool, ctx.identity.actor, ctx.conversation.data.get("nrp") or "", target.id)
    await _saved(ctx, work, unchanged=f"ℹ️ Personel itu sudah berada di {target.id}.",
                 done=lambda change: f"✅ Dipindahkan dari {change.before.client_id} ke {change.after.client_id}. "
                                     f"{person_line(change.after)}")


# --------------------------------------------------------------------------- requests → decide

async def requests_prompt(ctx: HandlerContext) -> str:
    requests = (await _pending(ctx))[:MAX_REQUESTS_SHOWN]
    if not requests:
        return "✅ Tidak ada permintaan pengecualian yang menunggu. Ketik *back* untuk kembali."
    people = {r.nrp: await get_personnel(ctx.pool, r.nrp) for r in requests}
    lines = ["📨 *Permintaan pengecualian yang menunggu*", ""]
    for i, r in enumerate(requests, 1):
        name = people[r.nrp].name if people.get(r.nrp) else r.nrp
        what = "tandai" if r.exception else "hapus"
        lines.append(f"{i}. {what} pengecualian: {name} (NRP {r.nrp}, {r.client_id})\n"
                     f"   alasan: {r.reason} — dari {r.requested_by}, {when(r.requested_at, ctx)}")
    lines += ["", "Balas dengan *angka* permintaan untuk memutuskan."]
    return "\n".join(lines)


async def on_requests(ctx: HandlerContext, _choice: Choice | None, text: str) -> None:
    requests = (await _pending(ctx))[:MAX_REQUESTS_SHOWN]
    number = menu_number(text, maximum=len(requests))
    if number is None:
        raise InvalidInput("Pilihan tidak valid." if requests else "Tidak ada permintaan. Ketik *back*.")
    ctx.conversation.data["request_id"] = requests[number - 1].id
    ctx.goto("decide")


DECIDE_CHOICES = [Choice("1", "Setujui", True), Choice("2", "Tolak", False)]


async def decide_choices(ctx: HandlerContext) -> list[Choice]:
    return DECIDE_CHOICES


async def decide_prompt(ctx: HandlerContext) -> str:
    request = await get_request(ctx.pool, int(ctx.conversation.data.get("request_id") or 0))
    if request is None:
        return "Permintaan tidak ditemukan."
    what = "menandai" if request.exception else "menghapus"
    return f"Permintaan #{request.id}: {what} pengecualian NRP {request.nrp}. Keputusan:"


async def on_decide(ctx: HandlerContext, choice: Choice | None, _text: str) -> None:
    request_id = int(ctx.conversation.data.get("request_id") or 0)
    request = await get_request(ctx.pool, request_id)
    ctx.conversation.data.pop("request_id", None)
    ctx.conversation.history[-1:] = []
    ctx.goto("requests", remember=False)
    if request is None or not ctx.identity.may_manage(request.client_id):
        await ctx.reply("❌ Permintaan tidak ditemukan.")
        return
    decision = await decide_exception_request(ctx.pool, ctx.identity.actor, request_id,
                                              approved=bool(choice and choice.value), at=ctx.clock.now())
    if decision is None:
        await ctx.reply("ℹ️ Permintaan itu sudah diputuskan sebelumnya.")
        return
    verdict = "disetujui" if decision.request.decision == "approved" else "ditolak"
    tail = f" {person_line(decision.change.after)}" if decision.change else ""
    await ctx.reply(f"✅ Permintaan #{request_id} {verdict}; {decision.request.requested_by} diberi tahu.{tail}")


MENU = Menu(id="personel", title=MENU_TITLE, start="main", steps=[
    MenuStep("main", prompt="👥 *Menu Personel*", choices=main_choices, handle=on_main),
    MenuStep("nrp", prompt=nrp_prompt, handle=on_nrp, after_reply="prompt"),
    MenuStep("reason", prompt=reason_prompt, handle=on_reason, after_reply="prompt"),
    MenuStep("target", prompt=target_prompt, handle=on_target, after_reply="prompt"),
    MenuStep("requests", prompt=requests_prompt, handle=on_requests, after_reply="prompt"),
    MenuStep("decide", prompt=decide_prompt, choices=decide_choices, handle=on_decide, after_reply="prompt"),
])

COMMANDS = [
    Command(id="personel", triggers=("personel",), usage="personel",
            help="pengecualian dan status personel, permintaan pengecualian dari operator, pindah client",
            allowed=ADMIN_OR_SUPER, menu=MENU),
]
