"""Pure domain core of the signaling service: rooms, admission, waiting room, signals, TURN.

No I/O and no grpc/redis/nats/aiortc imports (import-linter contract); clocks are passed in.
"""

from .admission import JoinDenial, JoinDenied, authorize_join, join_denial
from .candidates import ParsedCandidate, filter_sdp_candidates, parse_candidate
from .errors import DomainError, InvalidSignal, NotAllowed, NotFound, RoomStateError
from .events import (
    LeaveReason,
    ParticipantAdmitted,
    ParticipantJoined,
    ParticipantLeft,
    RoomEvent,
    SessionEnded,
)
from .fanout import audience, deliveries
from .ice import IceConfiguration, IceServer, IceSettings, ice_configuration_for
from .outbox import RESUME_WINDOW, MustRejoin, Outbox, Replay, ResumeResult
from .participants import MAX_PARTICIPANTS, Participant, Role, new_handle
from .room import EndReason, Presence, Room, RoomState, Seat
from .signals import (
    SDP_MAX_BYTES,
    Answer,
    Bye,
    EndOfCandidates,
    Heartbeat,
    IceCandidate,
    IceRestart,
    Offer,
    OutboundSignal,
    ParticipantAdmittedSignal,
    ParticipantJoinedSignal,
    ParticipantLeftSignal,
    Renegotiate,
    SessionEndedSignal,
    SignalEnvelope,
    SignalPayload,
    signal_for_event,
)
from .turn import TurnCredential, credential_expiry, mint_turn_credential, turn_password
from .waiting_room import Transition, admit, cancel, close_if_due, end_session, join, leave, remove

__all__ = [
    "MAX_PARTICIPANTS",
    "RESUME_WINDOW",
    "SDP_MAX_BYTES",
    "Answer",
    "Bye",
    "DomainError",
    "EndOfCandidates",
    "EndReason",
    "Heartbeat",
    "IceCandidate",
    "IceConfiguration",
    "IceRestart",
    "IceServer",
    "IceSettings",
    "InvalidSignal",
    "JoinDenial",
    "JoinDenied",
    "LeaveReason",
    "MustRejoin",
    "NotAllowed",
    "NotFound",
    "Offer",
    "OutboundSignal",
    "Outbox",
    "ParsedCandidate",
    "Participant",
    "ParticipantAdmitted",
    "ParticipantAdmittedSignal",
    "ParticipantJoined",
    "ParticipantJoinedSignal",
    "ParticipantLeft",
    "ParticipantLeftSignal",
    "Presence",
    "Renegotiate",
    "Replay",
    "ResumeResult",
    "Role",
    "Room",
    "RoomEvent",
    "RoomState",
    "RoomStateError",
    "Seat",
    "SessionEnded",
    "SessionEndedSignal",
    "SignalEnvelope",
    "SignalPayload",
    "Transition",
    "TurnCredential",
    "admit",
    "audience",
    "authorize_join",
    "cancel",
    "close_if_due",
    "credential_expiry",
    "deliveries",
    "end_session",
    "filter_sdp_candidates",
    "ice_configuration_for",
    "join",
    "join_denial",
    "leave",
    "mint_turn_credential",
    "new_handle",
    "parse_candidate",
    "remove",
    "signal_for_event",
    "turn_password",
]
