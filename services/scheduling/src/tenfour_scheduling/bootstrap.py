"""The one place where scheduling's adapters, handlers and entrypoints are wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tenfour.scheduling.v1 import scheduling_pb2_grpc
from tenfour_scheduling.adapters.appointment_store import AppointmentStore
from tenfour_scheduling.adapters.campaign_store import CampaignStore
from tenfour_scheduling.adapters.conflict_store import ConflictStore
from tenfour_scheduling.adapters.facts import FactReader
from tenfour_scheduling.adapters.feed_store import FeedStore
from tenfour_scheduling.adapters.licence_store import LicenceStore
from tenfour_scheduling.adapters.officer_store import OfficerStore
from tenfour_scheduling.adapters.provider_read_model import ProviderReadModel
from tenfour_scheduling.adapters.referral_store import ReferralStore
from tenfour_scheduling.adapters.reminder_store import ReminderStore
from tenfour_scheduling.adapters.resource_store import ResourceStore
from tenfour_scheduling.adapters.search_reads import SearchReader
from tenfour_scheduling.adapters.series_store import SeriesStore
from tenfour_scheduling.adapters.snapshots import SnapshotReader
from tenfour_scheduling.adapters.training_session_store import TrainingSessionStore
from tenfour_scheduling.adapters.training_store import TrainingStore
from tenfour_scheduling.adapters.urgent_join_store import UrgentJoinStore
from tenfour_scheduling.adapters.urgent_offer_store import UrgentOfferStore
from tenfour_scheduling.adapters.urgent_store import UrgentStore
from tenfour_scheduling.adapters.waitlist_store import WaitlistStore
from tenfour_scheduling.config import Settings
from tenfour_scheduling.entrypoints.audited import AUDITED
from tenfour_scheduling.entrypoints.event_handlers import (
    availability_handlers,
    identity_handlers,
    own_handlers,
    signaling_handlers,
)
from tenfour_scheduling.entrypoints.grpc_api import SERVICE_NAME, SchedulingApi, Services
from tenfour_scheduling.entrypoints.policy import POLICY
from tenfour_scheduling.service.alternatives import AlternativeFinder
from tenfour_scheduling.service.appointments import AppointmentService
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.booking.groups import GroupSessions
from tenfour_scheduling.service.booking.reschedule import Reschedule
from tenfour_scheduling.service.booking.transaction import Transaction
from tenfour_scheduling.service.calendar_feed import CalendarFeedService
from tenfour_scheduling.service.campaigns import CampaignService
from tenfour_scheduling.service.claims import Claims
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.conflicts import ConflictService
from tenfour_scheduling.service.due import LeasedWorker
from tenfour_scheduling.service.licensure import LicensureService
from tenfour_scheduling.service.offers import Expansions
from tenfour_scheduling.service.referral_times import ReferralTimes
from tenfour_scheduling.service.referrals import ReferralService
from tenfour_scheduling.service.reminders import ReminderService
from tenfour_scheduling.service.resources import ResourceService
from tenfour_scheduling.service.rosters import RosterService
from tenfour_scheduling.service.series import SeriesService
from tenfour_scheduling.service.series_replan import SeriesReplanner
from tenfour_scheduling.service.slots import SlotService
from tenfour_scheduling.service.training import TrainingService
from tenfour_scheduling.service.training_sessions import TrainingSessionService
from tenfour_scheduling.service.urgent import UrgentService
from tenfour_scheduling.service.urgent_joins import UrgentJoins
from tenfour_scheduling.service.urgent_offers import UrgentOffers
from tenfour_scheduling.service.urgent_on_call import OnCall
from tenfour_scheduling.service.waitlist import WaitlistService
from tenfour_scheduling.service.workshops import Workshops
from tenfour_shared import logs
from tenfour_shared.access_audit import AccessAuditInterceptor
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.server import Runtime

SERVICE = "scheduling"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Running:
    """The serving process, for in-process tests and benchmarks."""

    runtime: Runtime
    infra: Infra
    services: Services
    reminders: ReminderService  # its worker's pass, for tests that wait on one


@asynccontextmanager
async def running(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Running]:
    """The service serving until the block ends."""
    infra = Infra(settings, SERVICE)
    read_model = ProviderReadModel(infra.redis)
    officers = OfficerStore(infra.redis, infra.relay)
    store = AppointmentStore(infra.redis, infra.relay)
    snapshots = SnapshotReader()
    facts = FactReader(infra.redis, snapshots)
    expansions = Expansions()
    claims = Claims(store)
    tx = Transaction(store, claims, facts, expansions, clock)
    booking = Book(tx, store, clock)
    urgent_store = UrgentStore(infra.redis, infra.relay)
    offer_store = UrgentOfferStore(infra.redis, infra.relay)
    join_store = UrgentJoinStore(infra.redis, infra.relay)
    join_within = timedelta(seconds=settings.urgent_join_seconds)
    reminder_store = ReminderStore(infra.redis, infra.relay)
    reminders = ReminderService(reminder_store, store, facts, clock)
    slots = SlotService(
        read_model, facts, SearchReader(infra.redis, snapshots), claims, expansions, clock, store
    )
    appointments = AppointmentService(store, officers, clock)
    training_store = TrainingStore(infra.redis, infra.relay)
    licence_store = LicenceStore(infra.redis, infra.relay)
    campaign_store = CampaignStore(infra.redis, infra.relay)
    groups = GroupSessions(tx, store, facts, expansions, clock)
    training = TrainingService(training_store, read_model, clock)
    referral_store = ReferralStore(infra.redis, infra.relay)
    series_store = SeriesStore(infra.redis)
    referrals = ReferralService(referral_store, read_model, store, facts, booking, clock)
    services = Services(
        rosters=RosterService(officers, clock),
        slots=slots,
        book=booking,
        reschedule=Reschedule(tx, store),
        groups=groups,
        appointments=appointments,
        urgent=UrgentService(urgent_store, read_model, facts, expansions, clock, offer_store),
        urgent_offers=UrgentOffers(
            urgent_store, offer_store, join_store, facts, booking, appointments.withdraw, clock, join_within
        ),
        on_call=OnCall(urgent_store, facts, clock),
        urgent_joins=UrgentJoins(
            urgent_store, join_store, offer_store, appointments.withdraw, clock, join_within
        ),
        conflicts=ConflictService(
            store,
            ConflictStore(infra.redis, infra.relay),
            facts,
            AlternativeFinder(store, slots, SeriesReplanner(series_store, officers, slots, clock)),
            appointments,
            expansions,
            clock,
            settings.conflict_alternatives,
        ),
        conflict_alternatives=settings.conflict_alternatives,
        feeds=CalendarFeedService(FeedStore(infra.redis), store, reminders, clock),
        series=SeriesService(series_store, slots, booking, appointments, clock, officers),
        training=training,
        licensure=LicensureService(licence_store, read_model, clock),
        campaigns=CampaignService(campaign_store, store, clock),
        waitlist=WaitlistService(
            WaitlistStore(infra.redis), read_model, booking, appointments.change, appointments.moved, clock
        ),
        training_sessions=TrainingSessionService(
            TrainingSessionStore(infra.redis),
            campaign_store,
            facts,
            groups,
            store,
            training,
            expansions,
            clock,
        ),
        referrals=referrals,
        referral_times=ReferralTimes(referral_store, referrals, facts, expansions, booking, clock),
        resources=ResourceService(
            ResourceStore(infra.redis), officers, Workshops(store, read_model, officers, clock), clock
        ),
    )
    infra.consume("availability", availability_handlers(read_model, services.conflicts))
    infra.consume(
        "identity",
        identity_handlers(read_model, officers, services.appointments, services.campaigns, services.rosters),
    )
    infra.consume(
        "signaling",
        signaling_handlers(services.appointments, services.urgent_joins, services.training_sessions),
    )
    infra.consume(
        "scheduling", own_handlers(services.appointments, services.conflicts, reminders, services.waitlist)
    )
    audit = AccessAuditInterceptor(SERVICE, infra.redis, infra.relay, AUDITED)
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY), audit])
    scheduling_pb2_grpc.add_SchedulingServiceServicer_to_server(
        SchedulingApi(services),
        runtime.server,
    )
    async with runtime:
        await infra.connect(runtime)
        # Timed work, each driven by one instance of the deployment at a time (its lease).
        instance, poll = settings.instance_id, settings.readiness_poll_seconds
        workers = {
            "urgent-queue": LeasedWorker(
                urgent_store,
                instance,
                settings.urgent_poll_seconds,
                services.urgent_joins.replace_overdue,
                services.urgent.drive,
            ),
            "reminders": LeasedWorker(
                reminder_store, instance, settings.reminder_poll_seconds, reminders.drive
            ),
            "training-lapses": LeasedWorker(training_store, instance, poll, services.training.drive),
            "licence-expiries": LeasedWorker(licence_store, instance, poll, services.licensure.drive),
            "waitlist-holds": LeasedWorker(services.waitlist.store, instance, poll, services.waitlist.drive),
        }
        for name, worker in workers.items():
            runtime.spawn(name, worker.run)
        await runtime.ready()
        yield Running(runtime, infra, services, reminders)


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    async with running(settings) as process:
        await process.runtime.wait()
