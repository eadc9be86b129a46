"""The appointment lifecycle: FHIR Appointment.status one-to-one, and which moves are allowed.

FHIR R4 names the states; the moves follow its state diagram, narrowed to what this product
does: an officer books (booked), joins (arrived), the session ends (fulfilled, or noshow when
no officer came), either side cancels before the start, and an operator may mark any record
entered-in-error. ``pending``/``checked-in`` are not used (no approval step, no front desk).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "OCCUPYING",
    "AppointmentStatus",
    "TransitionRefused",
    "after_officer_joined",
    "after_session_ended",
    "check_transition",
    "is_late_cancellation",
]


class AppointmentStatus(StrEnum):
    PROPOSED = "proposed"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"
    WAITLIST = "waitlist"


S = AppointmentStatus
_ALLOWED: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    S.PROPOSED: frozenset({S.BOOKED, S.CANCELLED, S.WAITLIST}),
    S.WAITLIST: frozenset({S.BOOKED, S.CANCELLED}),
    S.BOOKED: frozenset({S.ARRIVED, S.FULFILLED, S.NOSHOW, S.CANCELLED}),
    S.ARRIVED: frozenset({S.FULFILLED, S.CANCELLED}),
    S.FULFILLED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NOSHOW: frozenset(),
    S.ENTERED_IN_ERROR: frozenset(),
}

# Statuses whose time stays taken on both calendars (past sessions still count toward the
# daily limits of the day they happened on).
# A waiting-list hold occupies its time like a booking until it is accepted or let go.
OCCUPYING: frozenset[AppointmentStatus] = frozenset({S.BOOKED, S.ARRIVED, S.FULFILLED, S.NOSHOW, S.WAITLIST})


class TransitionRefused(Exception):
    def __init__(self, current: AppointmentStatus, target: AppointmentStatus) -> None:
        self.current, self.target = current, target
        super().__init__(f"a {current.value} appointment cannot become {target.value}")


def check_transition(current: AppointmentStatus, target: AppointmentStatus) -> None:
    """Raise TransitionRefused unless ``current -> target`` is a legal move.

    entered-in-error is reachable from every status except itself: it corrects the record.
    """
    if target is S.ENTERED_IN_ERROR and current is not S.ENTERED_IN_ERROR:
        return
    if target not in _ALLOWED[current]:
        raise TransitionRefused(current, target)


def is_late_cancellation(start: datetime, now: datetime, window: timedelta) -> bool:
    """An officer's cancellation inside the agency's window before the start is late (it is
    still accepted: an officer called in to duty must be able to cancel; it is only marked)."""
    return start - now < window


def after_officer_joined(current: AppointmentStatus) -> AppointmentStatus | None:
    """An officer entered the room (waiting room included): booked becomes arrived."""
    return S.ARRIVED if current is S.BOOKED else None


def after_session_ended(current: AppointmentStatus, any_officer_joined: bool) -> AppointmentStatus | None:
    """The room closed: fulfilled if an officer took part, else noshow; nothing for a record
    that already ended, was cancelled, or was never booked."""
    if current is S.ARRIVED:
        return S.FULFILLED
    if current is S.BOOKED:
        return S.FULFILLED if any_officer_joined else S.NOSHOW
    return None
