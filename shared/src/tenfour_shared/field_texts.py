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

from tenfour_shared.field_templates import TEMPLATES

__all__ = ["TEMPLATES", "classify", "compile_templates", "params_of"]


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
