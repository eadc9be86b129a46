"""Events the scheduling service produces."""

from __future__ import annotations

from google.protobuf.message import Message

from tenfour.events.v1 import access_events_pb2 as access
from tenfour.events.v1 import scheduling_events_pb2 as ev

PAYLOADS: dict[str, type[Message]] = {
    "scheduling.appointment_status_changed": ev.AppointmentStatusChanged,
    "scheduling.appointment_rescheduled": ev.AppointmentRescheduled,
    "scheduling.appointment_conflict_detected": ev.AppointmentConflictDetected,
    "scheduling.appointment_conflict_cleared": ev.AppointmentConflictCleared,
    "scheduling.reminder_due": ev.ReminderDue,
    "scheduling.urgent_escalation": ev.UrgentEscalation,
    "scheduling.urgent_offered": ev.UrgentOffered,
    "scheduling.urgent_assigned": ev.UrgentAssigned,
    "scheduling.urgent_withdrawn": ev.UrgentWithdrawn,
    "scheduling.urgent_connected": ev.UrgentConnected,
    "scheduling.urgent_wrapped_up": ev.UrgentWrappedUp,
    "scheduling.roster_changed": ev.RosterChanged,
    "scheduling.officer_preferences_changed": ev.OfficerPreferencesChanged,
    "scheduling.fatigue_policy_changed": ev.FatiguePolicyChanged,
    "scheduling.session_accessed": access.SchedulingSessionAccessed,
    "scheduling.peer_readiness_changed": ev.PeerReadinessChanged,
    "scheduling.peer_training_lapsing": ev.PeerTrainingLapsing,
    "scheduling.peer_training_lapsed": ev.PeerTrainingLapsed,
    "scheduling.clinician_licensure_changed": ev.ClinicianLicensureChanged,
    "scheduling.licence_expiring": ev.LicenceExpiring,
    "scheduling.referral_proposed": ev.ReferralProposed,
    "scheduling.referral_answered": ev.ReferralAnswered,
    "scheduling.referral_queued": ev.ReferralQueued,
    "scheduling.referral_times_requested": ev.ReferralTimesRequested,
    "scheduling.referral_times_proposed": ev.ReferralTimesProposed,
    "scheduling.campaign_launched": ev.CampaignLaunched,
    "scheduling.campaign_invitation_added": ev.CampaignInvitationAdded,
}
