"""Who may call each signaling RPC. Anything not listed is denied.

Roles are only the first gate: every handler also checks that the caller is a participant of
that very appointment (and the provider, for the waiting-room controls).
"""

from __future__ import annotations

from tenfour_shared.auth.policy import Policy, Rule
from tenfour_shared.auth.roles import Role

_S = "/tenfour.signaling.v1.SignalingService/"
PARTICIPANTS = Rule(roles={Role.OFFICER, Role.THERAPIST, Role.PEER_SUPPORTER})
PROVIDERS = Rule(roles={Role.THERAPIST, Role.PEER_SUPPORTER})

POLICY = Policy(
    {
        _S + "Join": PARTICIPANTS,
        _S + "Subscribe": PARTICIPANTS,
        _S + "Send": PARTICIPANTS,
        _S + "Connect": PARTICIPANTS,
        _S + "Leave": PARTICIPANTS,
        _S + "ReportConnection": PARTICIPANTS,
        _S + "GetRoom": PARTICIPANTS,
        _S + "GetIceServers": PARTICIPANTS,
        _S + "PreCallCheck": PARTICIPANTS,
        _S + "PublishMedia": PARTICIPANTS,
        _S + "ListMedia": PARTICIPANTS,
        _S + "SubscribeMedia": PARTICIPANTS,
        _S + "AnswerMedia": PARTICIPANTS,
        _S + "MuteParticipant": PROVIDERS,
        _S + "Admit": PROVIDERS,
        _S + "Remove": PROVIDERS,
        _S + "EndSession": PROVIDERS,
    }
)
