"""Stable codes for what a refusal says about a whole request (not one field), so a client can
say it in its own words: "invalid credentials", "no such appointment", "the service is busy".

The same decision as tenfour_shared.field_texts: the code is derived from the English status
message (one or more templates per code, `{name}` marks a value), not threaded through every
service. The gateway adds `reason: {code, params}` to an error's JSON when a template fits; the
web app says it from its catalog (js/refusals.js MESSAGES); a message no template fits is shown
as sent. To add a code: a line here and the same code in js/refusals.js (both catalogs).
"""

from __future__ import annotations

import re
from functools import cache

from tenfour_shared.field_texts import compile_templates

__all__ = ["TEMPLATES", "WHY", "WHY_CODES", "classify"]

_RETRY = (
    "referrals are changing; retry",
    "the policy is being changed elsewhere; retry",
    "the roster is being changed elsewhere; retry",
    "the session changed too often; try again",
    "the waiting list is changing; retry",
    "this appointment is changing too fast; retry",
    "this group session is changing too fast; retry",
    "this offer is changing; look at it again",
    "this referral is changing; look at it again",
    "too many concurrent changes to this account; try again",
    "too many concurrent sign-ups; try again",
    "too much concurrent editing of these rules; try again",
    "your calendar is changing too fast; retry",
    "a request with this idempotency key is still running; retry shortly",
    "rules changed meanwhile: expected version {expected}, stored {stored}",
)

