"""Fixtures of the dashboard-page tests, loaded with `pytest_plugins = ["tests.support.page_fixtures"]`.

A test module defines its own `world` fixture (a pool with its data); `clock` is noon of 15 Jan 2025 WIB
and `http` an API client over that world on that clock.
"""

from __future__ import annotations

import pytest

from tests.support.api import api_client, api_deps, noon_clock


@pytest.fixture
def clock():
    return noon_clock()


@pytest.fixture
async def http(world, settings, clock):
    async with api_client(api_deps(settings, world, clock)) as client:
        yield client
