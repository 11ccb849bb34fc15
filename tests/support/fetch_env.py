"""Helpers for collection tests: a fake RapidAPI, settings pointing at it, FetchDeps on a ManualClock."""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import AsyncIterator

import httpx
from pydantic import SecretStr

from core.settings import Settings, load_settings
from core.clock import ManualClock
from jobs.fetch_model import FetchDeps
from jobs.sources.fake_rapidapi import FakeRapidApi, Scenario

API_KEY = "test-key"


@dataclass
class SleepRecorder:
    """An injectable `sleep` that records delays and returns at once."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def fetch_settings(database_url: str, base_url: str, tmp_path, **overrides) -> Settings:
    api = {"base_url": base_url, "key": API_KEY, "timeout_seconds": 2.0, "max_retries": 2,
           "backoff_base_seconds": 0.5}
    api.update(overrides.pop("api", {}))
    return load_settings(
        tmp_path / "absent.toml",
        database={"url": database_url},
        general={"environment": "development"},
        instagram=dict(api), tiktok=dict(api),
        **overrides,
    ).settings


@dataclass
class FetchEnv:
    fake: FakeRapidApi
    deps: FetchDeps
    clock: ManualClock
    sleeps: SleepRecorder
    settings: Settings


@asynccontextmanager
async def fetch_env(pool, database_url: str, tmp_path, scenario: Scenario, now: datetime,
                    **overrides) -> AsyncIterator[FetchEnv]:
    scenario.api_key = scenario.api_key or API_KEY
    fake = FakeRapidApi(scenario)
    base = await fake.start()
    settings = fetch_settings(database_url, base, tmp_path, **overrides)
    clock = ManualClock(now)
    sleeps = SleepRecorder()
    try:
        async with httpx.AsyncClient() as http:
            deps = FetchDeps(pool=pool, settings=settings, clock=clock, http=http, sleep=sleeps)
            yield FetchEnv(fake, deps, clock, sleeps, settings)
    finally:
        await fake.stop()


def settings_on_fake(settings: Settings, base_url: str) -> Settings:
    """`settings` with both RapidAPI sources pointed at a loopback fake (key set, no backoff)."""
    api = {"base_url": base_url, "key": SecretStr("k"), "backoff_base_seconds": 0}
    return settings.model_copy(update={"instagram": settings.instagram.model_copy(update=api),
                                       "tiktok": settings.tiktok.model_copy(update=api)})
