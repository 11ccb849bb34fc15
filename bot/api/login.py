"""Login throttling and the login log.

Every login attempt, good or bad, is written to `login_log` (with the clock's
time). Before checking credentials, recent credential failures are counted for
two keys: the **pair** (the actor — a dashboard account, or a client for
operator logins — *from this address*) and the **address** (every actor):

- from `SLOWDOWN_AFTER` failures of a key on, the next attempt must wait
  2^(failures − SLOWDOWN_AFTER) seconds (capped) after the last failure —
  attempts inside that wait are refused with 429 without checking the password;
- when `[api] login_max_failures` failures of the pair (or
  `login_address_max_failures` of the address) fall within
  `[api] login_lockout_minutes`, that key is refused for `login_lockout_minutes`
  after the last of them.

Nothing counts failures of an account across addresses, so wrong passwords
sent from one address never lock the real user out from another one: a correct
login from a clean address goes through. A successful login clears the pair's
count (not the address's, so one valid account cannot reset an address that
guesses others). Refusals caused by throttling are logged (reason `throttled` /
`locked`) but do not extend the count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.api.errors import ApiError
from db.login_log import FailureWindow, failures_of_ip_since, failures_of_pair_since, record_login
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
    max_failures: int             # of one pair (actor from one address): then the pair is locked
    lockout: timedelta
    address_max_failures: int     # of one address (any actor): then the address is locked

    @classmethod
    def from_settings(cls, api_settings) -> "ThrottlePolicy":
        return cls(api_settings.login_max_failures, timedelta(minutes=api_settings.login_lockout_minutes),
                   api_settings.login_address_max_failures)

    def wait_after(self, window: FailureWindow, limit: int) -> timedelta:
        """How long after the last failure the next attempt must wait (zero: allowed)."""
        count = window.count_within(self.lockout)
        if count >= limit:
            return self.lockout
        if count >= SLOWDOWN_AFTER:
            return timedelta(seconds=min(2 ** (count - SLOWDOWN_AFTER), MAX_SLOWDOWN_SECONDS))
        return timedelta(0)


async def check_throttle(db: Executor, attempt: Attempt, policy: ThrottlePolicy, now: datetime) -> None:
    """Raise 429 (and log the refusal) when this actor from this address, or this address, must wait."""
    since = now - 2 * policy.lockout  # a lockout ends `lockout` after a burst that itself spans `lockout`
    windows = [(await failures_of_pair_since(db, attempt.actor, attempt.ip, since), policy.max_failures)]
    if attempt.ip:
        windows.append((await failures_of_ip_since(db, attempt.ip, since), policy.address_max_failures))
    worst: tuple[timedelta, bool] | None = None
    for window, limit in windows:
        if window.last_at is None:
            continue
        remaining = window.last_at + policy.wait_after(window, limit) - now
        if remaining > timedelta(0) and (worst is None or remaining > worst[0]):
            worst = (remaining, window.count_within(policy.lockout) >= limit)
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
