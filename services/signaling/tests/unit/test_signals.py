from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from tenfour_signaling.domain import (
    SDP_MAX_BYTES,
    Answer,
    Bye,
    Heartbeat,
    IceCandidate,
    Offer,
    OutboundSignal,
    SignalEnvelope,
    SignalPayload,
)

SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 192.0.2.55\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = "candidate:1 1 udp 2130706431 192.0.2.55 50000 typ host"
HANDLE = "Abcdefgh12345678"
NOW = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)
payloads: TypeAdapter[SignalPayload] = TypeAdapter(SignalPayload)


def test_payloads_are_a_tagged_union() -> None:
    assert isinstance(payloads.validate_python({"kind": "offer", "sdp": SDP}), Offer)
    assert isinstance(payloads.validate_json('{"kind": "heartbeat"}'), Heartbeat)
    candidate = payloads.validate_python({"kind": "ice_candidate", "candidate": CANDIDATE, "sdp_mid": "0"})
    assert isinstance(candidate, IceCandidate)
    with pytest.raises(ValidationError):
        payloads.validate_python({"kind": "shell", "cmd": "rm"})


def test_envelope_round_trips_through_json() -> None:
    envelope = SignalEnvelope(
        session_id="s1", sent_at=NOW, seq=3, sender=HANDLE, recipient=HANDLE, payload=Answer(sdp=SDP)
    )
    assert SignalEnvelope.model_validate_json(envelope.model_dump_json()) == envelope


def test_sequence_numbers_start_at_one() -> None:
    with pytest.raises(ValidationError):
        SignalEnvelope(session_id="s1", sent_at=NOW, seq=0, recipient=HANDLE, payload=Bye())


def test_recipients_are_handles() -> None:
    with pytest.raises(ValidationError):
        OutboundSignal(session_id="s1", recipient="user:42", payload=Bye())


def test_sdp_limit_is_64_kib() -> None:
    at_limit = SDP + "a=x" + "y" * (SDP_MAX_BYTES - len(SDP) - 3)
    assert len(at_limit.encode()) == SDP_MAX_BYTES
    Offer(sdp=at_limit)
    with pytest.raises(ValidationError):
        Offer(sdp=at_limit + "y")


def test_sdp_limit_counts_bytes_not_characters() -> None:
    with pytest.raises(ValidationError):
        Offer(sdp=SDP + "é" * (SDP_MAX_BYTES // 2))


@pytest.mark.parametrize("bad", ["", "hello", "x" + SDP, SDP + "\x00"])
def test_rejects_what_is_not_sdp(bad: str) -> None:
    with pytest.raises(ValidationError):
        Offer(sdp=bad)


def test_candidate_needs_a_media_line_reference() -> None:
    with pytest.raises(ValidationError):
        IceCandidate(candidate=CANDIDATE)


def test_garbage_candidate_is_rejected() -> None:
    with pytest.raises(ValidationError):
        IceCandidate(candidate="candidate:lol", sdp_mline_index=0)


def test_neither_repr_nor_errors_reveal_sdp_or_addresses() -> None:
    assert "192.0.2.55" not in repr(Offer(sdp=SDP))
    assert "192.0.2.55" not in repr(IceCandidate(candidate=CANDIDATE, sdp_mid="0"))
    with pytest.raises(ValidationError) as caught:
        IceCandidate(candidate=CANDIDATE.replace("typ host", "typ nope"), sdp_mid="0")
    assert "192.0.2.55" not in str(caught.value)
    with pytest.raises(ValidationError) as too_big:
        Offer(sdp=SDP + "a=" + "z" * SDP_MAX_BYTES)
    assert "192.0.2.55" not in str(too_big.value)


def test_envelopes_are_immutable() -> None:
    envelope = SignalEnvelope(session_id="s1", sent_at=NOW, seq=1, recipient=HANDLE, payload=Bye())
    with pytest.raises(ValidationError):
        envelope.seq = 2  # type: ignore[misc]


def test_clients_cannot_send_presence_signals() -> None:
    OutboundSignal(session_id="s1", payload=Offer(sdp=SDP))  # no recipient: everyone else
    with pytest.raises(ValidationError):
        OutboundSignal.model_validate(
            {"session_id": "s1", "payload": {"kind": "participant_admitted", "participant": HANDLE}}
        )
    with pytest.raises(ValidationError):
        OutboundSignal.model_validate({"session_id": "s1", "payload": {"kind": "heartbeat"}})


def test_bye_reason_codes_are_short_tokens() -> None:
    assert Bye(reason_code="hung_up").reason_code == "hung_up"
    with pytest.raises(ValidationError):
        Bye(reason_code="free text\nwith newline")


BAD_CANDIDATE = "candidate:x 1 udp 1 192.0.2.55 1 typ no"


def test_nested_payload_errors_hide_their_input_too() -> None:
    envelope = {
        "session_id": "s1",
        "seq": 1,
        "sent_at": NOW.isoformat(),
        "recipient": HANDLE,
        "payload": {
            "kind": "ice_candidate",
            "candidate": "candidate:x 1 udp 1 192.0.2.55 1 typ no",
            "sdp_mid": "0",
        },
    }
    with pytest.raises(ValidationError) as caught:
        SignalEnvelope.model_validate(envelope)
    assert "192.0.2.55" not in str(caught.value)
