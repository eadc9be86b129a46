"""What every RPC mixin shares: the use cases it translates to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from grpc import aio

from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour_scheduling.service.appointments import AppointmentService
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.booking.groups import GroupSessions
from tenfour_scheduling.service.booking.reschedule import Reschedule
from tenfour_scheduling.service.calendar_feed import CalendarFeedService
from tenfour_scheduling.service.campaigns import CampaignService
from tenfour_scheduling.service.conflicts import ConflictService
from tenfour_scheduling.service.licensure import LicensureService
from tenfour_scheduling.service.referral_times import ReferralTimes
from tenfour_scheduling.service.referrals import ReferralService
from tenfour_scheduling.service.resources import ResourceService
from tenfour_scheduling.service.rosters import RosterService
from tenfour_scheduling.service.series import SeriesService
from tenfour_scheduling.service.slots import SlotService
from tenfour_scheduling.service.training import TrainingService
from tenfour_scheduling.service.training_sessions import TrainingSessionService
from tenfour_scheduling.service.urgent import UrgentService
from tenfour_scheduling.service.urgent_joins import UrgentJoins
from tenfour_scheduling.service.urgent_offers import UrgentOffers
from tenfour_scheduling.service.urgent_on_call import OnCall
from tenfour_scheduling.service.waitlist import WaitlistService

__all__ = ["Ctx", "RpcBase", "Services"]

Ctx: TypeAlias = aio.ServicerContext[Any, Any]


@dataclass(frozen=True, slots=True)
class Services:
    rosters: RosterService
    slots: SlotService
    book: Book
    reschedule: Reschedule
    groups: GroupSessions
    appointments: AppointmentService
    urgent: UrgentService
    urgent_offers: UrgentOffers
    urgent_joins: UrgentJoins
    on_call: OnCall
    conflicts: ConflictService
    series: SeriesService
    feeds: CalendarFeedService
    training: TrainingService
    licensure: LicensureService
    campaigns: CampaignService
    waitlist: WaitlistService
    training_sessions: TrainingSessionService
    referrals: ReferralService
    referral_times: ReferralTimes
    resources: ResourceService
    conflict_alternatives: int = 3  # ListConflicts without max_alternatives


class RpcBase(scheduling_pb2_grpc.SchedulingServiceServicer):
    def __init__(self, services: Services) -> None:
        self._s = services
