"""Generated WhatsApp input (issue 18, point 11): 5,000 messages from each identity, zero exceptions.

Every message goes through the fake gateway and the inbound pipeline into the
real router with the real command table, on a small directorate world, so the
menus are walked as deep as the generated input leads (client choice, report
options, period prompts). The input mixes what people type (commands, menu
numbers, `back`, `batal`, client ids) with what breaks parsers: other scripts'
digits (`٣`, `５`), superscripts (`³`), 5,000-digit numbers, signs, decimals,
control characters, emoji, markup, injection strings and 10,000-character lines.

"Zero exceptions": no message ends in the router's error boundary
(`Outcome.ERROR`), nothing is reported to the admin log, and nothing is logged
at ERROR. The seed is fixed, so a failure replays exactly.
"""

from __future__ import annotations

import logging
import random

import pytest

from bot.router import Outcome, Router
from bot.whatsapp.fake import FakeGateway
from core.clock import ManualClock
from db.dashboard_accounts import create_account
from handlers.identity import Role
from handlers.registry import all_commands
from tests.support.chat import start_chat
from tests.support.dirrequest_world import TODAY_NOON, build_world
from tests.support.recording_reporter import RecordingReporter

MESSAGES_PER_IDENTITY = 5000
ADMIN = "6281100000001"
OPERATOR = "6281200000002"
DASHBOARD = "6281300000003"
PERSONNEL = "6281400000004"
UNKNOWN = "6289900000009"

IDENTITIES = [(ADMIN, {Role.ADMIN}, "admin"), (OPERATOR, {Role.OPERATOR}, "operator"),
              (DASHBOARD, {Role.DASHBOARD}, "dashboard"),
              (UNKNOWN, {Role.UNREGISTERED} if hasattr(Role, "UNREGISTERED") else set(), "unknown")]
if hasattr(Role, "PERSONNEL"):  # personnel talking to the bot themselves (issue 16)
    IDENTITIES.insert(3, (PERSONNEL, {Role.PERSONNEL}, "personnel"))

WORDS = ["help", "HELP", "bantuan", "status", "jadwal", "dirrequest", "DIRREQUEST", "fetch", "fetch DITBINMAS",
         "fetch nope", "back", "kembali", "batal", "0", "DITBINMAS", "ditlantas", "POLRES_A", "ya", "tidak"]
HOSTILE = ["³", "²¹", "٣", "۳", "५", "５", "１２", "٠", "-1", "+1", "1.5", "1e9", "0x1f", "1_000", " 7 ", "07",
           "00000000000000000000001", "9" * 5000, "1" * 7, "½", "Ⅻ", "①", "🔟", "１" * 300, "\x00", "\x1b[2J",
           "\u202e12", "\ufeff1", "1\n2", "*1*", "_1_", "~1~", "```1```", "'; DROP TABLE personnel; --",
           "%s%s%s", "{0}{1}", "${jndi:ldap://x}", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "@everyone",
           "🙂" * 50, "ज़", "ا" * 100, "x" * 10_000, "   ", "\t\t", "NaN", "inf", "None", "null", "true",
           "fetch " + "A" * 500, "dirrequest " + "9" * 100]


def generated(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.35:
            out.append(str(rng.randint(0, 40)))
        elif roll < 0.6:
            out.append(rng.choice(WORDS))
        elif roll < 0.9:
            out.append(rng.choice(HOSTILE))
        else:  # glue two pieces together, or a random string of awkward characters
            pool = "0123456789٠١٢٣٤٥٦٧٨٩０１２３¹²³ -+.,#@*_~\n\u200b"
            out.append(rng.choice([rng.choice(WORDS) + " " + rng.choice(HOSTILE),
                                   "".join(rng.choice(pool) for _ in range(rng.randint(1, 30)))]))
    return out


class _ErrorLogs(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
async def chat(pool, settings):
    await build_world(pool)
    await pool.execute("UPDATE clients SET operator_phone = $1 WHERE id = 'POLRES_A'", OPERATOR)
    await pool.execute("UPDATE personnel SET whatsapp = $1 WHERE nrp = '7'", PERSONNEL)
    await create_account(pool, username="dir", password_hash="x", role="ditbinmas", whatsapp=DASHBOARD,
                         client_ids=["DITBINMAS"])
    gateway = FakeGateway()
    gateway.set_connected(True)
    reporter = RecordingReporter()
    router = Router(settings=settings, pool=pool, clock=ManualClock(TODAY_NOON), reporter=reporter, gateway=gateway,
                    commands=all_commands())
    await start_chat(gateway, router)
    return gateway, router, reporter


@pytest.mark.slow
@pytest.mark.parametrize("phone, roles", [(p, r) for p, r, _ in IDENTITIES], ids=[i for _, _, i in IDENTITIES])
async def test_5000_generated_messages_raise_nothing(chat, phone, roles):
    gateway, router, reporter = chat
    assert (await router.resolve_identity(gateway.message("x", phone=phone))).roles == roles
    errors = _ErrorLogs()
    logging.getLogger().addHandler(errors)
    outcomes: dict[Outcome, int] = {}
    failures = []
    try:
        for i, text in enumerate(generated(random.Random(f"issue-18:{phone}"), MESSAGES_PER_IDENTITY)):
            outcome = await gateway.inject(text, phone=phone)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome is Outcome.ERROR:
                failures.append((i, text[:60]))
    finally:
        logging.getLogger().removeHandler(errors)
    assert failures == [], f"{len(failures)} messages hit the error boundary, first: {failures[:5]}"
    assert [r.getMessage()[:200] for r in errors.records] == []
    assert reporter.texts("error") == []
    assert sum(outcomes.values()) == MESSAGES_PER_IDENTITY
    if phone != UNKNOWN:
        assert outcomes.get(Outcome.REPLIED, 0) > MESSAGES_PER_IDENTITY // 2  # known people get answers
    else:
        assert outcomes.get(Outcome.REFUSED, 0) <= 1  # at most one refusal an hour; `daftar` may be answered
