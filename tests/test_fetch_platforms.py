"""A collection restricted to one platform (dirrequest options 12-15), in-process and as a queue task."""

from datetime import datetime

import pytest

from db.clients import Client
from core.clock import JAKARTA
from jobs.fetch_model import only_platforms
from jobs.queue.kinds import collect_client_task

CLIENT = Client(id="POLRES_A", name="Polres A", type="org", instagram="a", tiktok="a")


def test_only_platforms_switches_the_others_off():
    assert only_platforms(CLIENT, None) is CLIENT
    ig = only_platforms(CLIENT, ("instagram",))
    assert ig.fetches_instagram and not ig.fetches_tiktok
    tt = only_platforms(CLIENT, ["tiktok"])
    assert tt.fetches_tiktok and not tt.fetches_instagram
    off = Client(id="B", name="B", type="org", instagram="b", instagram_active=False, tiktok="b")
    assert not only_platforms(off, ("instagram",)).fetches_instagram  # never switches a platform on
    with pytest.raises(ValueError, match="facebook"):
        only_platforms(CLIENT, ("facebook",))


def test_queue_task_carries_the_restriction_only_when_there_is_one():
    now = datetime(2026, 11, 25, 9, 5, tzinfo=JAKARTA)
    assert "platforms" not in collect_client_task("POLRES_A", "post_fetch", now).payload
    task = collect_client_task("POLRES_A", "post_fetch", now, platforms=("tiktok",))
    assert task.payload["platforms"] == ["tiktok"]
