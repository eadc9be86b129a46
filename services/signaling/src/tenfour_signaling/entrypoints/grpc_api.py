"""gRPC servicer: a thin translation between protobuf and the signaling use cases."""

from __future__ import annotations

from tenfour.signaling.v1 import signaling_pb2_grpc

SERVICE_NAME = "tenfour.signaling.v1.SignalingService"


class SignalingApi(signaling_pb2_grpc.SignalingServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until their issue lands."""
