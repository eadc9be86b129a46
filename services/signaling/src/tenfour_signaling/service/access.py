"""Whose token fits which seat: the check in front of every participant use case."""

from __future__ import annotations

from dataclasses import dataclass

from tenfour_shared.auth.roles import Role as AuthRole
from tenfour_signaling.domain import JoinDenial, JoinDenied, Room, Seat

__all__ = ["Caller", "acting_subject", "require_seat", "seat_for"]

_PROVIDER_ROLES = frozenset({AuthRole.THERAPIST, AuthRole.PEER_SUPPORTER})
_OFFICER_ROLES = frozenset({AuthRole.OFFICER, AuthRole.PEER_SUPPORTER})  # a peer supporter is an officer


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated principal, as far as rooms care."""

    subject: str
    role: AuthRole
    agency_id: str | None


def seat_for(room: Room, caller: Caller) -> Seat | None:
    """The caller's seat if their token fits it: subject, a role that fits the seat, same agency."""
    seat = room.seat_of(caller.subject)
    if seat is None:
        return None
    roles = _PROVIDER_ROLES if seat.participant.role.is_provider else _OFFICER_ROLES
    if caller.role not in roles:
        return None
    if caller.agency_id and room.agency_id and caller.agency_id != room.agency_id:
        return None
    return seat


def require_seat(room: Room, caller: Caller) -> Seat:
    seat = seat_for(room, caller)
    if seat is None:
        raise JoinDenied(JoinDenial.NOT_PARTICIPANT)
    return seat


def acting_subject(room: Room, caller: Caller) -> str:
    """The caller's subject once their token fits their seat (the domain checks they provide)."""
    return require_seat(room, caller).participant.subject
