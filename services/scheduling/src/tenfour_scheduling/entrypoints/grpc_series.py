"""PlanSeries and BookSeries."""

from __future__ import annotations

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import current_principal

__all__ = ["SeriesRpcs"]


class SeriesRpcs(RpcBase):
    async def PlanSeries(self, request: pb.PlanSeriesRequest, context: Ctx) -> pb.SeriesPlan:
        caller = current_principal()
        officer_id = requests.own_officer_id(caller, request.officer_id)
        requests.session_type(request.session_type)  # individual only
        not_before = (
            requests.instant(request.first_not_before, True, "first_not_before")
            if request.HasField("first_not_before")
            else None
        )
        return await self._s.series.plan(
            officer_id=officer_id,
            agency_id=requests.agency_of(caller),
            provider_id=requests.provider_id(request.provider_id),
            count=request.count,
            every_days=request.every_days,
            tolerance_days=request.tolerance_days,
            not_before=not_before,
        )

    async def BookSeries(self, request: pb.BookSeriesRequest, context: Ctx) -> pb.BookSeriesResponse:
        caller = current_principal()
        officer_id = requests.own_officer_id(caller, "")
        key = requests.idempotency_key(request.idempotency_key)
        return await self._s.series.book(
            officer_id=officer_id,
            agency_id=requests.agency_of(caller),
            plan_id=request.plan_id,
            all_or_nothing=request.all_or_nothing,
            idempotency_key=key,
        )
