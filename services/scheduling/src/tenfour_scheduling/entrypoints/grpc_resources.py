"""The agency's resources page (resources.proto): coordinators of the agency keep it; its
officers, peers and coordinators read it."""

from __future__ import annotations

from tenfour.scheduling.v1 import resources_pb2 as spb
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import current_principal

__all__ = ["ResourceRpcs"]


class ResourceRpcs(RpcBase):
    async def SetResource(self, request: spb.SetResourceRequest, context: Ctx) -> spb.Resource:
        return await self._s.resources.put(requests.agency_of(current_principal()), request.resource)

    async def RemoveResource(
        self, request: spb.RemoveResourceRequest, context: Ctx
    ) -> spb.RemoveResourceResponse:
        await self._s.resources.remove(requests.agency_of(current_principal()), request.resource_id)
        return spb.RemoveResourceResponse()

    async def ListResources(
        self, request: spb.ListResourcesRequest, context: Ctx
    ) -> spb.ListResourcesResponse:
        caller = current_principal()
        return await self._s.resources.listed(requests.agency_of(caller), caller.subject)
