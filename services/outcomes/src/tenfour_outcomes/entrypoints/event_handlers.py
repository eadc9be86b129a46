"""Identity's and scheduling's events -> the outcomes read model.

Only stable fields are read: ids, agency, status, previous status, late_cancellation, version,
time, urgent, created_at, officer_day_kinds, role and provider kind; of urgent requests the
agency, request and officer ids (pseudonymised at once), three instants and the wrap-up word. Every handler is
idempotent by state (a fact is replaced only by a newer event's; enrolment keeps the first
day; a tier is a plain value), so the consumer's redeliveries change nothing.
"""

from __future__ import annotations

import re
from datetime import UTC

from google.protobuf.message import Message

from tenfour.common.v1 import common_pb2
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import ProviderProfileUpdated, UserRegistered
from tenfour.events.v1.scheduling_events_pb2 import (
    AppointmentRescheduled,
    AppointmentStatusChanged,
    CampaignInvitationAdded,
    CampaignLaunched,
    ReferralAnswered,
    ReferralProposed,
    UrgentConnected,
    UrgentWrappedUp,
)
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour.scheduling.v1.appointments_pb2 import DayKind as ProtoDayKind
from tenfour_outcomes.domain.campaigns import Campaign
from tenfour_outcomes.domain.facts import AppointmentState, DayKind, Tier
from tenfour_outcomes.domain.periods import Period
from tenfour_outcomes.service.access import AGENCY_ID
from tenfour_outcomes.service.ingest import AppointmentChange, Ingest
from tenfour_shared.events.consumer import Handler, PermanentFailure

__all__ = ["identity_handlers", "scheduling_handlers"]

_ID = re.compile(r"[^\s{}|]{1,255}")
_PREFIX = "APPOINTMENT_STATUS_"
_TIERS = {
    common_pb2.ROLE_THERAPIST: Tier.CLINICIAN,
    common_pb2.ROLE_PEER_SUPPORTER: Tier.PEER,
}
_KINDS = {
    common_pb2.PROVIDER_KIND_THERAPIST: Tier.CLINICIAN,
    common_pb2.PROVIDER_KIND_PEER: Tier.PEER,
}

_DAY_KINDS = {
    ProtoDayKind.DAY_KIND_DAY_OFF: DayKind.DAY_OFF,
    ProtoDayKind.DAY_KIND_WORK_DAY: DayKind.WORK_DAY,
}


def _day_kinds(appointment: Appointment) -> tuple[DayKind | None, ...]:
    """Aligned with officer_ids; unknown values and missing positions are "not recorded"."""
    kinds = [_DAY_KINDS.get(k) for k in appointment.officer_day_kinds[: len(appointment.officer_ids)]]
    return tuple(kinds) if any(k is not None for k in kinds) else ()


def _state(value: int) -> AppointmentState:
    try:
        return AppointmentState(AppointmentStatus.Name(value).removeprefix(_PREFIX).lower())  # type: ignore[arg-type]
    except ValueError:
        return AppointmentState.UNSPECIFIED


def change_of(appointment: Appointment, previous: int) -> AppointmentChange:
    if not AGENCY_ID.fullmatch(appointment.agency_id):
        raise PermanentFailure("appointment without a usable agency id")
    ids = (appointment.appointment_id, appointment.provider_id, *appointment.officer_ids)
    if not all(_ID.fullmatch(i) for i in ids):
        raise PermanentFailure("appointment without usable appointment, provider or officer ids")
    if not appointment.HasField("time"):
        raise PermanentFailure("appointment without a time")
    return AppointmentChange(
        appointment_id=appointment.appointment_id,
        agency_id=appointment.agency_id,
        provider_id=appointment.provider_id,
        officer_ids=tuple(appointment.officer_ids),
        start=appointment.time.start.ToDatetime(tzinfo=UTC),
        status=_state(appointment.status),
        previous=_state(previous),
        late_cancellation=appointment.late_cancellation,
        version=appointment.version,
        urgent=appointment.urgent,
        day_kinds=_day_kinds(appointment),
        campaign_id=appointment.campaign_id if _ID.fullmatch(appointment.campaign_id) else "",
        from_referral=appointment.from_referral,
        requested_at=appointment.created_at.ToDatetime(tzinfo=UTC)
        if appointment.HasField("created_at")
        else None,
    )


