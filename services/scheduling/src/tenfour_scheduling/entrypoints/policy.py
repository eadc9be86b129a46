"""Who may call each scheduling RPC. Anything not listed is denied.

Roles only. Which data a caller reaches is decided by the handlers: officers act on their own
roster, preferences and appointments (officer id = token subject, agency from the token);
providers see the appointments they give; agency admins set their agency's policy and see no
appointment at all (program figures come as de-identified aggregates elsewhere).
"""

from __future__ import annotations

from tenfour_shared.auth.policy import PUBLIC, Policy, Rule
from tenfour_shared.auth.roles import Role

_S = "/tenfour.scheduling.v1.SchedulingService/"
OFFICERS = Rule(roles={Role.OFFICER, Role.PEER_SUPPORTER})
AGENCY_MEMBERS = Rule(roles={Role.OFFICER, Role.PEER_SUPPORTER, Role.AGENCY_ADMIN})
ADMINS = Rule(roles={Role.AGENCY_ADMIN})
PROVIDERS = Rule(roles={Role.THERAPIST, Role.PEER_SUPPORTER})
PARTIES = Rule(roles={Role.OFFICER, Role.PEER_SUPPORTER, Role.THERAPIST})

RULES = {
    "ListRotationTemplates": AGENCY_MEMBERS,
    "SetRoster": OFFICERS,
    "GetRoster": OFFICERS,
    "ImportRosterCalendar": OFFICERS,
    "AddRosterOverride": OFFICERS,
    "GetShifts": OFFICERS,
    "SetFatiguePolicy": ADMINS,
    "GetFatiguePolicy": AGENCY_MEMBERS,
    "SetPreferences": OFFICERS,
    "GetPreferences": OFFICERS,
    "GetOffDutyWindows": OFFICERS,
    "FindSlots": OFFICERS,
    "Book": OFFICERS,
    "Reschedule": OFFICERS,
    "Cancel": PARTIES,
    "OfferGroupSession": PROVIDERS,
    "ListAppointments": PARTIES,
    "GetAppointment": PARTIES,
    "ListConflicts": OFFICERS,
    "PlanSeries": OFFICERS,
    "BookSeries": OFFICERS,
    "GetCalendarFeedToken": PARTIES,
    "RevokeCalendarFeedToken": PARTIES,
    "GetCalendarFeed": PUBLIC,  # the token is the credential (the gateway serves /calendar/<token>.ics)
    "RequestUrgentSession": OFFICERS,
    "GetUrgentSessionStatus": OFFICERS,
    "AcceptUrgentRequest": PROVIDERS,
    "DeclineUrgentRequest": PROVIDERS,
    "CancelUrgentRequest": OFFICERS,
    "SetOnCall": PROVIDERS,
    "GetOnCall": PROVIDERS,
    "WrapUpUrgentSession": PROVIDERS,
    # Coordinators (agency admins) keep peers' training; a peer reads their own status.
    "SetTrainingPolicy": ADMINS,
    "GetTrainingPolicy": Rule(roles={Role.AGENCY_ADMIN, Role.PEER_SUPPORTER}),
    "RecordTraining": ADMINS,
    "RemoveTrainingRecord": ADMINS,
    "GetPeerReadiness": Rule(roles={Role.AGENCY_ADMIN, Role.PEER_SUPPORTER}),
    "ListPeerReadiness": ADMINS,
    # Licences: agency admins for their agency, system admins for any; a therapist reads theirs.
    "RecordLicence": Rule(roles={Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN}),
    "RemoveLicence": Rule(roles={Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN}),
    "ListLicences": Rule(roles={Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN, Role.THERAPIST}),
    "JoinWaitlist": OFFICERS,
    "LeaveWaitlist": OFFICERS,
    "ListWaitlist": OFFICERS,
    "AnswerWaitlistOffer": OFFICERS,
    "ProposeReferral": Rule(roles={Role.PEER_SUPPORTER}),
    "ListReferrals": PARTIES,
    "AnswerReferral": OFFICERS,
    "BookReferral": OFFICERS,
    "RequestReferralTimes": OFFICERS,
    "ProposeReferralTimes": Rule(roles={Role.THERAPIST}),
    "PickReferralTime": OFFICERS,
    "SetResource": ADMINS,
    "RemoveResource": ADMINS,
    "ListResources": AGENCY_MEMBERS,
    # Wellness campaigns: admins launch and read; officers (and peers, officers too) list.
    "LaunchCampaign": ADMINS,
    "ListCampaigns": AGENCY_MEMBERS,
    "GetCampaignAttendance": ADMINS,
    # Training sessions: admins plan and schedule; staff (officers, peers) list their own.
    "PlanTraining": ADMINS,
    "ScheduleTraining": ADMINS,
    "ListTrainingSessions": AGENCY_MEMBERS,
}

POLICY = Policy({_S + rpc: rule for rpc, rule in RULES.items()})
