"""The services' reason codes in plain words, so the CLI never prints `officer_day_limit`.

Scheduling ends a refused booking's message with its code ("cannot book this time: starts in 40
min; needs 2 h notice (too_soon)") and names why a search found nothing with
`empty_reason_code`; the same codes name schedule clashes. Each code has a sentence here (the
web app's catalog says the same); the service's own words, which carry the values, follow in
brackets. A code not listed here is shown with spaces for underscores, never as a code.
`--json` keeps the code (`reason_code`) for scripts.
"""

from __future__ import annotations

import re

from tenfour_shared.message_texts import classify

__all__ = ["EMPTY", "REFUSALS", "empty_words", "plain_message", "plain_refusal", "refusal_words"]

REFUSALS: dict[str, str] = {
    "session_type_not_offered": "this provider does not offer this kind of session",
    "too_soon": "this time is too soon: sessions need more notice",
    "in_the_past": "this time is in the past",
    "too_far_ahead": "this time is too far ahead to book yet",
    "on_duty": "you are on duty at this time",
    "pre_shift_buffer": "this time is too close to the start of a shift",
    "post_shift_buffer": "this time is too soon after a shift ends",
    "protected_sleep": "this time is in your sleep after a night shift",
    "usual_sleep": "this time is in your usual sleep",
    "quick_return": "this time falls in a short rest between two shifts",
    "consecutive_nights": "this day is kept for rest after several night shifts in a row",
    "officer_busy": "you already have a session at this time",
    "officer_day_limit": "you already have the sessions allowed that day",
    "outside_provider_hours": "the provider is not available at this time",
    "peer_off_duty_rules": "the peer supporter is on duty or resting at this time",
    "provider_busy": "the provider was booked at this time meanwhile",
    "provider_limit": "the provider has no more sessions free that day or week",
    "provider_unavailable": "this provider is not taking bookings",
    "training_lapsed": "this peer supporter's required training is not current",
    "unlicensed": "this clinician is not licensed where you live",
    "group_full": "every seat of this group session is taken",
    "refused": "the service refused this time",
}

EMPTY: dict[str, str] = {
    "no_offers": "nobody offers this kind of session at the moment",
    "no_filter_match": "nobody matches these filters; try fewer filters",
    "no_off_duty_time": "your shifts and rest leave no free time in this period; try a longer one",
    "no_overlap": "the providers are not available when you are off duty in this period; try a longer one",
    "too_short": "your free time and the providers' hours overlap, but never long enough for a session",
    "fully_booked": "the times that would fit are already taken; try a longer period",
    "days_taken": "the days that fit already have a session of yours, or come right before your nights",
    "no_grid_start": "there are openings, but none long enough for a session; try a longer period",
    "no_licensed": "no clinician who offers this is licensed where you live (`tenfour preferences`)",
}

_CODED = re.compile(r"^(?:cannot book this time:\s*)?(?P<why>.*?)\s*\((?P<code>[a-z]+(?:_[a-z]+)*)\)$")


def _words(code: str) -> str:
    return code.replace("_", " ")


def refusal_words(code: str) -> str:
    return REFUSALS.get(code) or _words(code)


def empty_words(code: str, text: str = "") -> str:
    """Why a search found nothing: the code's sentence, else the service's words."""
    return EMPTY.get(code) or text or (_words(code) if code else "nothing matched")


def plain_refusal(details: str) -> tuple[str, str]:
    """A service message ending in a reason code as (plain words, code); ("", "") without one.

    "cannot book this time: starts in 40 min; needs 2 h notice (too_soon)" becomes "this time is
    too soon: sessions need more notice (starts in 40 min; needs 2 h notice)".
    """
    found = _CODED.match(details.strip())
    if not found or ("_" not in found["code"] and found["code"] not in REFUSALS):
        return "", ""  # "(optional)" is a word, "(unlicensed)" a code
    code, why = found["code"], found["why"].strip()
    words = refusal_words(code)
    return (f"{words} ({why})" if why and why != words else words), code


# Refusals of a referral's clinicians and of proposed times (tenfour_shared.message_texts): the
# request path `clinician_ids[0]` becomes "clinician 1", the reason a code's words.
WHY: dict[str, str] = {
    "not_bookable_yet": "the clinician cannot be booked yet",
    "provider_unavailable": "the clinician is not taking bookings",
    "not_serving_agency": "the clinician does not serve this agency",
    "session_type_not_offered": "the clinician does not offer individual sessions",
    "unlicensed": "the clinician holds no licence valid where the officer lives",
    "training_lapsed": "the required training is not current",
    "provider_busy": "the clinician has another session then",
    "provider_limit": "the clinician has no more sessions free that day or week",
    "too_soon": "it is too soon: sessions need more notice",
    "too_far_ahead": "it is too far ahead to book yet",
    "outside_provider_hours": "it is outside the clinician's hours",
}
_MESSAGES: dict[str, str] = {
    "clinician_not_in_agency": "clinician {who} is not a clinician of your agency",
    "clinician_refused": "clinician {who} cannot be referred to: {why}",
    "proposed_time_shifts_unknown": "time {n} ({when}): the officer's shifts are not known yet; try later",
    "proposed_time_not_fitting": "time {n} ({when}) does not fit the officer's shifts or rest",
    "proposed_time_not_offered": "time {n} ({when}): you do not offer individual sessions then",
    "proposed_time_refused": "time {n} ({when}) cannot be offered: {why}",
}


def plain_message(details: str) -> tuple[str, str]:
    """A referral or proposed-time refusal as (plain words, code); ("", "") for any other."""
    found = classify(details)
    if found is None or found[0] not in _MESSAGES:
        return "", ""
    code, params = found
    why = WHY.get(params.get("why_code", ""), params.get("why", ""))
    who = str(int(params["i"]) + 1) if params.get("i", "").isdigit() else params.get("i", "")
    words = _MESSAGES[code].format(who=who, why=why, n=params.get("n", ""), when=params.get("when", ""))
    return words, code
