"""Who may call each outcomes RPC. Anything not listed is denied.

Roles only: that an agency admin reads their own agency, and an officer gives feedback on their
own session, is checked by service.access and the feedback service.
"""

from __future__ import annotations

from tenfour_shared.auth.policy import Policy, Rule
from tenfour_shared.auth.roles import Role

_S = "/tenfour.outcomes.v1.OutcomesService/"
OFFICERS = Rule(roles={Role.OFFICER})
ADMINS = Rule(roles={Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})
SYSTEM_ADMINS = Rule(roles={Role.SYSTEM_ADMIN})

POLICY = Policy(
    {
        _S + "IssueFeedbackCredential": OFFICERS,
        _S + "SubmitFeedback": OFFICERS,
        _S + "GetAgencyReport": ADMINS,
        _S + "ExportAgencyReportCsv": ADMINS,
        _S + "ListAgencyReports": SYSTEM_ADMINS,
        _S + "ListCampaignReports": ADMINS,
    }
)
