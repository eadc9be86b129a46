"""Every event payload type, by name. Explicit so that a new event is one line here."""

from __future__ import annotations

from google.protobuf.message import Message

from tenfour.events.v1 import (
    availability_events_pb2,
    identity_events_pb2,
    scheduling_events_pb2,
    signaling_events_pb2,
)

# event type -> (producing service, payload class)
PAYLOADS: dict[str, tuple[str, type[Message]]] = {
    "identity.user_registered": ("identity", identity_events_pb2.UserRegistered),
    "identity.user_deactivated": ("identity", identity_events_pb2.UserDeactivated),
    "identity.provider_profile_updated": ("identity", identity_events_pb2.ProviderProfileUpdated),
    "availability.provider_rules_changed": ("availability", availability_events_pb2.ProviderRulesChanged),
    "scheduling.appointment_status_changed": ("scheduling", scheduling_events_pb2.AppointmentStatusChanged),
    "scheduling.appointment_rescheduled": ("scheduling", scheduling_events_pb2.AppointmentRescheduled),
    "scheduling.appointment_conflict_detected": (
        "scheduling",
        scheduling_events_pb2.AppointmentConflictDetected,
    ),
    "scheduling.reminder_due": ("scheduling", scheduling_events_pb2.ReminderDue),
    "scheduling.urgent_escalation": ("scheduling", scheduling_events_pb2.UrgentEscalation),
    "scheduling.roster_changed": ("scheduling", scheduling_events_pb2.RosterChanged),
    "signaling.session_opened": ("signaling", signaling_events_pb2.SessionOpened),
    "signaling.participant_joined": ("signaling", signaling_events_pb2.ParticipantJoined),
    "signaling.participant_left": ("signaling", signaling_events_pb2.ParticipantLeft),
    "signaling.session_ended": ("signaling", signaling_events_pb2.SessionEnded),
}

_BY_CLASS: dict[type[Message], str] = {cls: name for name, (_, cls) in PAYLOADS.items()}


def type_of(payload: Message) -> str:
    try:
        return _BY_CLASS[type(payload)]
    except KeyError:
        raise KeyError(f"{type(payload).__name__} is not a registered event payload") from None
