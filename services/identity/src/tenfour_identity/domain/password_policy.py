"""Which new passwords are acceptable (NIST SP 800-63B style: length and blocklist, no composition rules)."""

from __future__ import annotations

import re

from tenfour_identity.domain.common_passwords import COMMON_PASSWORDS
from tenfour_identity.domain.errors import ValidationFailed
from tenfour_identity.domain.passwords import normalise_password

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "ensure_acceptable_password",
    "password_problems",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
_MIN_DISTINCT = 4  # "aaaaaaaaaaaa" or "abababababab" are long and worthless
_DECORATION = re.compile(r"[\W_\d]+$")  # "Password123!" is "password" with decoration


def _core(text: str) -> str:
    """Case-folded, whitespace removed, trailing digits and symbols stripped."""
    folded = "".join(normalise_password(text).casefold().split())
    return _DECORATION.sub("", folded) or folded


def password_problems(
    password: str, *, display_name: str | None = None, username: str | None = None
) -> list[str]:
    """Every reason `password` is refused (empty list: acceptable). Lengths count code points."""
    text = normalise_password(password)
    problems: list[str] = []
    if len(text) < MIN_PASSWORD_LENGTH:
        problems.append(f"must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(text) > MAX_PASSWORD_LENGTH:
        problems.append(f"must have at most {MAX_PASSWORD_LENGTH} characters")
        return problems  # no point in comparing an over-long input further
    folded = "".join(text.casefold().split())
    if folded in COMMON_PASSWORDS or _core(text) in COMMON_PASSWORDS:
        problems.append("is too common")
    elif len(set(folded)) < _MIN_DISTINCT:
        problems.append("is too repetitive")
    personal = [v for v in (display_name, username) if v and v.strip()]
    if any(_core(text) == _core(value) for value in personal):
        problems.append("must not be your name or username")
    return problems


def ensure_acceptable_password(
    password: str, *, display_name: str | None = None, username: str | None = None
) -> None:
    problems = password_problems(password, display_name=display_name, username=username)
    if problems:
        raise ValidationFailed([("password", message) for message in problems])
