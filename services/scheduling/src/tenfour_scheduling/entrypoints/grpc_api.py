"""gRPC servicer: a thin translation between protobuf and the scheduling use cases.

One mixin per area, composed here; a new area's RPCs come with a new mixin added to
SchedulingApi's bases (tests/unit/test_wiring.py keeps them in step with the policy).
"""

from __future__ import annotations

from tenfour_scheduling.entrypoints.grpc_appointments import AppointmentRpcs
from tenfour_scheduling.entrypoints.grpc_base import Services
from tenfour_scheduling.entrypoints.grpc_campaigns import CampaignRpcs
from tenfour_scheduling.entrypoints.grpc_feed import FeedRpcs
from tenfour_scheduling.entrypoints.grpc_licensure import LicensureRpcs
from tenfour_scheduling.entrypoints.grpc_referrals import ReferralRpcs
from tenfour_scheduling.entrypoints.grpc_resources import ResourceRpcs
from tenfour_scheduling.entrypoints.grpc_rosters import RosterRpcs
from tenfour_scheduling.entrypoints.grpc_series import SeriesRpcs
from tenfour_scheduling.entrypoints.grpc_slots import SlotRpcs
from tenfour_scheduling.entrypoints.grpc_training import TrainingRpcs
from tenfour_scheduling.entrypoints.grpc_training_sessions import TrainingSessionRpcs
from tenfour_scheduling.entrypoints.grpc_urgent import UrgentRpcs
from tenfour_scheduling.entrypoints.grpc_waitlist import WaitlistRpcs

__all__ = ["SERVICE_NAME", "SchedulingApi", "Services"]

SERVICE_NAME = "tenfour.scheduling.v1.SchedulingService"


class SchedulingApi(
    RosterRpcs,
    SlotRpcs,
    AppointmentRpcs,
    UrgentRpcs,
    SeriesRpcs,
    FeedRpcs,
    TrainingRpcs,
    LicensureRpcs,
    CampaignRpcs,
    WaitlistRpcs,
    TrainingSessionRpcs,
    ReferralRpcs,
    ResourceRpcs,
):
    """Every RPC of the service, one mixin per area."""
