"""Which events scheduling consumes, and what it does with each (explicit registry per source).

Every handler is idempotent by state or version, so a redelivered event changes nothing.
"""

from __future__ import annotations

import re

from google.protobuf.message import Message

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import identity_events_pb2 as identity
from tenfour.events.v1 import scheduling_events_pb2 as scheduling
from tenfour.events.v1 import signaling_events_pb2 as signaling
from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour_scheduling.adapters.keys import ID
from tenfour_scheduling.adapters.officer_store import OfficerStore
from tenfour_scheduling.adapters.provider_read_model import ProviderReadModel
from tenfour_scheduling.service.appointments import AppointmentService
from tenfour_scheduling.service.campaigns import CampaignService
from tenfour_scheduling.service.conflicts import ConflictService
from tenfour_scheduling.service.reminders import ReminderService
from tenfour_scheduling.service.rosters import RosterService
from tenfour_scheduling.service.training_sessions import TrainingSessionService
from tenfour_scheduling.service.urgent_joins import UrgentJoins
from tenfour_scheduling.service.waitlist import WaitlistService
from tenfour_shared.events.consumer import Handler, PermanentFailure

__all__ = ["availability_handlers", "identity_handlers", "own_handlers", "signaling_handlers"]


_JURISDICTION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")


def _id(value: str, what: str) -> str:
    if not ID.match(value):
        raise PermanentFailure(f"event without a usable {what}")
    return value


def availability_handlers(read_model: ProviderReadModel, conflicts: ConflictService) -> dict[str, Handler]:
    async def on_rules_changed(env: Envelope, payload: Message) -> None:
        """The read model first, then the provider's booked sessions re-checked against it
        (time off or changed hours over a session flag it; a redelivery re-checks: idempotent)."""
        assert isinstance(payload, ProviderRulesChanged)
        if not payload.provider_id or payload.version <= 0:
            raise PermanentFailure("rules event without provider id or version")
        _id(payload.provider_id, "provider id")
        await read_model.apply_rules(env, payload)
        await conflicts.provider_changed(payload.provider_id)

    return {"availability.provider_rules_changed": on_rules_changed}


def identity_handlers(
    read_model: ProviderReadModel,
    officers: OfficerStore,
    appointments: AppointmentService,
    campaigns: CampaignService,
    rosters: RosterService,
) -> dict[str, Handler]:
    async def on_agency_registered(env: Envelope, payload: Message) -> None:
        """The crisis line the system admin gave the new agency reaches its officers' pages."""
        assert isinstance(payload, identity.AgencyRegistered)
        await rosters.agency_registered(_id(payload.agency_id, "agency id"), payload.crisis_line_text)

    async def on_user_registered(env: Envelope, payload: Message) -> None:
        """Officers (and peer supporters, officers too) are invited to their agency's campaigns;
        where they said they live at enrolment becomes their jurisdiction preference."""
        assert isinstance(payload, identity.UserRegistered)
        if payload.role in (common.ROLE_OFFICER, common.ROLE_PEER_SUPPORTER) and payload.agency_id:
            await campaigns.officer_enrolled(
                _id(payload.agency_id, "agency id"), _id(payload.user_id, "user id")
            )
        if payload.jurisdiction:
            if not _JURISDICTION.fullmatch(payload.jurisdiction.upper()):
                raise PermanentFailure("enrolment with an unusable jurisdiction")
            await rosters.enrolled_in(_id(payload.user_id, "user id"), payload.jurisdiction)

    async def on_profile_updated(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, identity.ProviderProfileUpdated)
        _id(payload.profile.provider_id, "provider id")
        for agency in payload.profile.agency_ids:
            _id(agency, "agency id")
        await read_model.apply_profile(payload.profile, payload.version)

    async def on_user_deactivated(env: Envelope, payload: Message) -> None:
        """Never bookable again, and every future appointment cancelled (as officer or provider)."""
        assert isinstance(payload, identity.UserDeactivated)
        user_id = _id(payload.user_id, "user id")
        await read_model.deactivate(user_id)
        await officers.mark_deactivated(user_id)
        await appointments.user_deactivated(user_id)
        if payload.agency_id:
            await campaigns.officer_left(_id(payload.agency_id, "agency id"), user_id)

    return {
        "identity.agency_registered": on_agency_registered,
        "identity.user_registered": on_user_registered,
        "identity.provider_profile_updated": on_profile_updated,
        "identity.user_deactivated": on_user_deactivated,
    }


