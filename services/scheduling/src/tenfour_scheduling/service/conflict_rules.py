"""What makes a booked session a conflict: the officer's side (duty, shift buffers, protected
sleep, quick returns, the daily limit, overlaps), the provider's hours (time off or changed
hours over the session), a peer supporter's lapsed training and a clinician's ended licence.
The provider being booked elsewhere cannot happen (the session holds its time); caps and
notice are the provider's own business once a session is booked.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.domain.readiness import ready_at
from tenfour_scheduling.domain.records import OfficerFacts, ProviderSnapshot
from tenfour_scheduling.service.checks import BookingProblem, check_booking, officer_side
from tenfour_scheduling.service.offers import Expansions
from tenfour_shared.calendar import SessionType

__all__ = ["CONFLICTING", "conflict", "review_path"]

CONFLICTING = frozenset(
    {
        "on_duty",
        "pre_shift_buffer",
        "post_shift_buffer",
        "protected_sleep",
        "usual_sleep",
        "quick_return",
        "consecutive_nights",
        "officer_busy",
        "officer_day_limit",
        "outside_provider_hours",
        "training_lapsed",  # the peer supporter's required training lapsed (only once it has)
        "unlicensed",  # the clinician's licence for the officer's jurisdiction ends before the session
    }
)


def review_path(appointment_id: str) -> str:
    """The officer's page for this conflict (the web app's route)."""
    return f"/conflicts/{appointment_id}"


def conflict(
    facts: OfficerFacts, snapshot: ProviderSnapshot, a: Appointment, now: datetime, expansions: Expansions
) -> BookingProblem | None:
    """Why the booked session ``a`` no longer fits, checked as if booked now (itself left out of
    both sides), or None when it still does."""
    start = a.time.start.ToDatetime(tzinfo=UTC)
    kind = SessionType.GROUP if a.session_type == common.SESSION_TYPE_GROUP else SessionType.INDIVIDUAL
    problem = check_booking(
        officer_side(facts), snapshot, kind, start, now, expansions, exclude=a.appointment_id
    )
    if problem is not None and problem.code == "training_lapsed" and ready_at(snapshot.ready_until, now):
        # Booked before a known expiry: the peer has until then to renew (they are warned
        # 30 days ahead); the session becomes a conflict when the training actually lapses.
        return None
    return problem if problem is not None and problem.code in CONFLICTING else None
