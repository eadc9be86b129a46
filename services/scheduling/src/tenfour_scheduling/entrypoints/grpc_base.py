"""What every RPC mixin shares: the use cases it translates to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from grpc import aio

from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour_scheduling.service.appointments import AppointmentService
from tenfour_scheduling.service.booking import BookingService
from tenfour_scheduling.service.rosters import RosterService
from tenfour_scheduling.service.slots import SlotService

__all__ = ["Ctx", "RpcBase", "Services"]

Ctx: TypeAlias = aio.ServicerContext[Any, Any]


@dataclass(frozen=True, slots=True)
class Services:
    rosters: RosterService
    slots: SlotService
    booking: BookingService
    appointments: AppointmentService


class RpcBase(scheduling_pb2_grpc.SchedulingServiceServicer):
    def __init__(self, services: Services) -> None:
        self._s = services
