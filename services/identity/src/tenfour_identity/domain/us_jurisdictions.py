"""Where an officer may say they live at enrolment: the US states, the District of Columbia and
the inhabited territories, as ISO 3166-2 codes (the web app's select lists the same)."""

from __future__ import annotations

__all__ = ["US_JURISDICTIONS", "us_jurisdiction"]

_CODES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI",
)  # fmt: skip
US_JURISDICTIONS = frozenset(f"US-{code}" for code in _CODES)


def us_jurisdiction(value: str) -> str:
    """The code upper-cased, or "" when not given; anything else is a ValueError."""
    text = value.strip().upper()
    if text and text not in US_JURISDICTIONS:
        raise ValueError("must be a US state or territory code such as US-CA")
    return text
