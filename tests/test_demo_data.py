from datetime import date

from db.clients import validated_client
from core.clock import day_range
from jobs.demo_data import build_demo_world


def test_demo_world_is_realistic_and_deterministic():
    day = date(2026, 11, 25)
    world = build_demo_world(day)
    again = build_demo_world(day)
    assert [p.post_id for p in world.posts] == [p.post_id for p in again.posts]
    assert [p.nrp for p in world.personnel] == [p.nrp for p in again.personnel]

    assert [c.type for c in world.clients].count("direktorat") == 1
    assert len(world.clients) == 3
    for client in world.clients:
        validated_client(client)  # every demo client passes the same validation as real ones
    assert 250 <= len(world.personnel) <= 350
    assert len({p.nrp for p in world.personnel}) == len(world.personnel)
    handles = [p.instagram for p in world.personnel if p.instagram]
    assert len(set(handles)) == len(handles)
    assert any(p.instagram is None for p in world.personnel)
    assert 1 <= sum(p.exception for p in world.personnel) <= 10
    assert len({p.division for p in world.personnel}) >= 8
    assert any(p.position.startswith("KASAT") for p in world.personnel)

    start, end = day_range(day)
    for client in world.clients:
        assert world.posts_of(client.id, "instagram") and world.posts_of(client.id, "tiktok")
    for post in world.posts:
        assert start <= post.posted_at < end
        assert post.engaged
    # Somebody did, somebody did not engage: the reports have something to show.
    first = world.posts[0]
    staff_handles = {p.instagram for p in world.personnel if p.instagram}
    assert staff_handles & set(first.engaged)
    assert staff_handles - set(first.engaged)


def test_demo_post_ids_are_unique_across_clients():
    world = build_demo_world(date(2026, 11, 25))
    ids = [(p.platform, p.post_id) for p in world.posts]
    assert len(set(ids)) == len(ids)
