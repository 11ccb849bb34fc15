"""1,000 generated messages from a personnel number and from an operator number raise nothing.

A seeded generator (reproducible: the seed is in the assertion message) mixes
what people really type — menu numbers, `batal`/`back`/`ya`, NRPs, usernames,
links, numbers — with what breaks naive code: `³`, `٣`, a 5,000-digit number,
control characters, formula prefixes, very long text, emoji. The clock moves a
little between messages and sometimes past the menu timeout. Every message must
get an outcome that is not an error, no admin-log error, and no empty reply.
"""

from __future__ import annotations

import random
import string

import pytest

from bot.inbound import Outcome
from tests.support.self_service import BUDI_PHONE, OPERATOR_A, self_service_world

MESSAGES = 1000
SEED = 16

WORDS = [
    "menu", "halo", "userrequest", "daftar", "oprrequest", "dirrequest", "help", "status", "notifwa",
    "notifwa on", "notifwa off", "notifwa#on", "batal", "back", "kembali", "0", "ya", "tidak", "Ya", "TIDAK",
    "87001001", "87001002", "87001003", "87002001", "87003001", "99999999", "87020123", "-", "–",
    "@budi", "budi", "budi_", "cici.rahma", "dodi", "budi..x", ".budi", "a" * 31, "x",
    "instagram.com/budi.baru", "https://www.instagram.com/p/IGA/", "https://www.tiktok.com/@budi.tt/video/1",
    "tiktok.com/@new.tt", "vm.tiktok.com/ZMabc/", "081234567890", "+62 812-3456-7890", "0813-0000-0001",
    "BRIPDA", "AKP", "kapten", "SAT BINMAS", "=HYPERLINK(\"x\")", "+cmd", "@@", "Bertugas jaga malam",
    "³", "٣", "１２", "9" * 5000, "1.5", "-1", "１", "😀", "\x00", "\u202e", "\t\n", " 3 ",
]


def generate(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.45:
        return str(rng.randint(0, 15))
    if kind < 0.85:
        return rng.choice(WORDS)
    if kind < 0.92:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 40)))
    if kind < 0.97:
        return "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 20)))
    return rng.choice(string.ascii_letters) * rng.randint(500, 5000)


@pytest.fixture
async def world(pool, settings):
    async with self_service_world(pool, settings) as w:
        await w.collect()
        yield w


@pytest.mark.parametrize("phone", [BUDI_PHONE, OPERATOR_A], ids=["personnel", "operator"])
async def test_generated_messages_raise_nothing(world, phone):
    rng = random.Random(f"{SEED}:{phone}")
    outcomes: dict[Outcome, int] = {}
    for i in range(MESSAGES):
        text = generate(rng)
        world.gateway.take()
        outcome = await world.gateway.inject(text, phone=phone, message_id=f"F{phone}{i}")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        errors = world.reporter.texts("error")
        assert outcome is not Outcome.ERROR and not errors, (
            f"message {i} (seed {SEED}) {text[:80]!r} → {outcome}: {errors[-1:] or ''}")
        assert all(m.text or m.document for m in world.gateway.sent), f"empty reply to message {i}"
        world.clock.advance(seconds=rng.choice([1, 5, 30, 90]) if rng.random() > 0.01 else 660)
    assert outcomes.get(Outcome.REPLIED, 0) > MESSAGES // 2, outcomes
