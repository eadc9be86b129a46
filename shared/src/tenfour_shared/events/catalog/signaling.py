"""Events the signaling service produces."""

from __future__ import annotations

from google.protobuf.message import Message

from tenfour.events.v1 import access_events_pb2 as access
from tenfour.events.v1 import signaling_events_pb2 as ev

PAYLOADS: dict[str, type[Message]] = {
    "signaling.session_opened": ev.SessionOpened,
    "signaling.participant_joined": ev.ParticipantJoined,
    "signaling.participant_connected": ev.ParticipantConnected,
    "signaling.participant_left": ev.ParticipantLeft,
    "signaling.session_ended": ev.SessionEnded,
    "signaling.session_accessed": access.SignalingSessionAccessed,
}
