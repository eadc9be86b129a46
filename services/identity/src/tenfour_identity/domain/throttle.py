"""Login throttling per NIST SP 800-63B §5.2.2: growing delays, then a hard limit.

Two backoff counters are kept for every login attempt: one per account (stops guessing one
officer's password) and one per source key, e.g. client IP or device (stops spraying one
password across many accounts). Each counted failure past the free ones doubles the wait (up to
15 min per account, 1 h per source); a quiet day forgets them.

Backoff alone would allow a slow attacker ~100 guesses a day forever, so a third counter holds
the account's consecutive failures with no expiry: at HARD_LIMIT (100, the most SP 800-63B
allows) the account is locked for password sign-in until an admin resets it (UnlockAccount,
`tenfour users unlock`) or the owner proves their second factor (Login with a current TOTP
code). A success resets it. Unknown login names are counted and locked alike, so the answer
never tells whether an account exists. Someone failing on purpose can lock an officer out, which
is why the limit is high and the owner can lift it themselves.

The store keeps a FailureRecord per key (with a TTL of `forget_after`); the service calls
`decide()` before checking the password, then `record_failure()` or, for the account key only,
clears it on success. Source counters are not cleared on success, or one valid account would
launder a spraying attacker's failures. An attempt refused by the throttle counts as a failure
too and restarts the (now longer) wait: hammering during a delay only makes it grow, so the right
password shortly after a burst of wrong ones is still refused. Throttle refusals do not count
toward HARD_LIMIT (no password was checked; they cannot lock an account).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour_identity.domain.errors import TooManyAttempts

__all__ = [
    "ACCOUNT_POLICY",
    "HARD_LIMIT",
    "SOURCE_POLICY",
    "FailureRecord",
    "ThrottleDecision",
    "ThrottlePolicy",
    "decide",
    "ensure_allowed",
    "is_locked",
    "record_failure",
    "retry_after",
]


HARD_LIMIT = 100  # consecutive failed sign-ins of one account (SP 800-63B: no more than 100)


def is_locked(consecutive_failures: int) -> bool:
    return consecutive_failures >= HARD_LIMIT


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    free_failures: int  # failures allowed before any delay (typos happen)
    base_delay: timedelta
    max_delay: timedelta  # reaching it is the "locked" state: temporary, never permanent
    forget_after: timedelta  # a quiet period this long resets the count
    factor: float = 2.0

    def __post_init__(self) -> None:
        if self.free_failures < 0 or self.factor < 1 or not timedelta(0) < self.base_delay <= self.max_delay:
            raise ValueError("invalid throttle policy")

    def delay_for(self, failures: int) -> timedelta:
        """The wait imposed after `failures` consecutive failures."""
        excess = failures - self.free_failures
        if excess <= 0:
            return timedelta(0)
        # Compare exponents, not products, so a huge failure count cannot overflow a float.
        seconds = self.base_delay.total_seconds()
        cap = self.max_delay.total_seconds()
        delay = seconds * self.factor ** min(excess - 1, 64)
        return timedelta(seconds=min(delay, cap))


ACCOUNT_POLICY = ThrottlePolicy(
    free_failures=5,
    base_delay=timedelta(seconds=2),
    max_delay=timedelta(minutes=15),
    forget_after=timedelta(hours=24),
)
SOURCE_POLICY = ThrottlePolicy(
    free_failures=20,  # a shared station PC or carrier NAT serves many officers
    base_delay=timedelta(seconds=1),
    max_delay=timedelta(hours=1),
    forget_after=timedelta(hours=24),
)


@dataclass(frozen=True, slots=True)
class FailureRecord:
    count: int
    last_failure_at: datetime


@dataclass(frozen=True, slots=True)
class ThrottleDecision:
    allowed: bool
    retry_after: timedelta  # zero when allowed
    locked: bool  # the delay has reached the policy's cap: worth an alert / audit entry


def _live_count(record: FailureRecord | None, now: datetime, policy: ThrottlePolicy) -> int:
    if record is None or now - record.last_failure_at >= policy.forget_after:
        return 0
    return record.count


def retry_after(record: FailureRecord | None, now: datetime, policy: ThrottlePolicy) -> timedelta:
    """How long until another attempt is allowed for this key (zero: allowed now)."""
    count = _live_count(record, now, policy)
    if record is None or count == 0:
        return timedelta(0)
    wait = record.last_failure_at + policy.delay_for(count) - now
    return max(wait, timedelta(0))


def record_failure(record: FailureRecord | None, now: datetime, policy: ThrottlePolicy) -> FailureRecord:
    return FailureRecord(_live_count(record, now, policy) + 1, now)


def _locked(record: FailureRecord | None, now: datetime, policy: ThrottlePolicy) -> bool:
    count = _live_count(record, now, policy)
    capped = count > 0 and policy.delay_for(count) >= policy.max_delay
    return capped and retry_after(record, now, policy) > timedelta(0)


def decide(
    account: FailureRecord | None,
    source: FailureRecord | None,
    now: datetime,
    *,
    account_policy: ThrottlePolicy = ACCOUNT_POLICY,
    source_policy: ThrottlePolicy = SOURCE_POLICY,
) -> ThrottleDecision:
    """Whether a login attempt may proceed, given both counters; the longer wait wins."""
    wait = max(retry_after(account, now, account_policy), retry_after(source, now, source_policy))
    locked = _locked(account, now, account_policy) or _locked(source, now, source_policy)
    return ThrottleDecision(allowed=wait == timedelta(0), retry_after=wait, locked=locked)


def ensure_allowed(decision: ThrottleDecision) -> None:
    if not decision.allowed:
        raise TooManyAttempts(decision.retry_after)
