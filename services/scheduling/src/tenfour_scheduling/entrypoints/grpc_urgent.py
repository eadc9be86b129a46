"""RequestUrgentSession and GetUrgentSessionStatus."""

from __future__ import annotations

from google.protobuf.duration_pb2 import Duration

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_scheduling.service.urgent import UrgentStatus
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.errors import InvalidArgument

__all__ = ["UrgentRpcs"]


def _reply(s: UrgentStatus) -> pb.UrgentSessionStatus:
    wait = Duration()
    wait.FromTimedelta(s.estimated_wait)
    out = pb.UrgentSessionStatus(
        request_id=s.request_id,
        state=s.state,
        queue_position=s.position,
        estimated_wait=wait,
        crisis_line_text=s.crisis_line_text,
    )
    if s.appointment is not None:
        out.appointment.CopyFrom(s.appointment)
    return out


class UrgentRpcs(RpcBase):
    async def RequestUrgentSession(
        self, request: pb.RequestUrgentSessionRequest, context: Ctx
    ) -> pb.UrgentSessionStatus:
        caller = current_principal()
        officer_id = requests.own_officer_id(caller, "")
        status = await self._s.urgent.request(
            officer_id, requests.agency_of(caller), request.prefer_peer_first
        )
        return _reply(status)

    async def GetUrgentSessionStatus(
        self, request: pb.GetUrgentSessionStatusRequest, context: Ctx
    ) -> pb.UrgentSessionStatus:
        if not request.request_id:
            raise InvalidArgument.single("request_id", "is required")
        caller = current_principal()
        officer_id = requests.own_officer_id(caller, "")
        return _reply(await self._s.urgent.status(officer_id, request.request_id))
