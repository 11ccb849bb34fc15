"""Login throttling and the login log.

Every login attempt, good or bad, is written to `login_log` (with the clock's
time). Before checking credentials, the recent credential failures of the actor
(an account, or a client for operator logins) and of the address are counted:

- from `SLOWDOWN_AFTER` failures on, the next attempt must wait
  2^(failures − SLOWDOWN_AFTER) seconds (capped) after the last failure —
  attempts inside that wait are refused with 429 without checking the password;
- when `[api] login_max_failures` failures fall within `[api] login_lockout_minutes`,
  the actor or address is refused for `login_lockout_minutes` after the last of them.

A successful login clears the actor's count. Refusals caused by throttling are
logged (reason `throttled` / `locked`) but do not extend the count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.api.errors import ApiError
from db.login_log import FailureWindow, failures_of_actor_since, failures_of_ip_since, record_login
from db.pool import Executor

SLOWDOWN_AFTER = 2
MAX_SLOWDOWN_SECONDS = 60


@dataclass(frozen=True)
class Attempt:
    login_type: str          # client_operator | dashboard
    actor: str               # dashboard:<username lower> | client:<CLIENT_ID>
    ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    lockout: timedelta

    @classmethod
    def from_settings(cls, api_settings) -> "ThrottlePolicy":
        return cls(api_settings.login_max_failures, timedelta(minutes=api_settings.login_lockout_minutes))

    def wait_after(self, window: FailureWindow) -> timedelta:
        """How long after the last failure the next attempt must wait (zero: allowed)."""
        count = window.count_within(self.lockout)
        if count >= self.max_failures:
            return self.lockout
        if count >= SLOWDOWN_AFTER:
            return timedelta(seconds=min(2 ** (count - SLOWDOWN_AFTER), MAX_SLOWDOWN_SECONDS))
        return timedelta(0)

    def is_lockout(self, window: FailureWindow) -> bool:
        return window.count_within(self.lockout) >= self.max_failures


async def check_throttle(db: Executor, attempt: Attempt, policy: ThrottlePolicy, now: datetime) -> None:
    """Raise 429 (and log the refusal) when the actor or address must wait."""
    since = now - 2 * policy.lockout  # a lockout ends `lockout` after a burst that itself spans `lockout`
    windows = [await failures_of_actor_since(db, attempt.actor, since)]
    if attempt.ip:
        windows.append(await failures_of_ip_since(db, attempt.ip, since))
    worst: tuple[timedelta, bool] | None = None
    for window in windows:
        if window.last_at is None:
            continue
        wait = policy.wait_after(window)
        remaining = window.last_at + wait - now
        if remaining > timedelta(0) and (worst is None or remaining > worst[0]):
            worst = (remaining, policy.is_lockout(window))
    if worst is None:
        return
    remaining, locked = worst
    reason = "locked" if locked else "throttled"
    await record_login(db, login_type=attempt.login_type, actor=attempt.actor, success=False, reason=reason,
                       ip=attempt.ip, user_agent=attempt.user_agent, at=now)
    seconds = max(1, math.ceil(remaining.total_seconds()))
    if locked:
        message = f"Terlalu banyak percobaan login gagal; coba lagi dalam {math.ceil(seconds / 60)} menit"
    else:
        message = f"Terlalu banyak percobaan login gagal; tunggu {seconds} detik lalu coba lagi"
    raise ApiError(429, message, reason, headers={"Retry-After": str(seconds)})


async def log_attempt(db: Executor, attempt: Attempt, *, success: bool, reason: str | None, now: datetime) -> None:
    await record_login(db, login_type=attempt.login_type, actor=attempt.actor, success=success, reason=reason,
                       ip=attempt.ip, user_agent=attempt.user_agent, at=now)
