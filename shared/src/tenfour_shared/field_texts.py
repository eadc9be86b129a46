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
    "required": ("is required", "required", "Field required", "must not be empty", "is required: {detail}"),
    "min_length": ("must have at least {min} characters", "String should have at least {min} characters"),
    "max_length": (
        "must have at most {max} characters",
        "must be at most {max} characters",
        "at most {max} characters",
        "at most {max} printable characters",
        "String should have at most {max} characters",
        "too long",
    ),
    "length_between": ("must have {min}-{max} characters",),
    "too_common": ("is too common",),
    "too_repetitive": ("is too repetitive",),
    "not_your_name": ("must not be your name or username",),
    "between": ("must be between {min} and {max}",),
    "after_start": (
        "must be after the start",
        "must be after start",
        "must be after range.start",
        "must differ from the start",
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
    ),
    "hour_minute": ("hour must be 0-23 and minute 0-59", "hour 0-23 and minute 0-59"),
    "whole_minute": (
        "must be a whole minute",
        "must be on a whole minute",
        "must be a whole number of minutes",
    ),
    "session_type_needed": ("must offer at least one session type",),
    "list_one": ("must list at least one",),
    "positive": ("must be positive",),
    "not_negative": ("must not be negative",),
    "listed_twice": ("is listed twice", "must not repeat a language", "each time once"),
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
    "days_ahead": ("must be at most {days} days ahead",),
    "not_proposed": ("is not one of the proposed times",),
    "propose_times": ("propose 1 to {max} times",),
    "refer_self": ("is you; refer an officer you support",),
    "rotation_pattern": ("is not a known rotation pattern",),
    "unknown_agency": ("is not an agency id", "no such agency"),
    "licence_number": ("may hold only letters, digits, spaces and - / . (at most 40)",),
    "licensed_where": ("a therapist must list where they are licensed",),
    "file_size": ("is larger than {kb} kB",),
    "not_calendar": ("not an iCalendar file: {detail}",),
    "calendar_zone": ("the calendar names no IANA timezone; give the roster's zone",),
    "week_below_day": ("is {week}, below max_per_day ({day}); the daily cap could never be reached",),
    "sleep_same": ("must differ from the start of the sleep window",),
    "sleep_too_long": ("makes a sleep window of {hours} h {minutes} min; it may be at most {max} h",),
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
    for code, pattern in _patterns():
        match = pattern.match(description.strip())
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
