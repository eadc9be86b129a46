"""gRPC servicer: a thin translation between protobuf and the identity use cases."""

from __future__ import annotations

from tenfour.identity.v1 import identity_pb2_grpc

SERVICE_NAME = "tenfour.identity.v1.IdentityService"


class IdentityApi(identity_pb2_grpc.IdentityServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until their issue lands."""
