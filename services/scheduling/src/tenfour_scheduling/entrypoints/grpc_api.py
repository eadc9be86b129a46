"""gRPC servicer: a thin translation between protobuf and the scheduling use cases."""

from __future__ import annotations

from tenfour.scheduling.v1 import scheduling_pb2_grpc

SERVICE_NAME = "tenfour.scheduling.v1.SchedulingService"


class SchedulingApi(scheduling_pb2_grpc.SchedulingServiceServicer):
    """RPCs not overridden here answer UNIMPLEMENTED until their issue lands."""
