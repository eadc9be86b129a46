from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenfour_identity.domain.errors import TooManyAttempts
from tenfour_identity.domain.throttle import (
    ACCOUNT_POLICY,
    SOURCE_POLICY,
    FailureRecord,
    ThrottlePolicy,
    decide,
    ensure_allowed,
    record_failure,
    retry_after,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    free_failures=3,
    base_delay=timedelta(seconds=1),
    max_delay=timedelta(seconds=60),
    forget_after=timedelta(hours=1),
)


def _fail(times: int, policy: ThrottlePolicy = POLICY) -> FailureRecord | None:
    record: FailureRecord | None = None
    for _ in range(times):
        record = record_failure(record, NOW, policy)
    return record


def test_free_failures_then_exponential_then_capped() -> None:
    delays = [POLICY.delay_for(n).total_seconds() for n in range(0, 12)]
    assert delays == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert POLICY.delay_for(10**9) == timedelta(seconds=60)  # no overflow


def test_retry_after_counts_from_the_last_failure() -> None:
    record = _fail(5)  # 2 s delay
    assert retry_after(record, NOW, POLICY) == timedelta(seconds=2)
    assert retry_after(record, NOW + timedelta(seconds=1), POLICY) == timedelta(seconds=1)
    assert retry_after(record, NOW + timedelta(seconds=2), POLICY) == timedelta(0)
    assert retry_after(None, NOW, POLICY) == timedelta(0)


def test_quiet_period_forgets_failures() -> None:
    record = _fail(9)
    later = NOW + timedelta(hours=1)
    assert retry_after(record, later, POLICY) == timedelta(0)
    assert record_failure(record, later, POLICY).count == 1


def test_decide_takes_the_longer_wait_and_flags_lockout() -> None:
    account = _fail(4, ACCOUNT_POLICY)
    source = _fail(21, SOURCE_POLICY)
    assert decide(account, None, NOW).allowed
    decision = decide(account, source, NOW)
    assert not decision.allowed
    assert decision.retry_after == timedelta(seconds=1)
    assert not decision.locked
    locked = decide(_fail(30, ACCOUNT_POLICY), None, NOW)
    assert locked.locked
    assert locked.retry_after == ACCOUNT_POLICY.max_delay
    # Lockout is temporary: after the cap it is allowed again, never permanent.
    assert decide(_fail(30, ACCOUNT_POLICY), None, NOW + ACCOUNT_POLICY.max_delay).allowed


def test_ensure_allowed_raises_resource_exhausted() -> None:
    ensure_allowed(decide(None, None, NOW))
    with pytest.raises(TooManyAttempts) as caught:
        ensure_allowed(decide(_fail(7, ACCOUNT_POLICY), None, NOW))
    assert caught.value.wait == timedelta(seconds=4)
    assert caught.value.retry_after == 4.0  # what the caller is told, as RetryInfo
    assert "4 s" in str(caught.value)


def test_invalid_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="policy"):
        ThrottlePolicy(
            free_failures=1, base_delay=timedelta(0), max_delay=timedelta(1), forget_after=timedelta(1)
        )
    with pytest.raises(ValueError, match="policy"):
        ThrottlePolicy(
            free_failures=1, base_delay=timedelta(2), max_delay=timedelta(1), forget_after=timedelta(1)
        )


@given(st.integers(min_value=0, max_value=200))
def test_delay_never_decreases_with_more_failures(failures: int) -> None:
    assert POLICY.delay_for(failures) <= POLICY.delay_for(failures + 1) <= POLICY.max_delay


def test_a_refused_attempt_counts_and_makes_the_wait_longer() -> None:
    record = _fail(5)  # 2 s to wait
    assert retry_after(record, NOW + timedelta(seconds=1), POLICY) == timedelta(seconds=1)
    # Trying again half-way through the wait is recorded like a failure: 4 s from now.
    again = record_failure(record, NOW + timedelta(seconds=1), POLICY)
    assert retry_after(again, NOW + timedelta(seconds=1), POLICY) == timedelta(seconds=4)
