"""Peer-supporter readiness: the training policy, records and statuses (training.proto).

Coordinators (agency admins) act on their own agency only: an ``agency_id`` of another
agency, or a peer of another agency, is PERMISSION_DENIED. A peer supporter reads their own
status and their agency's policy.
"""

from __future__ import annotations

from tenfour.scheduling.v1 import training_pb2 as tpb
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import Principal, current_principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import NotAllowed

__all__ = ["TrainingRpcs"]


def _own_agency(caller: Principal, requested: str) -> str:
    agency = requests.agency_of(caller)
    if requested and requested != agency:
        raise NotAllowed("you can only act on your own agency's training records")
    return agency


def _peer_id(caller: Principal, requested: str) -> str:
    if caller.role is Role.PEER_SUPPORTER:
        return requests.own_officer_id(caller, requested)
    return requests.provider_id(requested, "peer_id")


class TrainingRpcs(RpcBase):
    async def SetTrainingPolicy(
        self, request: tpb.SetTrainingPolicyRequest, context: Ctx
    ) -> tpb.TrainingPolicy:
        agency = _own_agency(current_principal(), request.policy.agency_id)
        return await self._s.training.set_policy(agency, list(request.policy.required))

    async def GetTrainingPolicy(
        self, request: tpb.GetTrainingPolicyRequest, context: Ctx
    ) -> tpb.TrainingPolicy:
        return await self._s.training.policy(_own_agency(current_principal(), request.agency_id))

    async def RecordTraining(self, request: tpb.RecordTrainingRequest, context: Ctx) -> tpb.TrainingRecord:
        agency = _own_agency(current_principal(), "")
        record = tpb.TrainingRecord()
        record.CopyFrom(request.record)
        record.source = "coordinator"
        if record.peer_id:
            requests.provider_id(record.peer_id, "record.peer_id")
        return await self._s.training.record(agency, record)

    async def RemoveTrainingRecord(
        self, request: tpb.RemoveTrainingRecordRequest, context: Ctx
    ) -> tpb.RemoveTrainingRecordResponse:
        agency = _own_agency(current_principal(), "")
        if request.peer_id:
            requests.provider_id(request.peer_id, "peer_id")
        await self._s.training.remove(agency, request.peer_id, request.record_id)
        return tpb.RemoveTrainingRecordResponse()

    async def GetPeerReadiness(self, request: tpb.GetPeerReadinessRequest, context: Ctx) -> tpb.PeerReadiness:
        caller = current_principal()
        return await self._s.training.status(_own_agency(caller, ""), _peer_id(caller, request.peer_id))

    async def ListPeerReadiness(
        self, request: tpb.ListPeerReadinessRequest, context: Ctx
    ) -> tpb.ListPeerReadinessResponse:
        agency = _own_agency(current_principal(), request.agency_id)
        return tpb.ListPeerReadinessResponse(peers=await self._s.training.peers(agency))