def signaling_handlers(
    appointments: AppointmentService, urgent: UrgentJoins, trainings: TrainingSessionService
) -> dict[str, Handler]:
    """Who is in a room: an officer's arrival, whether an urgent request's provider is there
    (a waiting-room entry is not being there), and a training's attendance."""

    async def on_participant_joined(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, signaling.ParticipantJoined)
        await appointments.officer_joined(payload.appointment_id, payload.participant_id)
        if not payload.waiting:
            await urgent.joined(payload.appointment_id, payload.participant_id)
            await trainings.joined(payload.appointment_id, payload.participant_id)

    async def on_participant_connected(env: Envelope, payload: Message) -> None:
        """Media connected: they were in the call (admitted from the waiting room)."""
        assert isinstance(payload, signaling.ParticipantConnected)
        await trainings.joined(payload.appointment_id, payload.participant_id)

    async def on_participant_left(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, signaling.ParticipantLeft)
        await urgent.left(payload.appointment_id, payload.participant_id, payload.role, payload.reason_code)

    async def on_session_ended(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, signaling.SessionEnded)
        await appointments.session_ended(payload.appointment_id, payload.any_officer_joined)
        await urgent.ended(payload.appointment_id)
        await trainings.ended(payload.appointment_id)  # completion into training records

    return {
        "signaling.participant_joined": on_participant_joined,
        "signaling.participant_connected": on_participant_connected,
        "signaling.participant_left": on_participant_left,
        "signaling.session_ended": on_session_ended,
    }


def own_handlers(
    appointments: AppointmentService,
    conflicts: ConflictService,
    reminders: ReminderService,
    waitlist: WaitlistService | None = None,
) -> dict[str, Handler]:
    """Scheduling's own appointment events re-apply each version to the officers' calendars,
    so a crash between a commit and its officer-side sync only delays the sync. Roster and
    policy changes re-check the officers' future sessions (marking is a CAS: idempotent); a
    moved or cancelled session's conflict flag ends with its cleared event."""

    async def on_status_changed(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, scheduling.AppointmentStatusChanged)
        await appointments.mirror(payload.appointment)
        await reminders.appointment_changed(payload.appointment)
        if payload.appointment.status == AppointmentStatus.APPOINTMENT_STATUS_CANCELLED:
            await conflicts.settled(payload.appointment, "cancelled")
            if waitlist is not None:  # the freed time goes to the first officer waiting for it
                await waitlist.slot_freed(payload.appointment)

    async def on_rescheduled(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, scheduling.AppointmentRescheduled)
        await appointments.mirror(payload.appointment, moved=True)
        await reminders.appointment_changed(payload.appointment)
        await conflicts.settled(payload.appointment, "rescheduled")

    async def on_roster_changed(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, scheduling.RosterChanged)
        officer_id = _id(payload.officer_id, "officer id")
        agency_id = _id(payload.agency_id, "agency id") if payload.agency_id else ""
        await conflicts.roster_changed(officer_id, agency_id)
        await reminders.officer_changed(officer_id)

    async def on_preferences_changed(env: Envelope, payload: Message) -> None:
        """Their usual sleep or jurisdiction changed: their booked sessions are re-checked and
        their reminders re-timed."""
        assert isinstance(payload, scheduling.OfficerPreferencesChanged)
        officer_id = _id(payload.officer_id, "officer id")
        agency_id = _id(payload.agency_id, "agency id") if payload.agency_id else ""
        await conflicts.roster_changed(officer_id, agency_id)
        await reminders.officer_changed(officer_id)

    async def on_policy_changed(env: Envelope, payload: Message) -> None:
        """The agency's rules changed: booked sessions re-checked, and reminders re-timed for
        its default sleep window (new offsets apply to bookings made from now on)."""
        assert isinstance(payload, scheduling.FatiguePolicyChanged)
        agency_id = _id(payload.agency_id, "agency id")
        await conflicts.policy_changed(agency_id)
        for officer_id in await conflicts.officers(agency_id):
            await reminders.officer_changed(officer_id)

    async def on_readiness(env: Envelope, payload: Message) -> None:
        """A peer's training changed or lapsed: their future sessions are re-checked (flagged
        once the training lapsed, cleared when it is current again)."""
        assert isinstance(payload, scheduling.PeerReadinessChanged | scheduling.PeerTrainingLapsed)
        await conflicts.provider_changed(_id(payload.peer_id, "peer id"))

    async def on_licensure(env: Envelope, payload: Message) -> None:
        """A clinician's licences changed: their future sessions are re-checked (flagged when
        no matching licence covers the session date, cleared when one does again)."""
        assert isinstance(payload, scheduling.ClinicianLicensureChanged)
        await conflicts.provider_changed(_id(payload.clinician_id, "clinician id"))

    return {
        "scheduling.clinician_licensure_changed": on_licensure,
        "scheduling.appointment_status_changed": on_status_changed,
        "scheduling.appointment_rescheduled": on_rescheduled,
        "scheduling.roster_changed": on_roster_changed,
        "scheduling.officer_preferences_changed": on_preferences_changed,
        "scheduling.fatigue_policy_changed": on_policy_changed,
        "scheduling.peer_readiness_changed": on_readiness,
        "scheduling.peer_training_lapsed": on_readiness,
    }
