"""Helpers for the dashboard-page tests: stored profiles for the API world, and the outbox through the fake gateway.

    await store_world_profiles(pool)              # KEDIRI's Instagram and TikTok figures of 15 Jan 2025
    sent = await deliver_outbox(pool, settings, clock)   # every queued message, sent to a FakeGateway
"""

from __future__ import annotations

from datetime import date

from bot.whatsapp.fake import FakeGateway, SentMessage
from db.profiles import Profile, store_profile
from jobs.outbox import OutboxSender
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


async def deliver_outbox(pool, settings, clock, gateway: FakeGateway | None = None) -> list[SentMessage]:
    """Drain the outbox once through the real sender into a fake gateway; returns what it sent."""
    gateway = gateway or FakeGateway()

    async def no_sleep(_seconds):
        return None

    sender = OutboxSender(pool, gateway, settings, clock, RecordingReporter(), sleep=no_sleep)
    await sender.drain_once()
    return gateway.take()