TEMPLATES: dict[str, tuple[str, ...]] = {
    # The gateway's own words (tenfour_gateway.errors, api).
    "not_available_yet": ("This is not available yet.",),
    "service_busy": ("The service is busy or restarting. Please try again in a moment.",),
    "too_slow": ("That took too long. Please try again.",),
    "our_side": ("Something went wrong on our side. Please try again.",),
    "cancelled": ("The request was cancelled.",),
    "sign_in_again": ("Please sign in again.",),
    "not_allowed": ("You are not allowed to do this.",),
    "request_failed": ("The request failed.",),
    "other_site": ("This request came from another site.",),
    "no_such_operation": ("No such operation.", "No such endpoint."),
    # Identity.
    "wrong_credentials": ("invalid credentials",),
    "code_refused": ("enrolment code is invalid or expired",),
    "username_taken": ("username is taken",),
    "email_taken": ("an account with this e-mail address exists",),
    "account_locked": (
        "this account is locked after too many failed sign-ins: sign in with your authenticator "
        "code, or ask an administrator to unlock it",
    ),
    "too_many_attempts": ("too many attempts; retry in {seconds} s",),
    "account_deactivated": ("this account is deactivated",),
    "mfa_start_again": (
        "no MFA enrolment in progress (or it expired): start again",
        "the MFA enrolment changed meanwhile: start again",
    ),
    "mfa_already_on": ("MFA is already enabled for this account",),
    "no_such_licence": ("no such licence",),
    "no_such_enrolment_code": ("no such enrolment code",),
    "confirmation_link": ("this confirmation link is unknown or expired: ask for a new one",),
    "too_many_mails": ("too many confirmation mails this hour: try again later",),
    "too_many_devices": ("at most {max} devices: remove one first",),
    "admin_self_deactivate": ("a system admin cannot deactivate their own account",),
    "not_in_agency": (
        "this person is not in your agency",
        "no such officer in your agency",
        "no such user in your scope",
        "no such user",
    ),
    "already_peer": ("this officer is already a peer supporter",),
    "peers_not_clinicians": ("peer supporters are not licensed clinicians",),
    "training_peers_only": ("training requirements apply to peer supporters only",),
    # Scheduling and availability.
    "changing_retry": _RETRY,
    "hours_changed": ("the provider's hours changed meanwhile; look again",),
    "no_roster": (
        "no roster yet: set one with SetRoster or ImportRosterCalendar",
        "no roster yet: set one with SetRoster before adding overrides",
        "enter your shift roster first: a rotation series follows it",
    ),
    "set_hours_first": (
        "set your hours first (SetRules or UseDefaultRules)",
        "this provider has no availability rules yet",
    ),
    "provider_deactivated": ("this provider was deactivated; availability can no longer change",),
    "provider_not_taking": ("this provider is no longer taking bookings",),
    "no_such_provider": (
        "no such provider",
        "no such provider for your agency",
        "no such provider serves your agency",
        "no such provider in your scope",
        "no clinician with this id",
        "no peer supporter with this id",
        "this clinician does not serve your agency",
    ),
    "no_such_appointment": (
        "no such appointment",
        "no such session",
        "no session of yours with this id (a just-ended one may take a moment)",
    ),
    "only_booked_moves": ("only a booked appointment can be rescheduled",),
    "session_started": (
        "the session has already started",
        "the session has started; it ends as fulfilled or no-show",
    ),
    "group_no_move": (
        "a seat in a group session cannot be moved; cancel it instead",
        "group sessions cannot be moved; cancel your seat instead",
    ),
    "held_expired": (
        "the time was held for 15 minutes and has been offered to someone else",
        "this time is no longer held for you",
        "no time is held for you on this entry",
    ),
    "series_expired": ("this series plan has expired or does not exist; plan it again",),
    "seat_already": ("you already have a seat in this group session",),
    "group_closed": (
        "this group session has started",
        "this group session is no longer open",
        "this group session is not open",
        "only a seat in a booked group session can be given up",
    ),
    "no_such_group": ("no such group session",),
    "waiting_limit": ("you are already waiting {max} times; leave one first",),
    "no_such_waitlist": ("no such waiting-list entry",),
    "referral_closed": (
        "this referral is not open for booking (already booked, or expired)",
        "this referral was already answered, or it expired",
        "another time was just booked from this referral",
        "a referral is booked with a clinician",
    ),
    "no_proposed_times": ("no proposed times are open: ask the clinician again",),
    "times_proposed": (
        "times were already proposed; the officer is choosing",
        "times were proposed: pick one, or ask again once they run out",
    ),
    "no_such_referral": ("no such referral",),
    "referral_not_yours": (
        "only the officer referred can answer or book this referral",
        "this referral is for other clinicians",
    ),
    "refer_seen_only": ("you can refer only officers you have had a session with",),
    "check_in_booked": ("you already booked this check-in; move or cancel it instead",),
    "no_such_campaign": ("no such check-in campaign for you", "no such campaign in your agency"),
    "no_calendar_subscription": ("you have no calendar subscription",),
    "no_such_calendar_feed": ("no such calendar feed",),
    "no_such_resource": ("no such resource",),
    "resources_limit": ("at most {max} resources; remove one first",),
    "no_such_training": ("no such training record",),
    # Signaling and urgent help.
    "no_call_yet": ("no session for this appointment",),
    "session_not_open": ("this session is not open yet",),
    "session_over": ("this session's time has passed",),
    "session_ended": ("this session has ended",),
    "removed_from_session": ("you were removed from this session",),
    "not_participant": ("you are not a participant of this session",),
    "provider_only": (
        "only the session's provider may do this",
        "only the session's provider, in the call, can do this",
    ),
    "not_in_call": ("that participant is not in the call", "no such participant in this room"),
    "too_many_checks": ("too many pre-call checks at once here; try again shortly",),
    "no_such_urgent": ("no such urgent request", "no urgent session of yours with this id"),
    # Outcomes.
    "feedback_not_yet": ("feedback opens once the session has taken place",),
    "feedback_given": (
        "a feedback credential was already issued to you for this session",
        "this feedback credential has already been used",
    ),
    "wrap_up_recorded": ("this session's wrap-up is already recorded",),
    "wrap_up_not_yet": ("a wrap-up comes after the session: nobody has joined it yet",),
    # Later additions: the rest a person can meet.
    "campaign_overlaps": (
        "another campaign already runs in some of these months; choose months after it ends",
    ),
    "campaign_unconfirmed": (
        "this campaign was launched without attendance confirmation: only suppressed figures exist",
    ),
    "check_in_consent": (
        "this check-in reports to your agency whether you attended (yes or no, nothing else); confirm that "
        "you understand before booking",
    ),
    "referral_agree_first": (
        "ask for times once you have agreed to the referral, before booking and before it expires",
        "book from a referral once you have agreed to it, only once, and before it expires",
    ),
    "times_not_asked": ("the officer has not asked for times on this referral",),
    "facilitator_no_hours": (
        "the facilitator has no free hours for group sessions in this window; choose other dates or ask them "
        "to add group hours",
        "this facilitator keeps no hours for group sessions",
        "no such facilitator serving your agency",
    ),
    "calendar_busy_now": ("your calendar has another session right now; the request stays open for others",),
    "peer_not_rested": ("not now ({why}): urgent requests reach peer supporters who are rested",),
    "echo_timeout": ("the echo peer could not answer in time",),
    "no_such_agency": ("no such agency", "no agency"),
    "agency_exists": ("agency id already exists",),
    "feedback_link_invalid": (
        "unknown feedback credential",
        "this feedback credential belongs to another agency",
    ),
    "not_your_scope": (
        "agency admins see their own agency's figures only",
        "cross-agency figures are for system admins",
        "outcomes are for agency and system admins",
        "only your own agency's webhook",
        "invite only officers and peer supporters of your own agency",
        "feedback is given by officers of an agency",
        "scheduling needs an account that belongs to an agency",
        "this account's id cannot be used for scheduling",
        "you can only act on your own agency's training records",
        "you can only act on your own roster, preferences and sessions",
        "you can only list providers of your own agency",
        "you can only see and manage your own availability",
        "you can only see your own agency's clinicians",
        "you can only see your own licences",
        "a provider cannot be removed",
    ),
    # Proposing a referral (clinician_ids[i], counted from 0) and a clinician's proposed times
    # ("time 2 (Thu 05 Mar 02:00 CST)", in the clinician's zone). {why} is read once more below.
    "clinician_not_in_agency": ("clinician_ids[{i}] is not a clinician of your agency",),
    "clinician_refused": ("clinician_ids[{i}]: {why}",),
    "proposed_time_shifts_unknown": ("time {n} ({when}): the officer's shifts are not known yet; try later",),
    "proposed_time_not_fitting": ("time {n} ({when}): does not fit the officer's shifts or rest",),
    "proposed_time_not_offered": ("time {n} ({when}): you do not offer individual sessions then",),
    "proposed_time_refused": ("time {n} ({when}): {why}",),
}

