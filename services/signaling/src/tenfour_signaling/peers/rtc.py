"""Edges between our domain types and aiortc: configuration, SDP policy, selected candidate pair."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from tenfour_signaling.domain import IceServer, filter_sdp_candidates

__all__ = ["CandidatePair", "incoming_sdp", "outgoing_sdp", "rtc_configuration", "selected_candidate_pair"]

CandidatePair = tuple[str, str]  # (local type, remote type), e.g. ("host", "host")

_RELAY = frozenset({"relay"})


def rtc_configuration(ice_servers: Sequence[IceServer], *, relay_only: bool = False) -> RTCConfiguration:
    """Always an explicit list: with ``iceServers=None`` aiortc silently uses Google's STUN."""
    servers = [
        RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential) for s in ice_servers
    ]
    policy = RTCIceTransportPolicy.RELAY if relay_only else RTCIceTransportPolicy.ALL
    return RTCConfiguration(iceServers=servers, iceTransportPolicy=policy)


def outgoing_sdp(sdp: str, *, relay_only: bool) -> str:
    """SDP as we send it: relay-only peers announce relay candidates only, without raddr/rport.

    aiortc >= 1.13 already gathers only relay candidates under the RELAY policy; filtering
    again keeps the guarantee if an older aiortc (no iceTransportPolicy) is installed.
    """
    return filter_sdp_candidates(sdp, _RELAY, hide_related=True) if relay_only else sdp


def incoming_sdp(sdp: str, *, relay_only: bool) -> str:
    """A relay-only peer also ignores the other side's direct candidates."""
    return filter_sdp_candidates(sdp, _RELAY) if relay_only else sdp


def selected_candidate_pair(pc: RTCPeerConnection) -> CandidatePair | None:
    """Types of the nominated ICE pair, or None before one is selected.

    aiortc's getStats has no candidate-pair entry, so this reads aioice's nominated pair; it is
    private API, hence the defensive lookups (Any at the edge).
    """
    transports: list[Any] = [t.receiver.transport for t in pc.getTransceivers()]
    if pc.sctp is not None:
        transports.append(pc.sctp.transport)
    for dtls in transports:
        nominated = getattr(getattr(dtls.transport, "_connection", None), "_nominated", {})
        for pair in nominated.values():
            return (str(pair.local_candidate.type), str(pair.remote_candidate.type))
    return None
