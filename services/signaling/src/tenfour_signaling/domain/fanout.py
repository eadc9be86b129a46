"""Who is told about a room event.

Waiting officers learn only about providers (so the client can say "waiting for your
therapist" or "your therapist is here"); nobody but providers sees who is waiting.
"""

from __future__ import annotations

from .events import LeaveReason, ParticipantAdmitted, ParticipantJoined, ParticipantLeft, RoomEvent
from .participants import Role
from .room import Presence, Room
from .signals import SignalPayload, WaitingSignal, signal_for_event
from .waiting_room import Transition

__all__ = ["audience", "deliveries", "waiting_message"]

_PROVIDER_WORDS = {Role.THERAPIST: "therapist", Role.PEER_SUPPORTER: "peer supporter"}


def _handles(room: Room, *presences: Presence, providers_only: bool = False) -> list[str]:
    return [
        s.handle
        for s in room.seats
        if s.presence in presences and (s.participant.role.is_provider or not providers_only)
    ]


def _waiting(room: Room, handle: str) -> bool:
    seat = room.seat_by_handle(handle)
    return seat is not None and seat.presence is Presence.WAITING


def audience(before: Room, event: RoomEvent) -> tuple[str, ...]:
    """Handles that receive ``event``, judged on the room as it was before the event."""
    admitted = _handles(before, Presence.ADMITTED)
    present = _handles(before, Presence.ADMITTED, Presence.WAITING)
    providers = _handles(before, Presence.ADMITTED, providers_only=True)
    subject: str | None = None
    tell_subject = False
    match event:
        case ParticipantJoined(participant=subject, waiting=True):
            targets = providers
        case ParticipantJoined(participant=subject, role=role):
            targets = present if role.is_provider else admitted
        case ParticipantAdmitted(participant=subject):
            targets, tell_subject = admitted, True  # this is how the officer learns they are in
        case ParticipantLeft(participant=subject, role=role) if role.is_provider:
            targets = present  # waiting officers see their provider's status too
        case ParticipantLeft(participant=subject, reason=reason):
            targets = providers if _waiting(before, subject) else admitted
            tell_subject = reason is LeaveReason.REMOVED
        case _:  # SessionEnded
            targets = present
    recipients = [h for h in targets if h != subject]
    if tell_subject and subject is not None:
        recipients.append(subject)
    return tuple(dict.fromkeys(recipients))


def waiting_message(room: Room) -> str:
    """What a waiting officer reads: which provider, and whether they are already here."""
    return waiting_signal(room).message


def waiting_signal(room: Room) -> WaitingSignal:
    """The waiting room's message, in English and as a code with the provider's role."""
    providers = [s for s in room.seats if s.participant.role.is_provider]
    role = providers[0].participant.role if providers else None
    word = _PROVIDER_WORDS.get(role, "provider") if role is not None else "provider"
    role_value = role.value if role is not None else ""
    if any(s.presence is Presence.ADMITTED for s in providers):
        return WaitingSignal(
            message=f"Your {word} is here and will let you in shortly.",
            code="provider_here",
            provider_role=role_value,
        )
    return WaitingSignal(
        message=f"Waiting for your {word} to let you in.",
        code="waiting_for_provider",
        provider_role=role_value,
    )


def deliveries(transition: Transition) -> list[tuple[str, SignalPayload]]:
    """(recipient handle, wire payload) for every event of a transition, in order.

    Someone who lands in the waiting room is also told so, with their provider's status.
    """
    out: list[tuple[str, SignalPayload]] = []
    for event in transition.events:
        payload = signal_for_event(event)
        out.extend((handle, payload) for handle in audience(transition.before, event))
        if isinstance(event, ParticipantJoined) and event.waiting:
            out.append((event.participant, waiting_signal(transition.room)))
    return out
