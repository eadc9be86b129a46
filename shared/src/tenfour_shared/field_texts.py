"""Stable codes for what services say about a field, so clients can say it in their own words.

Every service explains an INVALID_ARGUMENT field by field (google.rpc.BadRequest): `description`
stays English for API clients and logs, and `reason` carries one of the codes below. The values
in a description ("at least 12 characters", "between 2006-12-05 and 2036-12-05") are read back
with the code's template, so a client gets code + params: the web app says them from its
catalog in the reader's language, the CLI in plain words.

Decision: the codes are derived from the English text (one template per code) rather than
threaded through every validator. A description no template matches keeps an empty reason and
is shown as sent (English); `tests/unit/test_field_texts.py` holds the texts that must match.
To add a code: a line here, the same code in the web app's `js/field_texts.js` (English and
Spanish catalog), nothing else.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["TEMPLATES", "classify", "compile_templates", "params_of"]

# code -> the English texts services send for it; {name} marks a value.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "required": (
        "is required",
        "required",
        "Field required",
        "must not be empty",
        "is required: {detail}",
        "a session or participant id is required",
        "an appointment id is required",
        "required for a system admin",
        "role {role} requires an email",
        "session type must not be empty",
        "cycle must not be empty",
    ),
    "min_length": ("must have at least {min} characters", "String should have at least {min} characters"),
    "max_length": (
        "must have at most {max} characters",
        "must be at most {max} characters",
        "at most {max} characters",
        "at most {max} printable characters",
        "String should have at most {max} characters",
        "too long",
        "password too long",
    ),
    "length_between": (
        "must have {min}-{max} characters",
        "must be {min} to {max} characters (or empty to generate one)",
    ),
    "too_common": ("is too common",),
    "too_repetitive": ("is too repetitive",),
    "not_your_name": ("must not be your name or username",),
    "between": (
        "must be between {min} and {max}",
        "limit must be between {min} and {max}",
        "count must be between {min} and {max}",
        "offset must be between {min} and {max} for a {days}-day cycle",
    ),
    "after_start": (
        "must be after the start",
        "must be after start",
        "must be after range.start",
        "must differ from the start",
        "interval end is before its start",
        "through is before day",
    ),
    "after_completion": ("must be after the completion date",),
    "after_issue": ("must be after the date of issue",),
    "in_past": ("is in the past",),
    "in_future": ("cannot be in the future",),
    "https_address": ("must be an https:// address",),
    "email_address": (
        "must be an email address",
        "has an invalid domain",
        "has an invalid part before '@'",
        "not a valid email address: {detail}",
    ),
    "time_zone": (
        "must be an IANA time zone such as America/Chicago",
        "not a known time zone (e.g. America/Chicago)",
        "unknown IANA timezone {zone}; use a name such as America/New_York",
        "unknown IANA timezone {zone}",
    ),
    "hour_minute": (
        "hour must be 0-23 and minute 0-59",
        "hour 0-23 and minute 0-59",
        "hour must be 0-23 and minute 0-59 (00:00 is midnight)",
    ),
    "whole_minute": (
        "must be a whole minute",
        "must be on a whole minute",
        "must be a whole number of minutes",
        "step must be a whole number of minutes that divides a day (e.g. 5, 15, 30, 60)",
    ),
    "session_type_needed": ("must offer at least one session type",),
    "list_one": ("must list at least one",),
    "positive": (
        "must be positive",
        "horizon must be positive",
        "shift length must be positive",
    ),
    "not_negative": ("must not be negative",),
    "listed_twice": (
        "is listed twice",
        "must not repeat a language",
        "each time once",
        "duplicate provider id {id}",
        "letter {letter} is defined twice",
    ),
    "jurisdiction_code": (
        "must be an ISO 3166-2 code such as US-CA",
        "must be an ISO 3166 country or subdivision code such as US-TX or CA-ON",
        "must be a US state or territory code such as US-CA",
    ),
    "username_chars": ("must start with a letter and use only a-z, 0-9, '.', '_' or '-'",),
    "letter_or_digit": ("must contain a letter or digit",),
    "control_chars": ("contains invisible or control characters", "must not contain NUL characters"),
    "enrolment_code_form": ("must be 16 characters such as 7K3Q-9M2X-4HPR-ZT8W",),
    "totp_digits": ("must be the {digits} digits the app shows",),
    "within_year": ("must be within a year of creation",),
    "over_max_uses": ("must not exceed max_uses",),
    "choose_category": ("choose a category",),
    "phone_chars": ("digits, spaces and + - ( ) only, such as 988",),
    "hotline_number": ("a hotline needs the number to call",),
    "title_120": ("is required, at most 120 characters",),
    "course_code": (
        "a course code: lower-case letters, digits, _ or -",
        "use a course code: lower-case letters, digits, _ or -",
        "use a course code: lower-case letters, digits, _ or - (max 48)",
    ),
    "training_name": ("give the training a name (1-80 characters)",),
    "training_giver": ("choose who gives the training", "say who gave the training"),
    "campaign_name": ("give the campaign a name (1-80 characters)",),
    "campaign_month": ("say which month the campaign starts",),
    "campaign_months": ("a campaign runs 1 to {max} months",),
    "campaign_time": ("choose a time inside the campaign's months",),
    "window_over": ("this window is already over",),
    "seats_between": ("must be between {min} and {max} seats", "{min} to {max} seats"),
    "before_first_day": ("is before first_day ({day})",),
    "quiet_hours_zone": ("required with quiet hours",),
    "valid_months": ("0 (never expires) to 60 months",),
    "training_window": ("choose a future window of at most 31 days",),
    "invitees": ("invite 1 to {max} officers or peer supporters",),
    "days_ahead": (
        "must be at most {days} days ahead",
        "the series would reach {reach} days ahead; at most {days}",
    ),
    "not_proposed": ("is not one of the proposed times",),
    "propose_times": ("propose 1 to {max} times",),
    "refer_self": ("is you; refer an officer you support",),
    "rotation_pattern": (
        "is not a known rotation pattern",
        "unknown rotation template {name}; known: {known}",
    ),
    "unknown_agency": ("is not an agency id", "no such agency"),
    "licence_number": ("may hold only letters, digits, spaces and - / . (at most 40)",),
    "licensed_where": ("a therapist must list where they are licensed",),
    "file_size": ("is larger than {kb} kB",),
    "not_calendar": ("not an iCalendar file: {detail}",),
    "calendar_zone": ("the calendar names no IANA timezone; give the roster's zone",),
    "week_below_day": ("is {week}, below max_per_day ({day}); the daily cap could never be reached",),
    "sleep_same": ("must differ from the start of the sleep window",),
    "sleep_too_long": ("makes a sleep window of {hours} h {minutes} min; it may be at most {max} h",),
    "at_most_items": (
        "at most {max} ranges",
        "at most {max} reminders",
        "at most {max} jurisdictions",
        "at most {max} courses",
        "at most {max} entries",
        "at most {max} items",
        "at most {max} overrides",
        "at most {max}, each once",
        "must list at most {max} officers",
    ),
    "spans_days": (
        "spans more than {days} days",
        "must be at most {days} days",
        "is {span} days; at most {days}",
        "horizon of {span} days is over the {days}-day maximum",
        "a cancellation may span at most {days} days",
    ),
    "minutes_choice": ("must be one of {choices} minutes", "step must be one of {choices} minutes"),
    "not_a_choice": (
        "is not one of the defined values",
        "must be follow_up_booked, referred or none",
        "must be on, off or hours",
        "unknown category",
        "unknown channel",
        "unknown provider kind {value}",
        "unknown session type {value}",
        "must be {kind} for this account",
        "enrolment codes may only grant officer or peer_supporter",
        "must be SESSION_TYPE_INDIVIDUAL, SESSION_TYPE_GROUP or SESSION_TYPE_CRISIS",
    ),
    "not_an_id": (
        "is not a feedback credential",
        "is not a provider id",
        "is not a referral id",
        "is not a waiting-list entry id",
        "is not an appointment id",
        "is not an urgent request id",
        "is too long to be an appointment id",
        "must be the id of an audit event",
        "must be 0 or the seq of an entry",
    ),
    "lower_word": ("must be 1-{max} characters of a-z and '_'", "must be at most {max} characters a-z and _"),
    "push_key": (
        "must be 16 bytes, base64url",
        "must be an uncompressed P-256 public key (65 bytes)",
        "must be base64url",
    ),
    "max_bytes": ("must be at most {max} bytes",),
    "after_creation": ("must be after created_at",),
    "changed_meanwhile": (
        "must be greater than the stored version {version}",
        "does not match the stored rule set",
    ),
    "scale_0_10": ("must be 0 (none) to 10 (extreme)",),
    "scale_1_5": ("must be 1 to 5",),
    "username_choose": ("cannot be derived from the e-mail address: choose one",),
    "choose_agency": (
        "choose the agency whose officers may take seats",
        "name the agency (or the clinician) to list",
    ),
    "cycle_letters": ("a rotating cycle needs one work letter, letters and repeats >= 1",),
    "cycle_undefined": ("define every letter of the cycle (or name a template)",),
    "template_mixes": ("template {name} mixes shift letters; edit its cycle instead",),
    "group_seat": (
        "a seat in a group session is taken with group_appointment_id (see FindSlots)",
        "a seat is taken with the group's id alone (no provider_id or start)",
    ),
    "urgent_elsewhere": ("crisis sessions are requested with RequestUrgentSession",),
    "peer_own_agency": ("a peer supporter serves exactly their own agency",),
    "not_for_peers": ("peer supporters are not licensed clinicians",),
    "needs_zone": (
        "now must carry a timezone",
        "{when} must carry a timezone",
        "must include a UTC offset, e.g. 2025-03-09T10:00:00Z",
    ),
    "device_needed": ("give the device id or its endpoint",),
    "pseudonymous_role": ("role {role} is pseudonymous and has no email",),
    "used_elsewhere": ("was already used for a different request",),
    "agencies_only": ("webhooks are for agencies, not a person's choice",),
    "language_tag": (
        "{tag} is not a BCP 47 language tag such as en or fr-CA",
        "must be a BCP 47 language tag such as en, es-MX or zh-Hant-TW",
    ),
    "offset_form": ("{text} is not an offset such as 24h, 90m or 2d",),
    "not_a_date": (
        "{year}-{month}-{day} is not a valid date",
        "is not a valid timestamp",
    ),
    "wall_time": (
        "a local wall time must not carry a UTC offset",
        "must be a wall-clock time without a timezone; the rule set's timezone applies",
    ),
    "peer_roster": ("a peer supporter's offer needs their roster",),
    "cycle_too_long": ("cycle of {days} days is longer than {max}",),
    "window_or_day_off": ("give at least one window, or set day_off for a day off",),
    "day_off_empty": ("must be empty when day_off is set",),
    "cap_between": ("must be 0 (no cap) or between {min} and {max}",),
    "id_chars": ("must be 1-{max} characters of A-Z, a-z, 0-9, '_' or '-'",),
    "wrong_type": ("must be a string",),
    "contact_form": ("must be an email address or a phone number in international form (+15551234567)",),
    "same_start_end": (
        "preferred hours must not start and end at the same time",
        "the usual sleep window must not start and end at the same time",
    ),
    "sleep_max_hours": ("the usual sleep window must be at most {max} h long",),
    "shift_over_day": ("shift length {length} is over 24 h",),
    "shift_letter": ("shift letter {letter} must be one upper-case letter A-Z",),
    "pattern_letter": ("unknown pattern letter {letter} at position {position}",),
}


def compile_templates(templates: dict[str, tuple[str, ...]]) -> list[tuple[str, re.Pattern[str]]]:
    """(code, pattern) for every English text of `templates`, the most specific first."""
    out = []
    for code, texts in templates.items():
        for text in texts:
            parts = re.split(r"\{(\w+)\}", text)
            regex = "".join(
                re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
            )
            literal = sum(len(part) for part in parts[::2])
            out.append((literal, code, re.compile(f"^{regex}$")))
    # The most specific first: "must be between 2 and 8 seats" is seats_between, not between.
    return [(code, pattern) for _, code, pattern in sorted(out, key=lambda item: -item[0])]


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return compile_templates(TEMPLATES)


def classify(description: str) -> tuple[str, dict[str, str]] | None:
    """The code and values of an English field description, or None when no template fits."""
    text = description.strip().removeprefix("Value error, ")
    for code, pattern in _patterns():
        match = pattern.match(text)
        if match:
            return code, dict(match.groupdict())
    return None


def params_of(code: str, description: str) -> dict[str, str]:
    """The values in `description` by `code`'s template (empty when it does not fit)."""
    for known, pattern in _patterns():
        if known == code:
            match = pattern.match(description.strip())
            if match:
                return dict(match.groupdict())
    return {}
