"""Shared plumbing for the RapidAPI clients (Instagram and TikTok).

One `httpx.AsyncClient` (connection limits set by its owner, `jobs.fetch_model.fetch_deps`)
serves every call. `RapidApiClient.get_json` adds the RapidAPI headers, gives
every attempt a total deadline and a decoded-body cap (`jobs/sources/bounded_http.py`),
refuses a body holding a string over `[…] max_string_kb`, and retries —
boundedly, with exponential backoff and jitter — on:

* 429 Too Many Requests, waiting `Retry-After` (seconds or HTTP date) when given;
* 5xx answers, and 2xx answers whose body is truncated or not JSON;
* network errors and timeouts.

Anything else that is not a usable JSON answer (other 4xx, an oversized body,
retries exhausted) raises `RapidApiError`, which names the client and the call.
Sleeping goes through an injectable `sleep` so tests never wait; every answer's
headers go to `on_response` (the quota meter).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Awaitable, Callable

import httpx
import orjson

from core.formats import match_username
from jobs.sources.bounded_http import (
    BodyTooLarge, BoundedResponse, DeadlinePassed, UnexpectedEncoding, bounded_get, longest_string_bytes,
)

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
MAX_RETRY_AFTER_SECONDS = 120.0  # never honour a Retry-After longer than this
MAX_BACKOFF_SECONDS = 30.0
MAX_ERROR_BODY_CHARS = 300


def missing_key_text(platform: str) -> str:
    """The one sentence that names a missing RapidAPI key (doctor, the banner, the admin log, run notes)."""
    return f"no RapidAPI key ([{platform}] key / CICERO_{platform.upper()}__KEY)"


def missing_keys(settings) -> list[str]:
    """The platforms (instagram, tiktok) whose RapidAPI key is not configured."""
    return [name for name in ("instagram", "tiktok")
            if (key := getattr(settings, name).key) is None or not key.get_secret_value()]


class RapidApiError(Exception):
    """A RapidAPI call that gave no usable answer.

    `client` is "instagram" or "tiktok", `call` the operation (e.g. "posts of polres_x"),
    `status` the HTTP status when there was one, `retryable` whether the cause was
    transient (429/5xx/network) and retries ran out.
    """

    def __init__(self, client: str, call: str, message: str, *, status: int | None = None,
                 retryable: bool = False):
        self.client = client
        self.call = call
        self.status = status
        self.retryable = retryable
        self.detail = message
        super().__init__(f"{client} {call}: {message}")


@dataclass
class RetryPolicy:
    max_retries: int = 3
    backoff_base: float = 1.0
    max_backoff: float = MAX_BACKOFF_SECONDS
    max_retry_after: float = MAX_RETRY_AFTER_SECONDS

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Delay before retry number `attempt` (0-based): base·2^attempt plus up to 50% jitter."""
        raw = self.backoff_base * (2 ** attempt)
        return min(self.max_backoff, raw + rng.uniform(0, raw / 2))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date; None when absent/unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


