"""Who may call each notifications RPC. Anything not listed is denied.

Every RPC acts on the caller's own data (the servicer takes the user from the token, never from
the request); the agency webhook is checked against the caller's agency in service.people's
caller, the grpc layer.
"""

from __future__ import annotations

from tenfour_shared.auth.policy import AUTHENTICATED, PUBLIC, Policy, Rule
from tenfour_shared.auth.roles import Role

_S = "/tenfour.notifications.v1.NotificationService/"
OFFICERS = Rule(roles={Role.OFFICER})
ADMINS = Rule(roles={Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})

POLICY = Policy(
    {
        _S + "Stream": AUTHENTICATED,
        _S + "ListNotifications": AUTHENTICATED,
        _S + "MarkNotificationsRead": AUTHENTICATED,
        _S + "GetWebPushConfig": PUBLIC,
        _S + "RegisterPushSubscription": AUTHENTICATED,
        _S + "RemovePushSubscription": AUTHENTICATED,
        _S + "SetEmailAddress": AUTHENTICATED,
        _S + "ConfirmEmailAddress": PUBLIC,  # the token in the link is the proof
        _S + "GetSettings": AUTHENTICATED,
        _S + "SetPreferences": AUTHENTICATED,
        _S + "SendTestNotification": AUTHENTICATED,
        _S + "ListDeliveries": AUTHENTICATED,
        _S + "SetAgencyWebhook": ADMINS,
        _S + "GetAgencyWebhook": ADMINS,
        _S + "FollowGroupSeats": OFFICERS,
        _S + "ListDevMailbox": AUTHENTICATED,  # and only when the dev mailbox is configured
    }
)
