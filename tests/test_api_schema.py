"""Schemathesis over the OpenAPI schema, against the real ApiPart on 127.0.0.1.

Every documented operation is called with generated parameters and bodies (with
a valid token, so most calls get past auth): no 5xx, and every response matches
its documented status codes, content type and schema. Bounded to a few examples
per operation so it runs in well under a minute.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hsettings

from bot.api.security import issue_token
from core.settings import load_settings
from db.pool import _init_connection
from core.clock import SystemClock
from tests.conftest import truncate_all
from tests.support.api import ThreadedApi, build_world, make_account
from tests.support.pages import store_world_profiles

schemathesis.experimental.OPEN_API_3_1.enable()


def _restore_many_more() -> None:
    """hypothesis-jsonschema 0.23 (used by schemathesis 3.39 for bodies) calls `many.more()`, which newer
    Hypothesis releases replaced by `with many(...) as m: for _ in m`. Add the old method on top of the new API."""
    from hypothesis.internal.conjecture import utils as cu

    if hasattr(cu.many, "more"):
        return

    def more(self) -> bool:
        if getattr(self, "_compat_iter", None) is None:
            self.__enter__()
            self._compat_iter = iter(self)
        try:
            next(self._compat_iter)
            return True
        except StopIteration:
            self.__exit__(None)
            return False

    cu.many.more = more


_restore_many_more()


@pytest.fixture(scope="module")
def api_settings(database_url, tmp_path_factory):
    return load_settings(tmp_path_factory.mktemp("cfg") / "absent.toml", database={"url": database_url},
                         general={"environment": "development"},
                         whatsapp={"admins": ["6281100000001"]}).settings  # registrations can succeed


@pytest.fixture(scope="module")
def admin_id(database_url):
    async def seed() -> int:
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2, init=_init_connection)
        try:
            await truncate_all(pool)
            await build_world(pool)
            await store_world_profiles(pool)
            admin = await make_account(pool, "root", role="admin", client_ids=[])
            operator = await make_account(pool, "op_kediri", role="operator", client_ids=["POLRES_KEDIRI"])
            return {"admin": admin.id, "operator": operator.id}
        finally:
            await pool.close()

    return asyncio.run(seed())


@pytest.fixture(scope="module")
def live_api(api_settings, database_url, admin_id):
    with ThreadedApi(api_settings, database_url) as api:
        yield api


def mint(api_settings, account_ids, role: str) -> str:
    return issue_token(api_settings.api.jwt_secret.get_secret_value(), now=SystemClock().now(),
                       lifetime=timedelta(hours=1), kind="dashboard", subject=str(account_ids[role]), role=role,
                       client_ids=[]).token


@pytest.fixture(scope="module")
def api_schema(live_api):
    return schemathesis.from_uri(f"{live_api.base_url}/openapi.json")


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@hsettings(max_examples=12, deadline=None, derandomize=True,
           suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case, live_api, api_settings, admin_id):
    # a fresh token per call (/api/auth/logout revokes the one it is given). The operator of one client
    # reaches the success paths when client_id is omitted; the admin is needed to create clients.
    role = "admin" if (case.method, case.path) == ("POST", "/api/clients") else "operator"
    headers = {"Authorization": f"Bearer {mint(api_settings, admin_id, role)}"}
    case.call_and_validate(base_url=live_api.base_url, headers=headers, timeout=30)