@dataclass
class RapidApiClient:
    """Calls one RapidAPI product (base URL, host and key from its settings section)."""

    name: str  # "instagram" | "tiktok"
    http: httpx.AsyncClient
    base_url: str
    host: str
    key: str | None
    timeout: float = 20.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    max_pages: int = 20
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    max_body_bytes: int = 20 * 2**20
    max_string_bytes: int = 512 * 2**10
    on_response: Callable[[str, httpx.Headers], None] | None = None  # the quota meter
    calls: int = 0  # HTTP requests made (for stats)
    retries: int = 0

    @classmethod
    def from_settings(cls, name: str, http: httpx.AsyncClient, section, *, sleep: Sleep = asyncio.sleep,
                      rng: random.Random | None = None,
                      on_response: Callable[[str, httpx.Headers], None] | None = None) -> "RapidApiClient":
        key = section.key.get_secret_value() if section.key is not None else None
        return cls(
            name=name, http=http, base_url=section.base_url.rstrip("/"), host=section.host, key=key or None,
            timeout=section.timeout_seconds,
            policy=RetryPolicy(max_retries=section.max_retries, backoff_base=section.backoff_base_seconds),
            max_pages=section.max_pages, sleep=sleep, rng=rng or random.Random(),
            max_body_bytes=int(section.max_body_mb * 2**20), max_string_bytes=section.max_string_kb * 2**10,
            on_response=on_response,
        )

    def headers(self) -> dict[str, str]:
        return {
            "X-RapidAPI-Key": self.key or "",
            "X-RapidAPI-Host": self.host,
            "x-cache-control": "no-cache",
            "Accept": "application/json",
        }

    async def get_json(self, call: str, path: str, params: dict[str, Any]) -> Any:
        """GET `path` with `params`; the decoded JSON body, or RapidApiError.

        Every attempt has a total deadline (`timeout`) and a decoded-body cap; a
        5xx, a 429, a network error, a timeout and a truncated or invalid JSON
        body are retried (boundedly); a body over the cap, or holding a string
        over the string cap, fails the call at once.
        """
        if not self.key:
            raise RapidApiError(self.name, call, missing_key_text(self.name))
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            delay: float | None = None
            status: int | None = None
            try:
                self.calls += 1
                response = await bounded_get(self.http, url, params=params, headers=self.headers(),
                                             deadline_seconds=self.timeout, max_body_bytes=self.max_body_bytes)
            except (httpx.TimeoutException, DeadlinePassed) as exc:
                problem = f"timed out after {self.timeout:g}s ({exc.__class__.__name__})"
            except httpx.TransportError as exc:
                problem = f"network error: {exc.__class__.__name__}: {exc}"
            except (BodyTooLarge, UnexpectedEncoding) as exc:
                raise RapidApiError(self.name, call, f"answer refused: {exc}") from None
            else:
                status = response.status_code
                if self.on_response is not None:
                    self.on_response(self.name, response.headers)
                if status == 429:
                    problem = "rate limited (HTTP 429)"
                    delay = retry_after_seconds(response.headers.get("Retry-After"))
                    if delay is not None:
                        delay = min(delay, self.policy.max_retry_after)
                elif status >= 500:
                    problem = f"server error HTTP {status}: {_snippet(response)}"
                elif status >= 400:
                    raise RapidApiError(self.name, call, f"HTTP {status}: {_snippet(response)}", status=status)
                elif status >= 300:
                    raise RapidApiError(self.name, call, f"unexpected redirect HTTP {status}", status=status)
                else:
                    try:
                        return self._decode(call, response)
                    except _MalformedJson as exc:
                        problem = str(exc)
            if attempt >= self.policy.max_retries:
                raise RapidApiError(self.name, call, f"{problem}; gave up after {attempt + 1} attempt(s)",
                                    status=status, retryable=True)
            wait = delay if delay is not None else self.policy.backoff(attempt, self.rng)
            log.info("%s %s: %s; retry %d/%d in %.2fs", self.name, call, problem, attempt + 1,
                     self.policy.max_retries, wait)
            self.retries += 1
            attempt += 1
            await self.sleep(wait)

    def _decode(self, call: str, response: BoundedResponse) -> Any:
        body = response.content
        if len(body) > self.max_string_bytes and longest_string_bytes(body) > self.max_string_bytes:
            raise RapidApiError(self.name, call, f"answer refused: a field is over {self.max_string_bytes:,} bytes",
                                status=response.status_code)
        try:
            return orjson.loads(body)  # ~3× faster than json on liker pages; strict
        except orjson.JSONDecodeError:
            pass
        try:
            return json.loads(body)  # what orjson refuses but json reads (NaN, integers over 64 bits)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise _MalformedJson(f"malformed JSON ({exc.__class__.__name__}: {exc}); "
                                 f"body starts {_snippet(response)!r}") from None


class _MalformedJson(Exception):
    """A 2xx body that is not JSON (truncated, garbled): retried like a 5xx."""


def _snippet(response: BoundedResponse) -> str:
    text = " ".join(response.text[:MAX_ERROR_BODY_CHARS * 4].split())
    return text[:MAX_ERROR_BODY_CHARS] + ("…" if len(text) > MAX_ERROR_BODY_CHARS else "")


_PLAIN_USERNAME = re.compile(r"[a-z0-9._]{1,64}")
is_plain_username = _PLAIN_USERNAME.fullmatch  # already in stored form (hot path of big liker lists)
_PLAIN_USERNAMES = re.compile(r"[a-z0-9._]{1,64}(?:\n[a-z0-9._]{1,64})*")


def all_plain_usernames(names: list) -> bool:
    """True when every entry is a str already in stored form: one regex pass over the joined page.

    A page of a thousand likers is checked in one C-level scan instead of a
    thousand `fullmatch` calls; any other entry (not a str, empty, unusual
    characters) makes it False and the caller takes the per-item path.
    """
    try:
        return bool(names) and _PLAIN_USERNAMES.fullmatch("\n".join(names)) is not None
    except TypeError:
        return False


