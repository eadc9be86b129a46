"""Waiting lists (waitlist.proto): an officer's (or peer's) own entries only."""

from __future__ import annotations

from tenfour.scheduling.v1 import waitlist_pb2 as wpb
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.errors import InvalidInput

__all__ = ["WaitlistRpcs"]


def _entry_id(value: str) -> str:
    if not value or len(value) > 40 or not value.isalnum():
        raise InvalidInput.single("entry_id", "is not a waiting-list entry id")
    return value


class WaitlistRpcs(RpcBase):
    async def JoinWaitlist(self, request: wpb.JoinWaitlistRequest, context: Ctx) -> wpb.WaitlistEntry:
        caller = current_principal()
        if request.provider_id:
            requests.provider_id(request.provider_id)
        window = requests.time_range(request.window, request.HasField("window"), "window")
        return await self._s.waitlist.join(
            caller.subject, requests.agency_of(caller), request.provider_id, window.start, window.end
        )

    async def LeaveWaitlist(
        self, request: wpb.LeaveWaitlistRequest, context: Ctx
    ) -> wpb.LeaveWaitlistResponse:
        caller = current_principal()
        await self._s.waitlist.leave(caller.subject, requests.agency_of(caller), _entry_id(request.entry_id))
        return wpb.LeaveWaitlistResponse()

    async def ListWaitlist(self, request: wpb.ListWaitlistRequest, context: Ctx) -> wpb.ListWaitlistResponse:
        return wpb.ListWaitlistResponse(entries=await self._s.waitlist.mine(current_principal().subject))

    async def AnswerWaitlistOffer(
        self, request: wpb.AnswerWaitlistOfferRequest, context: Ctx
    ) -> wpb.WaitlistEntry:
        caller = current_principal()
        return await self._s.waitlist.answer(
            caller.subject, requests.agency_of(caller), _entry_id(request.entry_id), accept=request.accept
        )
