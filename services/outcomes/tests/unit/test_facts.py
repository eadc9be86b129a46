"""Session facts: what an appointment counts as, and what is (not) kept about it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenfour_outcomes.domain.facts import AppointmentState, DayKind, Outcome, SessionFact, outcome_of, stamp

A = AppointmentState


@pytest.mark.parametrize(
    ("status", "previous", "late", "outcome"),
    [
        (A.FULFILLED, A.ARRIVED, False, Outcome.FULFILLED),
        (A.NOSHOW, A.BOOKED, False, Outcome.NO_SHOW),
        (A.BOOKED, A.UNSPECIFIED, False, Outcome.UNRESOLVED),
        (A.ARRIVED, A.BOOKED, False, Outcome.UNRESOLVED),
        (A.CANCELLED, A.BOOKED, True, Outcome.LATE_CANCEL),
        (A.CANCELLED, A.ARRIVED, False, Outcome.CANCELLED),
        (A.CANCELLED, A.UNSPECIFIED, True, Outcome.LATE_CANCEL),
        (A.CANCELLED, A.PROPOSED, True, Outcome.EXCLUDED),  # never booked
        (A.CANCELLED, A.WAITLIST, False, Outcome.EXCLUDED),
        (A.ENTERED_IN_ERROR, A.FULFILLED, False, Outcome.EXCLUDED),
        (A.PROPOSED, A.UNSPECIFIED, False, Outcome.EXCLUDED),
        (A.WAITLIST, A.UNSPECIFIED, False, Outcome.EXCLUDED),
    ],
)
def test_what_an_appointment_counts_as(
    status: AppointmentState, previous: AppointmentState, late: bool, outcome: Outcome
) -> None:
    assert outcome_of(status, previous, late) is outcome


def test_a_fact_keeps_a_day_and_whole_minutes_never_a_timestamp() -> None:
    start = datetime(2026, 1, 5, 15, 7, 31, tzinfo=UTC)
    fact = SessionFact.of(
        start=start,
        outcome=Outcome.FULFILLED,
        officers=("p-officer",),
        provider="p-provider",
        urgent=True,
        requested_at=start - timedelta(minutes=12, seconds=59),
    )
    assert (fact.day, fact.wait_minutes, fact.month.label) == (20458, 12, "2026-01")
    encoded = fact.encode()
    assert "15:07" not in encoded
    assert "2026" not in encoded
    assert SessionFact.decode(encoded) == fact


def test_only_urgent_sessions_have_a_wait_and_day_kinds_round_trip() -> None:
    start = datetime(2026, 1, 5, 15, tzinfo=UTC)
    fact = SessionFact.of(
        start=start,
        outcome=Outcome.NO_SHOW,
        officers=("a", "b"),
        provider="p",
        urgent=False,
        requested_at=start - timedelta(hours=2),
        day_kinds=(DayKind.DAY_OFF, None),
    )
    assert fact.wait_minutes is None
    assert SessionFact.decode(fact.encode()) == fact
    assert (fact.day_kind(0), fact.day_kind(1), fact.day_kind(5)) == (DayKind.DAY_OFF, None, None)


def test_stamps_order_events_by_version_then_time_then_tiebreak() -> None:
    t = datetime(2026, 1, 5, 15, tzinfo=UTC)
    assert stamp(2, t, "a") > stamp(1, t + timedelta(days=1), "z")  # a later clock is no newer
    assert stamp(0, t + timedelta(milliseconds=1), "a") > stamp(0, t, "z")
    assert stamp(3, t, "b") > stamp(3, t, "a")
    assert stamp(9, t, "x") < stamp(10, t, "x")
    assert stamp(0, datetime(2001, 1, 1, tzinfo=UTC), "x") < stamp(0, datetime(2286, 1, 1, tzinfo=UTC), "x")