def clean_username(raw: Any) -> str | None:
    """A payload username normalised (core.formats rules); None when unusable. Fast for clean input."""
    if not isinstance(raw, str):
        return None
    if _PLAIN_USERNAME.fullmatch(raw):
        return raw
    return match_username(raw)


class ItemError(ValueError):
    """One payload item that cannot be used (not an object, no id): the caller skips and counts it."""


class MalformedItem(ItemError):
    """An item whose id or time is present but malformed: the whole page is not believed."""


class ImplausiblePage(Exception):
    """A listing page that cannot be a real answer (too many items, malformed ids or times)."""


LISTING_MARGIN = 10  # items a listing page may carry beyond what was asked (pinned posts, API slack)


def first_of(mapping: dict, *keys: str) -> Any:
    """The first present, non-null value among `keys` (dotted paths allowed)."""
    for key in keys:
        value: Any = mapping
        for part in key.split("."):
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                value = None
                break
        if value is not None:
            return value
    return None


def as_int(value: Any, default: int = 0) -> int:
    if value is None or isinstance(value, bool):
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def as_timestamp(value: Any) -> datetime:
    """A unix time (s or ms; number or numeric string) or ISO text as an aware UTC datetime."""
    if value is None or isinstance(value, bool):
        raise ItemError("no creation time")
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit()):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000.0
        if seconds <= 0:
            raise MalformedItem(f"bad creation time {value!r}")
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise MalformedItem(f"bad creation time {value!r}") from None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise MalformedItem(f"bad creation time {value!r:.40}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    raise MalformedItem(f"bad creation time {value!r:.40}")


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("text")
        if value is None:
            return None
    text = str(value)
    return text if text.strip() else None


def maybe_json(value: Any) -> Any:
    """Some TikTok hosts wrap the payload as a JSON string."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@dataclass
class PostListing:
    """Posts of an account as far back as the start of the asked day.

    `complete` is True only when the answer provably covers the whole day: the
    API said there is nothing more, or an older (non-pinned) post was reached.
    A page cap, an empty page with "more" still promised, or an error make it
    False, and an incomplete listing is never used to mark posts removed.
    """

    posts: list = field(default_factory=list)
    complete: bool = False
    skipped: int = 0  # malformed items
    pages: int = 0
    reason: str = ""  # why it is incomplete


@dataclass
class Engagers:
    """Usernames (normalised, de-duplicated, in answer order) that liked/commented a post."""

    usernames: list[str] = field(default_factory=list)
    complete: bool = False
    skipped: int = 0
    pages: int = 0
    reason: str = ""


def dedupe(names) -> list[str]:
    """Unique names in first-seen order."""
    return list(dict.fromkeys(names))


def collect_page(items: list, parse: Callable[[Any], Any], *, since: datetime, seen: dict,
                 listing: PostListing, posted_at: Callable[[Any], datetime], post_id: Callable[[Any], str],
                 max_items: int) -> bool:
    """Parse one listing page into `seen` (first sighting wins); count unusable items in `listing.skipped`.

    Returns True when an unpinned post older than `since` was reached, i.e. the
    listing (served newest first) has covered everything since `since`. Raises
    ImplausiblePage — and adds nothing — for a page with more than `max_items`
    items or with an item whose id or time is malformed.
    """
    if len(items) > max_items:
        raise ImplausiblePage(f"{len(items):,} items on one page (at most {max_items} expected)")
    parsed = []
    for item in items:
        try:
            parsed.append(parse(item))
        except MalformedItem as exc:
            raise ImplausiblePage(f"malformed item: {exc}") from None
        except ItemError:
            listing.skipped += 1
    reached_older = False
    for post in parsed:
        if posted_at(post) < since:
            if not post.is_pinned:
                reached_older = True
            continue
        seen.setdefault(post_id(post), post)
    return reached_older


NO_PAGE = object()  # fetch_page: stop paging (the reason is on the progress object)


async def fetch_page(api: "RapidApiClient", progress: PostListing | Engagers, call: str, path: str,
                     params: dict) -> Any:
    """The next page of a paged listing, or NO_PAGE when paging must stop.

    Stops at the page cap and on a failed later page (recording why in
    `progress.reason`, so what was read is kept as a partial answer); a failed
    first page raises RapidApiError, because then nothing was read at all.
    """
    if progress.pages >= api.max_pages:
        progress.reason = f"page cap ({api.max_pages}) reached"
        return NO_PAGE
    try:
        body = await api.get_json(call, path, params)
    except RapidApiError as exc:
        if progress.pages == 0:
            raise
        progress.reason = f"page {progress.pages + 1} failed: {exc.detail}"
        return NO_PAGE
    progress.pages += 1
    return body