def scheduling_handlers(ingest: Ingest) -> dict[str, Handler]:
    async def status_changed(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, AppointmentStatusChanged):
            raise PermanentFailure("payload is not an AppointmentStatusChanged")
        if payload.appointment.training_course:
            return  # a training for staff is not a session of the program
        change = change_of(payload.appointment, payload.previous_status)
        await ingest.appointment(change, env.time.ToDatetime(tzinfo=UTC), env.id)

    async def rescheduled(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, AppointmentRescheduled):
            raise PermanentFailure("payload is not an AppointmentRescheduled")
        if payload.appointment.training_course:
            return
        change = change_of(payload.appointment, AppointmentStatus.APPOINTMENT_STATUS_UNSPECIFIED)
        await ingest.appointment(change, env.time.ToDatetime(tzinfo=UTC), env.id)

    async def campaign_launched(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, CampaignLaunched):
            raise PermanentFailure("payload is not a CampaignLaunched")
        if not AGENCY_ID.fullmatch(payload.agency_id) or not _ID.fullmatch(payload.campaign_id):
            raise PermanentFailure("campaign without a usable agency or campaign id")
        start = payload.window.start.ToDatetime(tzinfo=UTC)
        end = payload.window.end.ToDatetime(tzinfo=UTC)
        months = (end.year * 12 + end.month) - (start.year * 12 + start.month)
        if start.day != 1 or not 1 <= months <= 12:
            raise PermanentFailure("campaign window is not 1-12 whole months")
        campaign = Campaign(
            campaign_id=payload.campaign_id,
            title=payload.title[:80],
            first=Period.month(start.year, start.month),
            months=months,
            invited=max(0, payload.invited),
            attendance=payload.attendance_confirmation,
        )
        await ingest.campaign_launched(payload.agency_id, campaign)

    async def invitation_added(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, CampaignInvitationAdded):
            raise PermanentFailure("payload is not a CampaignInvitationAdded")
        ids = (payload.campaign_id, payload.officer_id)
        if not AGENCY_ID.fullmatch(payload.agency_id) or not all(_ID.fullmatch(i) for i in ids):
            raise PermanentFailure("invitation without a usable agency, campaign or officer id")
        await ingest.campaign_invitation_added(payload.agency_id, payload.campaign_id, payload.officer_id)

    async def urgent_connected(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, UrgentConnected):
            raise PermanentFailure("payload is not an UrgentConnected")
        _urgent_ids(payload.agency_id, payload.request_id, payload.officer_id)
        await ingest.urgent_connected(
            payload.agency_id,
            payload.request_id,
            payload.officer_id,
            payload.requested_at.ToDatetime(tzinfo=UTC),
            payload.first_accepted_at.ToDatetime(tzinfo=UTC),
            payload.joined_at.ToDatetime(tzinfo=UTC),
        )

    async def urgent_wrapped_up(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, UrgentWrappedUp):
            raise PermanentFailure("payload is not an UrgentWrappedUp")
        _urgent_ids(payload.agency_id, payload.request_id, payload.officer_id)
        when = payload.requested_at.ToDatetime(tzinfo=UTC)
        await ingest.urgent_wrapped_up(
            payload.agency_id, payload.request_id, payload.officer_id, when, payload.outcome
        )

    async def referral_proposed(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, ReferralProposed):
            raise PermanentFailure("payload is not a ReferralProposed")
        if not payload.referral_id or not payload.HasField("proposed_at"):
            return  # proposed before referrals were counted: nothing to count it by
        _urgent_ids(payload.agency_id, payload.referral_id, payload.officer_id)
        when = payload.proposed_at.ToDatetime(tzinfo=UTC)
        await ingest.referral_step(payload.agency_id, payload.referral_id, payload.officer_id, "made", when)

    async def referral_answered(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, ReferralAnswered):
            raise PermanentFailure("payload is not a ReferralAnswered")
        _urgent_ids(payload.agency_id, payload.referral_id, payload.officer_id)
        if payload.consented:
            when = payload.answered_at.ToDatetime(tzinfo=UTC)
            await ingest.referral_step(
                payload.agency_id, payload.referral_id, payload.officer_id, "accepted", when
            )

    return {
        "scheduling.referral_proposed": referral_proposed,
        "scheduling.referral_answered": referral_answered,
        "scheduling.urgent_connected": urgent_connected,
        "scheduling.urgent_wrapped_up": urgent_wrapped_up,
        "scheduling.campaign_launched": campaign_launched,
        "scheduling.campaign_invitation_added": invitation_added,
        "scheduling.appointment_status_changed": status_changed,
        "scheduling.appointment_rescheduled": rescheduled,
    }


def _urgent_ids(agency_id: str, request_id: str, officer_id: str) -> None:
    """An urgent request's or a referral's ids."""
    if not AGENCY_ID.fullmatch(agency_id) or not _ID.fullmatch(request_id) or not _ID.fullmatch(officer_id):
        raise PermanentFailure("urgent request or referral without a usable agency, own or officer id")


def identity_handlers(ingest: Ingest) -> dict[str, Handler]:
    async def user_registered(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, UserRegistered):
            raise PermanentFailure("payload is not a UserRegistered")
        if not _ID.fullmatch(payload.user_id):
            raise PermanentFailure("user without a usable id")
        if payload.role == common_pb2.ROLE_OFFICER:
            if not AGENCY_ID.fullmatch(payload.agency_id):
                raise PermanentFailure("officer without a usable agency id")
            await ingest.officer_enrolled(payload.agency_id, payload.user_id, env.time.ToDatetime(tzinfo=UTC))
        elif payload.role in _TIERS:
            await ingest.provider_tier(payload.user_id, _TIERS[payload.role])

    async def profile_updated(env: Envelope, payload: Message) -> None:
        if not isinstance(payload, ProviderProfileUpdated):
            raise PermanentFailure("payload is not a ProviderProfileUpdated")
        profile = payload.profile
        if profile.kind in _KINDS and _ID.fullmatch(profile.provider_id):
            await ingest.provider_tier(profile.provider_id, _KINDS[profile.kind])

    return {
        "identity.user_registered": user_registered,
        "identity.provider_profile_updated": profile_updated,
    }
