"""aiortc client of the signaling service: the gRPC SignalingPort and a 1:1 session driver."""

from .session import SessionClient
from .transport import GrpcSignaling, SignalingError

__all__ = ["GrpcSignaling", "SessionClient", "SignalingError"]
