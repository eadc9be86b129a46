"""Signal envelopes: the typed oneof the protobuf will carry, validated at the edge.

SDP and candidate fields are excluded from repr and from validation error text
(``hide_input_in_errors``) so neither can leak into logs.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from .candidates import parse_candidate
from .errors import InvalidSignal
from .events import LeaveReason, ParticipantAdmitted, ParticipantJoined, ParticipantLeft, RoomEvent
from .participants import HANDLE_PATTERN, Role
from .room import EndReason

__all__ = [
    "SDP_MAX_BYTES",
    "Answer",
    "Bye",
    "ClientPayload",
    "EndOfCandidates",
    "Heartbeat",
    "IceCandidate",
    "IceRestart",
    "MustRejoinSignal",
    "MuteRequestedSignal",
    "Offer",
    "OutboundSignal",
    "ParticipantAdmittedSignal",
    "ParticipantJoinedSignal",
    "ParticipantLeftSignal",
    "Renegotiate",
    "SessionEndedSignal",
    "SignalEnvelope",
    "SignalPayload",
    "WaitingSignal",
    "signal_for_event",
]

SDP_MAX_BYTES = 64 * 1024


def _check_sdp(sdp: str) -> str:
    if len(sdp.encode()) > SDP_MAX_BYTES:
        raise InvalidSignal("SDP larger than 64 KiB")
    if not sdp.startswith("v=0") or "\x00" in sdp:
        raise InvalidSignal("not an SDP session description")
    return sdp


def _check_candidate(candidate: str) -> str:
    parse_candidate(candidate)
    return candidate


Sdp = Annotated[str, AfterValidator(_check_sdp), Field(repr=False)]
CandidateLine = Annotated[str, AfterValidator(_check_candidate), Field(repr=False)]
Handle = Annotated[str, Field(pattern=HANDLE_PATTERN)]


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class Offer(_Body):
    kind: Literal["offer"] = "offer"
    sdp: Sdp


class Answer(_Body):
    kind: Literal["answer"] = "answer"
    sdp: Sdp


class IceCandidate(_Body):
    kind: Literal["ice_candidate"] = "ice_candidate"
    candidate: CandidateLine
    sdp_mid: str | None = Field(default=None, max_length=64)
    sdp_mline_index: int | None = Field(default=None, ge=0, le=1023)

    @model_validator(mode="after")
    def _has_media_line(self) -> Self:
        if self.sdp_mid is None and self.sdp_mline_index is None:
            raise ValueError("a candidate needs sdp_mid or sdp_mline_index")
        return self


class EndOfCandidates(_Body):
    kind: Literal["end_of_candidates"] = "end_of_candidates"


class Renegotiate(_Body):
    """Ask the other side to send a fresh offer (tracks changed)."""

    kind: Literal["renegotiate"] = "renegotiate"


class IceRestart(_Body):
    """Ask the other side to offer with new ICE credentials (network changed)."""

    kind: Literal["ice_restart"] = "ice_restart"


class Bye(_Body):
    kind: Literal["bye"] = "bye"
    reason_code: str = Field(default="", max_length=32, pattern=r"^[a-z_]*$")


class ParticipantJoinedSignal(_Body):
    kind: Literal["participant_joined"] = "participant_joined"
    participant: Handle
    role: Role
    waiting: bool


class ParticipantAdmittedSignal(_Body):
    kind: Literal["participant_admitted"] = "participant_admitted"
    participant: Handle


class ParticipantLeftSignal(_Body):
    kind: Literal["participant_left"] = "participant_left"
    participant: Handle
    reason: LeaveReason


class SessionEndedSignal(_Body):
    kind: Literal["session_ended"] = "session_ended"
    reason: EndReason


class WaitingSignal(_Body):
    """Told to a participant in the waiting room, e.g. "Waiting for your therapist to let you in"."""

    kind: Literal["waiting"] = "waiting"
    message: str = Field(max_length=200)
    # The same as a code for clients in other languages: provider_here | waiting_for_provider,
    # with the provider's role (therapist | peer_supporter; empty when none is booked).
    code: str = Field(default="", max_length=40)
    provider_role: str = Field(default="", max_length=40)


class MustRejoinSignal(_Body):
    """The resume gap is gone: join again and renegotiate from scratch."""

    kind: Literal["must_rejoin"] = "must_rejoin"
    reason_code: str = Field(default="", max_length=32, pattern=r"^[a-z_]*$")


class MuteRequestedSignal(_Body):
    """A provider asked this participant to mute their microphone."""

    kind: Literal["mute_requested"] = "mute_requested"


class Heartbeat(_Body):
    kind: Literal["heartbeat"] = "heartbeat"


SignalPayload = Annotated[
    Offer
    | Answer
    | IceCandidate
    | EndOfCandidates
    | Renegotiate
    | IceRestart
    | Bye
    | ParticipantJoinedSignal
    | ParticipantAdmittedSignal
    | ParticipantLeftSignal
    | SessionEndedSignal
    | WaitingSignal
    | MustRejoinSignal
    | MuteRequestedSignal
    | Heartbeat,
    Field(discriminator="kind"),
]

# The subset a participant may send; everything about presence comes from the service only.
ClientPayload = Annotated[
    Offer | Answer | IceCandidate | EndOfCandidates | Renegotiate | IceRestart | Bye,
    Field(discriminator="kind"),
]


class OutboundSignal(_Body):
    """What a participant sends (SendRequest): the service stamps sender, seq and time."""

    session_id: str = Field(min_length=1, max_length=64)
    recipient: Handle | None = None  # None: everyone else in the room
    client_msg_id: str | None = Field(default=None, max_length=64)  # dedupes client retries
    payload: ClientPayload


class SignalEnvelope(_Body):
    """What a participant receives; ``seq`` increases by one per recipient, starting at 1."""

    session_id: str = Field(min_length=1, max_length=64)
    seq: int = Field(ge=1)
    sent_at: AwareDatetime
    sender: Handle | None = None  # None: sent by the service itself
    recipient: Handle
    payload: SignalPayload


def signal_for_event(event: RoomEvent) -> SignalPayload:
    """The wire payload announcing a domain event."""
    match event:
        case ParticipantJoined():
            return ParticipantJoinedSignal(
                participant=event.participant, role=event.role, waiting=event.waiting
            )
        case ParticipantAdmitted():
            return ParticipantAdmittedSignal(participant=event.participant)
        case ParticipantLeft():
            return ParticipantLeftSignal(participant=event.participant, reason=event.reason)
        case _:
            return SessionEndedSignal(reason=event.reason)
