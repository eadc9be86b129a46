"""aiortc peers for tests, the pre-call echo check and native clients (never the therapy media path).

May import aiortc; the domain may not.
"""

from .client import DATA_CHANNEL_LABEL, PeerClient, PeerReport
from .connection import SignaledPeer
from .echo import EchoPeer, EchoReport, run_echo_check
from .media import TestPatternTrack
from .rtc import CandidatePair, rtc_configuration, selected_candidate_pair
from .signaling import InMemorySignaling, SignalingPort, in_memory_pair

__all__ = [
    "DATA_CHANNEL_LABEL",
    "CandidatePair",
    "EchoPeer",
    "EchoReport",
    "InMemorySignaling",
    "PeerClient",
    "PeerReport",
    "SignaledPeer",
    "SignalingPort",
    "TestPatternTrack",
    "in_memory_pair",
    "rtc_configuration",
    "run_echo_check",
    "selected_candidate_pair",
]
