"""FindSlots."""

from __future__ import annotations

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.codec import interval_to_proto
from tenfour_scheduling.domain import ProviderKind, Slot
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_scheduling.service.reason_protos import reason_protos
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.timeline import Interval

__all__ = ["SlotRpcs"]

_KINDS = {
    ProviderKind.THERAPIST: common.PROVIDER_KIND_THERAPIST,
    ProviderKind.PEER: common.PROVIDER_KIND_PEER,
}


_BUILT: dict[tuple[object, ...], pb.Slot] = {}  # a slot's message but its score, kept: they repeat
_BUILT_SIZE = 16384


def _slot_proto(slot: Slot, display_name: str) -> pb.Slot:
    """The slot's message without its score (built once: a copy costs a sixth of a build)."""
    # Aware datetimes compare by instant: the offset tells local times of other zones apart.
    key = (slot, display_name, slot.local_start.utcoffset())
    built = _BUILT.get(key)
    if built is None:
        if len(_BUILT) >= _BUILT_SIZE:
            _BUILT.clear()
        built = _BUILT[key] = pb.Slot(
            provider_id=slot.provider_id,
            provider_display_name=display_name,
            time=interval_to_proto(Interval(slot.start, slot.end)),
            local_start=slot.local_start.isoformat(),
            reason=slot.reason,
            reasons=reason_protos(slot.reasons),
            provider_kind=_KINDS[slot.provider_kind],
        )
    return built


class SlotRpcs(RpcBase):
    async def FindSlots(self, request: pb.FindSlotsRequest, context: Ctx) -> pb.FindSlotsResponse:
        caller = current_principal()
        officer_id = requests.own_officer_id(caller, request.officer_id)
        if request.session_type == common.SESSION_TYPE_GROUP:
            return await self._group_slots(request, officer_id, requests.agency_of(caller))
        search = await self._s.slots.find(
            officer_id=officer_id,
            agency_id=requests.agency_of(caller),
            session_type=requests.session_type(request.session_type),
            filters=requests.filters(request.filters),
            horizon=requests.horizon(request.horizon, request.HasField("horizon")),
            limit=requests.limit(request.limit),
            step=requests.step(request.step, request.HasField("step")),
        )
        result = search.result
        reply = pb.FindSlotsResponse()
        if result.empty_reason is not None:
            reply.empty_reason = result.message
            reply.empty_reason_code = result.empty_reason.value
        count = len(result.slots)
        for rank, slot in enumerate(result.slots):
            snapshot = search.providers.get(slot.provider_id)
            profile = snapshot.profile if snapshot is not None else None
            message = reply.slots.add()
            message.CopyFrom(_slot_proto(slot, profile.display_name if profile is not None else ""))
            message.score = round(1.0 - rank / count, 4)
        return reply

    async def _group_slots(
        self, request: pb.FindSlotsRequest, officer_id: str, agency_id: str
    ) -> pb.FindSlotsResponse:
        found = await self._s.slots.find_groups(
            officer_id=officer_id,
            agency_id=agency_id,
            horizon=requests.horizon(request.horizon, request.HasField("horizon")),
            limit=requests.limit(request.limit),
        )
        reply = pb.FindSlotsResponse()
        if not found:
            reply.empty_reason = "no group session with a free seat fits your roster and rest rules"
            reply.empty_reason_code = "no_offers"
        count = len(found)
        for rank, slot in enumerate(found):
            profile = slot.snapshot.profile
            peer = profile is not None and profile.kind == common.PROVIDER_KIND_PEER
            reply.slots.add(
                provider_id=slot.appointment.provider_id,
                provider_display_name=profile.display_name if profile is not None else "",
                time=slot.appointment.time,
                local_start=slot.local_start.isoformat(),
                reason=slot.reason,
                reasons=reason_protos(slot.reasons),
                score=round(1.0 - rank / count, 4),
                provider_kind=common.PROVIDER_KIND_PEER if peer else common.PROVIDER_KIND_THERAPIST,
                group_appointment_id=slot.appointment.appointment_id,
            )
        return reply