# Why a clinician cannot be referred to or a time offered (the {why} above), by code: the
# clinician's eligibility in words, or a booking problem's code at the end ("... (too_soon)").
WHY: dict[str, tuple[str, ...]] = {
    "not_bookable_yet": ("this provider is not bookable yet",),
    "provider_unavailable": ("this provider is not taking bookings",),
    "not_serving_agency": ("this provider does not serve your agency",),
    "session_type_not_offered": ("this provider does not offer {kind} sessions",),
    "unlicensed": ("this clinician holds no licence valid in your jurisdiction on that date",),
    "training_lapsed": ("this peer supporter's required training is not current",),
}
WHY_CODES = frozenset(WHY) | {
    "provider_busy", "provider_limit", "too_soon", "too_far_ahead", "outside_provider_hours",
}  # fmt: skip
_CODE_AT_END = re.compile(r"^(?P<why>.*?)\s*\((?P<code>[a-z]+(?:_[a-z]+)*)\)$")


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return compile_templates(TEMPLATES)


@cache
def _why_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return compile_templates(WHY)


def _why_code(why: str) -> dict[str, str]:
    """`why_code` (one of WHY_CODES) for a {why}, and `why` without a code at its end."""
    coded = _CODE_AT_END.match(why)
    if coded and coded["code"] in WHY_CODES:
        return {"why": coded["why"], "why_code": coded["code"]}
    for code, pattern in _why_patterns():
        if pattern.match(why):
            return {"why": why, "why_code": code}
    return {"why": why}


def classify(message: str) -> tuple[str, dict[str, str]] | None:
    """The code and values of an English status message, or None when no template fits."""
    text = message.strip()
    for code, pattern in _patterns():
        match = pattern.match(text)
        if match:
            params = dict(match.groupdict())
            if "why" in params and code != "peer_not_rested":
                params.update(_why_code(params["why"]))
            return code, params
    return None
