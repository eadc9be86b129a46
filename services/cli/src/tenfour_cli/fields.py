"""A field a service names by its request path (`record.expires_at`, `rules.weekly[10].start`)
in plain words (`expiry date`, `weekly window 11, start`), the way the web app names the field
by its label. The request's wrapper (`record.`, `rules.`, `profile.`) is dropped; a list item is
counted from 1. `--json` keeps the path for scripts.
"""

from __future__ import annotations

import re

__all__ = ["field_words"]

# The last part of a path in words; a part not listed reads with spaces for underscores.
_WORDS: dict[str, str] = {
    "expires_at": "expiry date",
    "issued_at": "date of issue",
    "completed_at": "completion date",
    "number": "licence number",
    "display_name": "name",
    "bio": "a few words about you",
    "languages": "languages",
    "accepting_new_clients": "new clients",
    "modalities": "urgent calls",
    "jurisdiction": "jurisdiction",
    "jurisdictions": "jurisdictions",
    "usual_sleep": "usual sleep",
    "anchor": "rotation start",
    "cycle": "rotation cycle",
    "template": "rotation",
    "timezone": "time zone",
    "weekly": "weekly window",
    "overrides": "one-day change",
    "time_off": "time off",
    "shifts": "shift",
    "sessions": "session setting",
    "start": "start",
    "end": "end",
    "day": "day",
    "max_uses": "number of uses",
    "label": "label",
    "horizon": "period",
    "range": "period",
    "step": "step",
    "totp_code": "authenticator code",
    "password": "password",
    "new_password": "new password",
    "username": "username",
    "email": "e-mail address",
    "agency_id": "agency",
    "provider_id": "provider",
    "clinician_id": "clinician",
    "appointment_id": "session",
    "count": "number of sessions",
    "capacity": "seats",
    "title": "title",
}
# Wrappers of a whole request: saying them adds nothing ("record", "rules", "profile").
_WRAPPERS = frozenset(
    {
        "record",
        "licence",
        "rules",
        "roster",
        "profile",
        "preferences",
        "policy",
        "request",
        "series",
        "offer",
        "code",
        "campaign",
        "resource",
        "entry",
        "referral",
        "user",
        "account",
    }
)
_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


def _word(name: str) -> str:
    return _WORDS.get(name, name.replace("_", " "))


def field_words(path: str) -> str:
    """`record.expires_at` -> `expiry date`; `rules.weekly[10].start` -> `weekly window 11, start`."""
    parts = [match.groups() for match in _PART.finditer(path or "")]
    if not parts:
        return path or "the request"
    while len(parts) > 1 and parts[0][0] in _WRAPPERS and not parts[0][1]:
        parts = parts[1:]
    words = []
    for name, indexes in parts:
        numbers = [int(n) + 1 for n in re.findall(r"\d+", indexes)]
        word = _word(name)
        if numbers and word.endswith("s"):
            word = word[:-1]  # "languages[1]" -> "language 2"
        words.append(" ".join([word, *map(str, numbers)]))
    return ", ".join(words)
