"""Urgent requests: an officer asks, reads and cancels; a provider accepts or declines, switches
on call and wraps up after the session."""

from __future__ import annotations

from google.protobuf.duration_pb2 import Duration

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.keys import APPOINTMENT_ID, ID
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_scheduling.service.urgent import UrgentStatus
from tenfour_scheduling.service.urgent_on_call import OnCallState
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import InvalidInput, NotAllowed

__all__ = ["UrgentRpcs"]


def _request_id(value: str) -> str:
    if not value:
        raise InvalidInput.single("request_id", "is required")
    if len(value) > 64 or not ID.match(value):
        raise InvalidInput.single("request_id", "is not an urgent request id")
    return value


def _provider(subject: str) -> str:
    if not ID.match(subject):
        raise NotAllowed("this account's id cannot be used for scheduling")
    return subject


def _reply(s: UrgentStatus) -> pb.UrgentSessionStatus:
    wait = Duration()
    wait.FromTimedelta(s.estimated_wait)
    out = pb.UrgentSessionStatus(
        request_id=s.request_id,
        state=s.state,
        queue_position=s.position,
        estimated_wait=wait,
        crisis_line_text=s.crisis_line_text,
        alerted_count=s.alerted,
        provider_name=s.provider_name,
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
            raise InvalidInput.single("request_id", "is required")
        caller = current_principal()
        officer_id = requests.own_officer_id(caller, "")
        return _reply(await self._s.urgent.status(officer_id, request.request_id))

    async def AcceptUrgentRequest(
        self, request: pb.AcceptUrgentRequestRequest, context: Ctx
    ) -> pb.UrgentOfferReply:
        request_id = _request_id(request.request_id)
        provider = _provider(current_principal().subject)
        booked = await self._s.urgent_offers.accept(provider, request_id)
        return pb.UrgentOfferReply(request_id=request_id, state="accepted", appointment=booked)

    async def DeclineUrgentRequest(
        self, request: pb.DeclineUrgentRequestRequest, context: Ctx
    ) -> pb.UrgentOfferReply:
        request_id = _request_id(request.request_id)
        await self._s.urgent_offers.decline(_provider(current_principal().subject), request_id)
        return pb.UrgentOfferReply(request_id=request_id, state="declined")

    async def CancelUrgentRequest(
        self, request: pb.CancelUrgentRequestRequest, context: Ctx
    ) -> pb.UrgentSessionStatus:
        request_id = _request_id(request.request_id)
        officer_id = requests.own_officer_id(current_principal(), "")
        await self._s.urgent_offers.cancel(officer_id, request_id)
        return _reply(await self._s.urgent.status(officer_id, request_id))

    async def SetOnCall(self, request: pb.SetOnCallRequest, context: Ctx) -> pb.OnCallState:
        caller = current_principal()
        peer_agency = requests.agency_of(caller) if caller.role is Role.PEER_SUPPORTER else None
        state = await self._s.on_call.set(_provider(caller.subject), request.mode, peer_agency)
        return _on_call(state)

    async def GetOnCall(self, request: pb.GetOnCallRequest, context: Ctx) -> pb.OnCallState:
        return _on_call(await self._s.on_call.get(_provider(current_principal().subject)))

    async def WrapUpUrgentSession(
        self, request: pb.WrapUpUrgentSessionRequest, context: Ctx
    ) -> pb.WrapUpUrgentSessionResponse:
        if not request.appointment_id:
            raise InvalidInput.single("appointment_id", "is required")
        if len(request.appointment_id) > 128 or not APPOINTMENT_ID.match(request.appointment_id):
            raise InvalidInput.single("appointment_id", "is not an appointment id")
        provider = _provider(current_principal().subject)
        await self._s.urgent_joins.wrap_up(provider, request.appointment_id, request.outcome)
        return pb.WrapUpUrgentSessionResponse(outcome=request.outcome)


def _on_call(state: OnCallState) -> pb.OnCallState:
    out = pb.OnCallState(mode=state.mode)
    if state.until is not None:
        out.until.FromDatetime(state.until)
    return out
