"""GetCalendarFeedToken, RevokeCalendarFeedToken and GetCalendarFeed (public: the token is
the credential; the gateway serves it at /calendar/<token>.ics)."""

from __future__ import annotations

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_scheduling.service.calendar_feed import url_path
from tenfour_shared.auth.principal import current_principal

__all__ = ["FeedRpcs"]


class FeedRpcs(RpcBase):
    async def GetCalendarFeedToken(
        self, request: pb.GetCalendarFeedTokenRequest, context: Ctx
    ) -> pb.CalendarFeedToken:
        token = await self._s.feeds.issue(current_principal())
        return pb.CalendarFeedToken(token=token, url_path=url_path(token))

    async def RevokeCalendarFeedToken(
        self, request: pb.RevokeCalendarFeedTokenRequest, context: Ctx
    ) -> pb.RevokeCalendarFeedTokenResponse:
        await self._s.feeds.revoke(current_principal())
        return pb.RevokeCalendarFeedTokenResponse()

    async def GetCalendarFeed(
        self, request: pb.GetCalendarFeedRequest, context: Ctx
    ) -> pb.GetCalendarFeedResponse:
        return pb.GetCalendarFeedResponse(ics=await self._s.feeds.feed(request.token))
