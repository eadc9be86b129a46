"""Wellness check-in campaigns (campaigns.proto): agency admins launch and list them and read
attendance (attendance-confirmation campaigns only); officers list the open ones."""

from __future__ import annotations

from tenfour.scheduling.v1 import campaigns_pb2 as cpb
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import InvalidInput

__all__ = ["CampaignRpcs"]


class CampaignRpcs(RpcBase):
    async def LaunchCampaign(self, request: cpb.LaunchCampaignRequest, context: Ctx) -> cpb.Campaign:
        agency = requests.agency_of(current_principal())
        return await self._s.campaigns.launch(agency, request.campaign)

    async def ListCampaigns(
        self, request: cpb.ListCampaignsRequest, context: Ctx
    ) -> cpb.ListCampaignsResponse:
        caller = current_principal()
        agency = requests.agency_of(caller)
        if caller.role is Role.AGENCY_ADMIN:
            return cpb.ListCampaignsResponse(campaigns=await self._s.campaigns.for_agency(agency))
        officer_id = requests.own_officer_id(caller, "")
        return cpb.ListCampaignsResponse(campaigns=await self._s.campaigns.for_officer(agency, officer_id))

    async def GetCampaignAttendance(
        self, request: cpb.GetCampaignAttendanceRequest, context: Ctx
    ) -> cpb.CampaignAttendance:
        if not request.campaign_id:
            raise InvalidInput.single("campaign_id", "is required")
        agency = requests.agency_of(current_principal())
        return await self._s.campaigns.attendance(agency, request.campaign_id)
