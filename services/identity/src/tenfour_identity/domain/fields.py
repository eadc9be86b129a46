"""Validated field types and their length caps, shared by identity's models.

Every text field is normalised (Unicode NFC, trimmed) before it is checked, so the stored
value is the canonical one and two spellings of the same name cannot coexist.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import BeforeValidator

from tenfour_identity.domain.validation import invalid
from tenfour_shared.timeline import load_zone

__all__ = [
    "MAX_AGENCY_NAME",
    "MAX_BIO",
    "MAX_DISPLAY_NAME",
    "MAX_EMAIL",
    "MAX_ID",
    "MAX_LABEL",
    "AgencyName",
    "Bio",
    "ContactChannel",
    "CrisisLineText",
    "DisplayName",
    "Email",
    "Identifier",
    "Jurisdiction",
    "Label",
    "LanguageTag",
    "TimeZoneName",
    "Username",
]

MAX_ID = 64
MAX_USERNAME = 32
MIN_USERNAME = 3
MAX_DISPLAY_NAME = 64
MAX_AGENCY_NAME = 120
MAX_EMAIL = 254  # RFC 5321 path limit
MAX_EMAIL_LOCAL = 64
MAX_LABEL = 80
MAX_BIO = 2000
MAX_CRISIS_LINE_TEXT = 500

# Control, format (incl. bidi overrides), private-use, surrogate and line/paragraph separators:
# invisible or direction-flipping characters are how look-alike names are built.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def _require_str(value: object) -> str:
    if not isinstance(value, str):
        raise invalid("must be a string")
    return value


def _clean_text(value: object, *, max_len: int, min_len: int = 1, multiline: bool = False) -> str:
    text = unicodedata.normalize("NFC", _require_str(value)).strip()
    # Single-line text collapses whitespace runs; multi-line keeps line breaks only.
    lines = [line.rstrip() for line in text.splitlines()] if multiline else [" ".join(text.split())]
    text = "\n".join(lines)
    if any(unicodedata.category(c) in _FORBIDDEN_CATEGORIES and c != "\n" for c in text):
        raise invalid("contains invisible or control characters")
    if len(text) < min_len:
        raise invalid("must not be empty" if min_len == 1 else f"must have at least {min_len} characters")
    if len(text) > max_len:
        raise invalid(f"must have at most {max_len} characters")
    return text


def _display_name(value: object) -> str:
    text = _clean_text(value, max_len=MAX_DISPLAY_NAME)
    if not any(c.isalnum() for c in text):
        raise invalid("must contain a letter or digit")
    return text


_ID = re.compile(r"[A-Za-z0-9_-]+")
_USERNAME = re.compile(r"[a-z][a-z0-9._-]*")


def _identifier(value: object) -> str:
    text = _require_str(value)
    if not 1 <= len(text) <= MAX_ID or not _ID.fullmatch(text):
        raise invalid(f"must be 1-{MAX_ID} characters of A-Z, a-z, 0-9, '_' or '-'")
    return text


def _username(value: object) -> str:
    # Usernames are the pseudonymous login of officers: ASCII only, so no look-alike letters,
    # and no '@', so an email address cannot slip in as a username.
    text = _require_str(value).strip().lower()
    if not MIN_USERNAME <= len(text) <= MAX_USERNAME:
        raise invalid(f"must have {MIN_USERNAME}-{MAX_USERNAME} characters")
    if not _USERNAME.fullmatch(text):
        raise invalid("must start with a letter and use only a-z, 0-9, '.', '_' or '-'")
    return text


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def _email(value: object) -> str:
    """Pragmatic RFC 5321 mailbox: dot-atom local part, DNS host name; domain lower-cased.

    Quoted local parts and IP-literal domains are valid in theory and refused here: nobody
    uses them for a work address, and they are a classic source of parser differentials.
    """
    text = _require_str(value).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise invalid("must be an email address")
    if len(local) > MAX_EMAIL_LOCAL or not _EMAIL_LOCAL.fullmatch(local):
        raise invalid("has an invalid part before '@'")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise invalid("has an invalid domain") from None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        raise invalid("has an invalid domain")
    if labels[-1].isdigit():
        raise invalid("has an invalid domain")
    address = f"{local}@{domain}"
    if len(address) > MAX_EMAIL:
        raise invalid(f"must have at most {MAX_EMAIL} characters")
    return address


def _time_zone(value: object) -> str:
    name = _require_str(value)
    try:
        load_zone(name)
    except ValueError:
        raise invalid("must be an IANA time zone such as America/Chicago") from None
    return name


# RFC 5646 language tag. The primary subtag must be ISO 639 (2-3 letters): the 4-8 letter
# forms are reserved or registry-only, and accepting them lets "english" through as a tag.
# Grandfathered irregular tags are deprecated and refused.
_LANGTAG = re.compile(
    r"""
    (?P<language>[a-z]{2,3}(-[a-z]{3}){0,3})
    (-(?P<script>[a-z]{4}))?
    (-(?P<region>[a-z]{2}|[0-9]{3}))?
    (-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
    (-[0-9a-wy-z](-[a-z0-9]{2,8})+)*
    (-x(-[a-z0-9]{1,8})+)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _language_tag(value: object) -> str:
    """A well-formed BCP 47 tag in canonical case: language lower, Script title, REGION upper."""
    text = _require_str(value).strip().replace("_", "-")
    match = _LANGTAG.fullmatch(text)
    if not match or len(text) > 35:
        raise invalid("must be a BCP 47 language tag such as en, es-MX or zh-Hant-TW")
    tag = text.lower()
    script, region = match.group("script"), match.group("region")
    start = len(match.group("language"))
    if script:
        tag = tag[:start] + "-" + script.title() + tag[start + 5 :]
        start += 5
    if region:
        tag = tag[:start] + "-" + region.upper() + tag[start + 1 + len(region) :]
    return tag


_JURISDICTION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")


def _jurisdiction(value: object) -> str:
    text = _require_str(value).strip().upper()
    if not _JURISDICTION.fullmatch(text):
        raise invalid("must be an ISO 3166 country or subdivision code such as US-TX or CA-ON")
    return text


_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def _contact_channel(value: object) -> str:
    """Where reminders go: an email address or an E.164 phone number ("+15551234567")."""
    text = _require_str(value).strip()
    if "@" in text:
        return _email(text)
    compact = "".join(ch for ch in text if ch not in " -().")
    if not _E164.fullmatch(compact):
        raise invalid("must be an email address or a phone number in international form (+15551234567)")
    return compact


Identifier = Annotated[str, BeforeValidator(_identifier)]
Username = Annotated[str, BeforeValidator(_username)]
DisplayName = Annotated[str, BeforeValidator(_display_name)]
AgencyName = Annotated[str, BeforeValidator(lambda v: _clean_text(v, max_len=MAX_AGENCY_NAME))]
Label = Annotated[str, BeforeValidator(lambda v: _clean_text(v, max_len=MAX_LABEL, min_len=0))]
Bio = Annotated[str, BeforeValidator(lambda v: _clean_text(v, max_len=MAX_BIO, min_len=0, multiline=True))]
CrisisLineText = Annotated[
    str, BeforeValidator(lambda v: _clean_text(v, max_len=MAX_CRISIS_LINE_TEXT, min_len=0, multiline=True))
]
ContactChannel = Annotated[str, BeforeValidator(_contact_channel)]
Email = Annotated[str, BeforeValidator(_email)]
TimeZoneName = Annotated[str, BeforeValidator(_time_zone)]
LanguageTag = Annotated[str, BeforeValidator(_language_tag)]
Jurisdiction = Annotated[str, BeforeValidator(_jurisdiction)]
