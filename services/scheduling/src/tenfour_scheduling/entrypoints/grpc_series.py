"""PlanSeries and BookSeries."""

from __future__ import annotations

from datetime import time

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.domain.rotation_series import SeriesRule
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.errors import InvalidInput

__all__ = ["SeriesRpcs"]

_RULES = {
    pb.SERIES_ROTATION_FIRST_DAY_OFF: SeriesRule.FIRST_DAY_OFF,
    pb.SERIES_ROTATION_EVERY_KTH_DAY_OFF: SeriesRule.EVERY_KTH_DAY_OFF,
    pb.SERIES_ROTATION_AFTER_LAST_NIGHT: SeriesRule.AFTER_LAST_NIGHT,
}


def _between(request: pb.PlanSeriesRequest) -> tuple[time, time] | None:
    if request.rotation and request.rotation not in _RULES:
        raise InvalidInput.single("rotation", "is not a known rotation pattern")
    if not request.HasField("between"):
        return None
    wanted = []
    for name in ("start", "end"):
        value = getattr(request.between, name)
        if not (0 <= value.hour <= 23 and 0 <= value.minute <= 59):
            raise InvalidInput.single(f"between.{name}", "hour must be 0-23 and minute 0-59")
        wanted.append(time(value.hour, value.minute))
    if wanted[0] == wanted[1]:
        raise InvalidInput.single("between.end", "must differ from the start")
    return wanted[0], wanted[1]


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
            rule=_RULES.get(request.rotation) if request.rotation else None,
            every_kth=request.every_kth or 1,
            between=_between(request),
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
