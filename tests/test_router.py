"""The chat router through the fake transport: who may talk, menus, timeouts, errors, long replies."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from bot.router import (
    TEXT_APOLOGY,
    TEXT_REFUSAL,
    TEXT_UNKNOWN,
    Outcome,
    Router,
    split_message,
)
from bot.whatsapp.fake import FakeGateway
from db.clients import Client, upsert_client
from handlers import admin, status
from handlers.context import Command, HandlerContext, InvalidInput
from handlers.identity import ADMIN_ONLY, ANY_KNOWN, Role
from handlers.menus import TEXT_HINT, Choice, Menu, MenuStep
from core.clock import JAKARTA, ManualClock
from tests.support.recording_reporter import RecordingReporter
from tests.support.chat import start_chat

ADMIN = "6281100000001"
OPERATOR = "6281200000002"
DASHBOARD = "6281300000003"
STRANGER = "6289900000009"
GROUP = "120363000000000001@g.us"


# -- a small menu used by these tests -----------------------------------------------------

async def main_choices(ctx):
    return [Choice("1", "Halo"), Choice("2", "Isi nama"), Choice("3", "Rusak"), Choice("4", "Panjang")]


async def on_main(ctx: HandlerContext, choice: Choice | None, text: str):
    if choice.key == "1":
        ctx.conversation.data["hello"] = ctx.conversation.data.get("hello", 0) + 1
        await ctx.reply("halo juga")
    elif choice.key == "2":
        ctx.goto("name")
    elif choice.key == "3":
        ctx.conversation.data["half_done"] = True
        raise RuntimeError("boom in step")
    elif choice.key == "4":
        await ctx.reply("\n".join(f"baris {i:04d} " + "x" * 60 for i in range(200)))
        ctx.skip_prompt()


async def on_name(ctx: HandlerContext, choice, text: str):
    if len(text) < 3:
        raise InvalidInput("Nama terlalu pendek.")
    ctx.conversation.data["name"] = text
    ctx.goto("confirm")


async def confirm_choices(ctx):
    return [Choice("1", "Ya"), Choice("2", "Tidak")]


async def on_confirm(ctx, choice, text):
    await ctx.reply(f"tersimpan: {ctx.conversation.data['name']}")
    ctx.close_menu()


TEST_MENU = Menu(
    id="testmenu",
    title="Menu Uji",
    start="main",
    steps=[
        MenuStep("main", prompt="*Menu Uji*", choices=main_choices, handle=on_main),
        MenuStep("name", prompt="Ketik nama:", handle=on_name),
        MenuStep("confirm", prompt=lambda ctx: _confirm_prompt(ctx), choices=confirm_choices, handle=on_confirm),
    ],
)


async def _confirm_prompt(ctx):
    return f"Simpan {ctx.conversation.data['name']}?"


async def crash(ctx, args):
    raise ValueError("kaboom")


TEST_COMMANDS = [
    *admin.COMMANDS,
    *status.COMMANDS,
    Command(id="testmenu", triggers=("uji",), help="menu uji", allowed=ANY_KNOWN, menu=TEST_MENU),
    Command(id="crash", triggers=("crash",), help="selalu gagal", allowed=ADMIN_ONLY, handler=crash),
    Command(id="ping", triggers=("ping",), help="ping", allowed=ADMIN_ONLY, handler=lambda c, a: c.reply("pong"),
            in_groups=True),
]


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 2, 17, 9, 0, tzinfo=JAKARTA))


@pytest.fixture
def gateway():
    return FakeGateway(lid_map={"111222333@lid": OPERATOR})


@pytest.fixture
def reporter():
    return RecordingReporter()


@pytest.fixture
async def router(pool, settings, clock, gateway, reporter):
    r = make_router(pool, settings, clock, gateway, reporter)
    await start_chat(gateway, r)
    await upsert_client(pool, Client(id="POLRES_A", name="Polres A", type="org", operator_phone=OPERATOR))
    await pool.execute(
        "INSERT INTO dashboard_accounts (username, password_hash, role, whatsapp) VALUES ('dir', 'x', 'ditbinmas', $1)",
        DASHBOARD,
    )
    return r


def make_router(pool, settings, clock, gateway, reporter):
    return Router(settings=settings, pool=pool, clock=clock, reporter=reporter, gateway=gateway,
                  commands=TEST_COMMANDS)


def last(gateway, phone=ADMIN):
    texts = gateway.texts(f"{phone}@s.whatsapp.net")
    return texts[-1] if texts else None


# -- authorisation --------------------------------------------------------------------------

async def test_admin_gets_help_listing_admin_commands(router, gateway):
    assert await gateway.inject("  HELP  ", phone=ADMIN) is Outcome.REPLIED
    text = last(gateway)
    assert "*status*" in text and "*fetch [likes] [CLIENT]*" in text and "*uji*" in text


async def test_operator_may_use_menus_but_not_admin_commands(router, gateway):
    await gateway.inject("help", phone=OPERATOR)
    text = last(gateway, OPERATOR)
    assert "*uji*" in text and "*status*" not in text
    await gateway.inject("status", phone=OPERATOR)
    assert last(gateway, OPERATOR) == "❌ Anda tidak memiliki akses ke perintah *status*."


async def test_dashboard_account_is_recognised(router, gateway):
    identity = await router.resolve_identity(gateway.message("x", phone=DASHBOARD))
    assert identity.roles == {Role.DASHBOARD}
    assert identity.dashboard_accounts[0].role == "ditbinmas"


async def test_operator_and_super_phones_are_matched_after_normalisation(router, gateway, pool):
    await upsert_client(pool, Client(id="POLRES_B", name="B", type="org", super_phones=["0812-7777-0000"],
                                     operator_phone="0812-6666-0000"))
    identity = await router.resolve_identity(gateway.message("x", phone="+62 812 7777 0000"))
    assert identity.roles == {Role.SUPER_ADMIN} and identity.super_client_ids == ("POLRES_B",)
    assert identity.operator_client_ids == () and identity.may_manage("polres_b") and not identity.may_manage("X")
    operator = await router.resolve_identity(gateway.message("x", phone="6281266660000"))
    assert operator.roles == {Role.OPERATOR} and operator.operator_client_ids == ("POLRES_B",)
    assert operator.manageable_client_ids == () and not operator.may_manage("POLRES_B")


async def test_unknown_sender_is_refused_once_per_period_and_audited(router, gateway, clock, caplog):
    assert await gateway.inject("help", phone=STRANGER) is Outcome.REFUSED
    assert await gateway.inject("status", phone=STRANGER) is Outcome.REFUSED_RECENTLY
    assert gateway.texts(f"{STRANGER}@s.whatsapp.net") == [TEXT_REFUSAL]
    assert any("refused unknown sender 6289900000009" in r.getMessage() for r in caplog.records)
    clock.advance(hours=2)
    assert await gateway.inject("help", phone=STRANGER) is Outcome.REFUSED


async def test_lid_sender_is_resolved_through_the_gateway(router, gateway):
    outcome = await gateway.inject("help", phone=None, lid="111222333@lid", chat="111222333@lid")
    assert outcome is Outcome.REPLIED
    assert "*uji*" in gateway.texts("111222333@lid")[-1]


async def test_unresolvable_lid_is_unknown(router, gateway):
    assert await gateway.inject("help", phone=None, lid="999@lid", chat="999@lid") is Outcome.REFUSED
    assert gateway.texts("999@lid") == [TEXT_REFUSAL]


async def test_groups_never_open_menus_and_stay_silent_for_strangers(router, gateway):
    assert await gateway.inject("uji", phone=ADMIN, chat=GROUP) is Outcome.GROUP
    assert await gateway.inject("help", phone=STRANGER, chat=GROUP) is Outcome.GROUP
    assert await gateway.inject("ping", phone=ADMIN, chat=GROUP) is Outcome.REPLIED
    assert gateway.texts(GROUP) == ["pong"]


async def test_duplicate_message_ids_are_processed_once(router, gateway):
    assert await gateway.inject("help", message_id="M1") is Outcome.REPLIED
    assert await gateway.inject("help", message_id="M1") is Outcome.DUPLICATE
    assert len(gateway.sent) == 1


async def test_unknown_command_gets_a_hint(router, gateway):
    await gateway.inject("apa kabar")
    assert last(gateway) == TEXT_UNKNOWN
    await gateway.inject("help me please")  # help takes no arguments
    assert last(gateway) == TEXT_UNKNOWN


# -- menus ----------------------------------------------------------------------------------

async def test_menu_flow_with_invalid_input_back_and_batal(router, gateway, pool):
    await gateway.inject("UJI")
    assert last(gateway).startswith("*Menu Uji*") and "1. Halo" in last(gateway)
    await gateway.inject("9")
    # a wrong input gets one line with the valid range, not the whole menu again
    assert last(gateway) == "Pilihan tidak valid. Balas 1–4, *menu* untuk daftar pilihan, atau *batal* untuk keluar."
    await gateway.inject("2")
    assert last(gateway).startswith("Ketik nama:")
    await gateway.inject("ab")
    assert last(gateway) == f"Nama terlalu pendek.\n{TEXT_HINT}"
    await gateway.inject("menu")  # the question again, on request
    assert last(gateway).startswith("Ketik nama:")
    await gateway.inject("kembali")
    assert last(gateway).startswith("*Menu Uji*")
    await gateway.inject("2")
    await gateway.inject("Budi")
    assert last(gateway).startswith("Simpan Budi?")
    await gateway.inject("back")
    assert last(gateway).startswith("Ketik nama:")
    await gateway.inject("Batal")
    assert last(gateway) == "✅ Menu Uji ditutup."
    assert await pool.fetchval("SELECT count(*) FROM conversation_sessions") == 0
    await gateway.inject("1")
    assert last(gateway) == TEXT_UNKNOWN


async def test_after_a_reply_the_menu_sends_a_one_line_hint_not_the_whole_menu(router, gateway):
    await gateway.inject("uji")
    gateway.take()
    await gateway.inject("1")
    assert gateway.texts() == ["halo juga", TEXT_HINT]
    assert TEXT_HINT == "Ketik *menu* untuk daftar pilihan, *batal* untuk keluar."
    gateway.take()
    await gateway.inject("Menu")
    assert gateway.texts()[-1].startswith("*Menu Uji*") and "4. Panjang" in gateway.texts()[-1]
    gateway.take()
    await gateway.inject("2")  # no reply from the step, a new question: its prompt follows
    assert gateway.texts() == ["Ketik nama:\n\nKetik *back* untuk kembali atau *batal* untuk keluar."]


async def test_menu_completes_and_closes(router, gateway, pool):
    for text in ("uji", "2", "Budi", "1"):
        await gateway.inject(text)
    assert gateway.texts()[-1] == "tersimpan: Budi"
    assert await pool.fetchval("SELECT count(*) FROM conversation_sessions") == 0


async def test_back_at_the_first_step_reprompts_it(router, gateway):
    await gateway.inject("uji")
    await gateway.inject("0")
    assert last(gateway).startswith("*Menu Uji*")


async def test_restart_in_the_middle_of_a_conversation(router, gateway, pool, settings, clock, reporter):
    await gateway.inject("uji")
    await gateway.inject("2")
    # a new process: new router, new gateway, same database
    gateway2 = FakeGateway()
    router2 = make_router(pool, settings, clock, gateway2, reporter)
    await gateway2.start(router2.handle)
    await gateway2.inject("Siti")
    assert last(gateway2).startswith("Simpan Siti?")


async def test_timeout_slides_and_expiry_gives_a_notice(router, gateway, clock):
    await gateway.inject("uji")
    clock.advance(minutes=9)
    await gateway.inject("1")
    assert gateway.texts()[-2] == "halo juga"
    clock.advance(minutes=9)  # 18 minutes after opening, 9 after the last message: still open
    await gateway.inject("1")
    assert gateway.texts()[-2] == "halo juga"
    clock.advance(minutes=11)
    await gateway.inject("1")
    assert last(gateway).startswith("⌛ Sesi menu sebelumnya berakhir") and "10 menit" in last(gateway)
    await gateway.inject("1")
    assert last(gateway) == TEXT_UNKNOWN


async def test_expired_session_then_a_command_runs_it_after_the_notice(router, gateway, clock):
    await gateway.inject("uji")
    clock.advance(minutes=30)
    await gateway.inject("uji")
    assert gateway.texts()[-2].startswith("⌛")
    assert last(gateway).startswith("*Menu Uji*")


# -- error boundary --------------------------------------------------------------------------

async def test_exception_in_a_command_apologises_and_reports(router, gateway, reporter):
    assert await gateway.inject("crash", message_id="ERR1") is Outcome.ERROR
    assert last(gateway) == TEXT_APOLOGY
    (level, text, context), = reporter.records
    assert level == "error" and "kaboom" in text
    assert context == {"chat": f"{ADMIN}@s.whatsapp.net", "message_id": "ERR1"}


async def test_exception_in_a_menu_step_keeps_the_conversation_consistent(router, gateway, pool, reporter):
    await gateway.inject("uji")
    await gateway.inject("1")
    assert await gateway.inject("3") is Outcome.ERROR
    assert last(gateway) == TEXT_APOLOGY
    state = await pool.fetchval("SELECT state FROM conversation_sessions")
    assert state["step"] == "main" and state["data"] == {"hello": 1}  # no half-done flag
    await gateway.inject("1")
    assert gateway.texts()[-2] == "halo juga"


async def test_send_failure_is_contained(router, gateway, reporter):
    gateway.set_connected(False)
    assert await gateway.inject("help") is Outcome.ERROR
    assert reporter.texts("error")


# -- long replies ----------------------------------------------------------------------------

async def test_long_reply_is_split_on_line_boundaries(router, gateway, settings):
    await gateway.inject("uji")
    gateway.take()
    await gateway.inject("4")
    parts = gateway.texts()
    limit = settings.whatsapp.max_message_chars
    assert len(parts) > 1 and all(len(p) <= limit for p in parts)
    lines = "\n".join(parts).split("\n")
    assert lines == [f"baris {i:04d} " + "x" * 60 for i in range(200)]


def test_split_message_hard_splits_a_single_huge_line():
    chunks = split_message("a" * 450 + "\nb", 200)
    # the long line is cut at the limit; its tail and the next line share the last chunk
    assert chunks == ["a" * 200, "a" * 200, "a" * 50 + "\nb"]


@given(text=st.text(min_size=0, max_size=3000), limit=st.integers(min_value=200, max_value=1000))
def test_split_message_never_exceeds_the_limit_and_keeps_lines(text, limit):
    chunks = split_message(text, limit)
    assert all(len(c) <= limit for c in chunks)
    if text.strip() and "\n" not in text and len(text) <= limit:
        assert chunks == [text]


# -- generated input ---------------------------------------------------------------------------

WORDS = ["help", "status", "uji", "1", "2", "3", "4", "0", "back", "batal", "kembali", "crash", "fetch", "ping",
         "fetch zzz", "jadwal", "HELP", " uji ", ""]


SAMPLES = st.tuples(
    st.sampled_from([ADMIN, OPERATOR, DASHBOARD, STRANGER, None]),
    st.one_of(st.sampled_from(WORDS), st.text(max_size=200)),
    st.booleans(),
    st.integers(0, 15),
)


@hsettings(max_examples=1000, deadline=None, database=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sample=SAMPLES)
async def test_a_thousand_random_messages_never_raise(router, gateway, clock, sample):
    phone, text, in_group, minutes = sample
    clock.advance(minutes=minutes)
    before = len(gateway.sent)
    msg = gateway.message(text, phone=phone, lid=None if phone else "424242@lid", chat=GROUP if in_group else None)
    outcome = await router.handle(msg)
    assert isinstance(outcome, Outcome)
    sent = len(gateway.sent) - before
    if outcome.silent:
        assert sent == 0, (text, outcome)
    else:
        assert sent >= 1, (text, outcome)
