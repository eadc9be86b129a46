"""The FHIR appointment state machine and the lifecycle rules built on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenfour_scheduling.domain import (
    OCCUPYING,
    AppointmentStatus,
    TransitionRefused,
    after_officer_joined,
    after_session_ended,
    check_transition,
    is_late_cancellation,
)

S = AppointmentStatus
LEGAL = {
    (S.PROPOSED, S.BOOKED),
    (S.PROPOSED, S.CANCELLED),
    (S.PROPOSED, S.WAITLIST),
    (S.WAITLIST, S.BOOKED),
    (S.WAITLIST, S.CANCELLED),
    (S.BOOKED, S.ARRIVED),
    (S.BOOKED, S.FULFILLED),
    (S.BOOKED, S.NOSHOW),
    (S.BOOKED, S.CANCELLED),
    (S.ARRIVED, S.FULFILLED),
    (S.ARRIVED, S.CANCELLED),
} | {(s, S.ENTERED_IN_ERROR) for s in S if s is not S.ENTERED_IN_ERROR}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_exactly_the_fhir_moves_are_allowed(current: AppointmentStatus, target: AppointmentStatus) -> None:
    if (current, target) in LEGAL:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionRefused):
            check_transition(current, target)


def test_fhir_status_names_are_the_values() -> None:
    assert {s.value for s in S} == {
        "proposed", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error", "waitlist"
    }  # fmt: skip
    assert S.CANCELLED not in OCCUPYING
    assert S.FULFILLED in OCCUPYING


def test_lifecycle_from_the_room() -> None:
    assert after_officer_joined(S.BOOKED) is S.ARRIVED
    assert after_officer_joined(S.ARRIVED) is None
    assert after_session_ended(S.ARRIVED, False) is S.FULFILLED
    assert after_session_ended(S.BOOKED, True) is S.FULFILLED
    assert after_session_ended(S.BOOKED, False) is S.NOSHOW
    assert after_session_ended(S.CANCELLED, True) is None
    assert after_session_ended(S.FULFILLED, True) is None


def test_late_cancellation_window() -> None:
    start = datetime(2026, 3, 4, 14, tzinfo=UTC)
    window = timedelta(hours=24)
    assert is_late_cancellation(start, start - timedelta(hours=23), window)
    assert not is_late_cancellation(start, start - timedelta(hours=24), window)
