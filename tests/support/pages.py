"""Helpers for the dashboard-page tests: the API world with profiles and accounts, fixtures, the outbox.

    await page_world(pool)                        # build_world + KEDIRI's profiles + the accounts below
    sent = await deliver_outbox(pool, settings, clock)   # every queued message, sent to a FakeGateway

The `clock` and `http` fixtures are in `tests/support/page_fixtures.py` (load it with `pytest_plugins`).
"""

from __future__ import annotations

from datetime import date

from bot.whatsapp.fake import FakeGateway, SentMessage
from db.profiles import Profile, store_profile
from jobs.outbox import OutboxSender
from tests.support.api import build_world, make_account
from tests.support.factories import wib
from tests.support.recording_reporter import RecordingReporter

KEDIRI_IG = Profile("polreskediri", "Polres Kediri", followers=1200, following=80, post_count=500,
                    bio="Akun resmi Polres Kediri", avatar_url="https://cdn.example/kediri.jpg")
KEDIRI_TT = Profile("polreskediri", "Polres Kediri", followers=900, following=10, post_count=120,
                    bio="TikTok resmi", avatar_url="https://cdn.example/kediri-tt.jpg")


async def store_world_profiles(pool) -> None:
    for platform, profile in (("instagram", KEDIRI_IG), ("tiktok", KEDIRI_TT)):
        await store_profile(pool, "POLRES_KEDIRI", platform, profile, day=date(2025, 1, 15),
                            fetched_at=wib(2025, 1, 15, 6, 5))


PAGE_ACCOUNTS = (("op_kediri", "operator", ["POLRES_KEDIRI"]), ("op_blitar", "operator", ["POLRES_BLITAR"]),
                 ("binmas", "ditbinmas", ["DITBINMAS"]), ("root", "admin", []))


async def page_world(pool) -> None:
    await build_world(pool)
    await store_world_profiles(pool)
    for username, role, client_ids in PAGE_ACCOUNTS:
        await make_account(pool, username, role=role, client_ids=client_ids)


async def deliver_outbox(pool, settings, clock, gateway: FakeGateway | None = None) -> list[SentMessage]:
    """Drain the outbox once through the real sender into a fake gateway; returns what it sent."""
    gateway = gateway or FakeGateway()

    async def no_sleep(_seconds):
        return None

    sender = OutboxSender(pool, gateway, settings, clock, RecordingReporter(), sleep=no_sleep)
    await sender.drain_once()
    return gateway.take()
