"""Cheap bytes for the fake RapidAPI's big pages (likers, comments) when it caches pages (`cache_pages`).

A bench cycle asks for ~4,000 pages of 500–1,000 people each; building a dict per
person and encoding the page cost the fake ~0.7 ms a page on the bench's own
cores. Here each person's JSON item is encoded once (orjson, so escaping is
right) and a page is a join of those fragments. The bytes are exactly what
`orjson.dumps` gives for the same payload (`tests/test_fake_rapidapi_pages.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson


@dataclass
class PageEncoder:
    _likers: dict[str, bytes] = field(default_factory=dict)  # username -> its likers item
    _commenters: dict[str, bytes] = field(default_factory=dict)  # username -> its comment's user object

    def likers_page(self, names: list[str], next_cursor: str | None, has_more: bool) -> bytes:
        """`{"data": {"items": [{"username", "full_name"}…], "next_cursor", "has_more", "count"}}`."""
        memo = self._likers
        items = b",".join([memo.get(u) or self._liker(u) for u in names])
        return (b'{"data":{"items":[' + items + b'],"next_cursor":' + orjson.dumps(next_cursor) +
                b',"has_more":' + orjson.dumps(has_more) + b',"count":%d}}' % len(names))

    def comments_page(self, video_id: str, start: int, names: list[str], total: int, has_more: int) -> bytes | None:
        """`{"data": {"comments": [{"cid", "text", "user"}…], "total", "cursor", "has_more"}}`; None when the
        video id would need escaping (the caller then encodes the payload as usual)."""
        vid = video_id.encode()
        if orjson.dumps(video_id) != b'"' + vid + b'"':
            return None
        memo = self._commenters
        items = b",".join([b'{"cid":"%s-%d","text":"mantap","user":%s}' % (vid, start + i, memo.get(u) or self._user(u))
                           for i, u in enumerate(names)])
        return (b'{"data":{"comments":[' + items + b'],"total":%d,"cursor":%d,"has_more":%d}}'
                % (total, start + len(names), has_more))

    def _liker(self, name: str) -> bytes:
        item = self._likers[name] = orjson.dumps({"username": name, "full_name": name.upper()})
        return item

    def _user(self, name: str) -> bytes:
        item = self._commenters[name] = orjson.dumps({"unique_id": name, "nickname": name})
        return item
