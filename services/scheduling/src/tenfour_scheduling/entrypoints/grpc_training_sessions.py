"""Training sessions for staff (training_sessions.proto): coordinators plan and schedule them
for their own agency; officers and peer supporters list the ones they are invited to."""

from __future__ import annotations

from tenfour.scheduling.v1 import training_sessions_pb2 as spb
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.auth.roles import Role

__all__ = ["TrainingSessionRpcs"]


class TrainingSessionRpcs(RpcBase):
    async def PlanTraining(self, request: spb.PlanTrainingRequest, context: Ctx) -> spb.TrainingPlan:
        agency = requests.agency_of(current_principal())
        window = requests.time_range(request.window, request.HasField("window"), "window")
        times, invited = await self._s.training_sessions.plan(
            agency, request.facilitator_id, list(request.invitee_ids), window, request.limit, request.everyone
        )
        return spb.TrainingPlan(
            times=[
                spb.TrainingTime(start=timestamp(t.start), can_attend=len(t.attendees), invited=invited)
                for t in times
            ]
        )

    async def ScheduleTraining(
        self, request: spb.ScheduleTrainingRequest, context: Ctx
    ) -> spb.TrainingSession:
        agency = requests.agency_of(current_principal())
        start = requests.instant(request.start, request.HasField("start"), "start")
        key = requests.idempotency_key(request.idempotency_key)
        return await self._s.training_sessions.schedule(agency, request.session, start, key)

    async def ListTrainingSessions(
        self, request: spb.ListTrainingSessionsRequest, context: Ctx
    ) -> spb.ListTrainingSessionsResponse:
        caller = current_principal()
        agency = requests.agency_of(caller)
        if caller.role is Role.AGENCY_ADMIN:
            found = await self._s.training_sessions.for_agency(agency)
        else:
            found = await self._s.training_sessions.for_member(agency, requests.own_officer_id(caller, ""))
        return spb.ListTrainingSessionsResponse(sessions=found)
