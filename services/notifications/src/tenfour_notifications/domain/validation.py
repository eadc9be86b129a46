"""Checks of what people give us: email addresses, push subscriptions, webhook URLs."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from tenfour_shared.errors import FieldViolation, InvalidInput

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def email_address(value: str) -> str:
    """The normalized address, or INVALID_ARGUMENT naming the field (form only, no DNS: the
    confirmation link proves it works)."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput.single("address", f"not a valid email address: {exc}") from None


def b64url(value: str) -> bytes:
    padded = value.strip() + "=" * (-len(value.strip()) % 4)
    return base64.urlsafe_b64decode(padded.encode())


def _secure_url(field: str, url: str, allow_loopback_http: bool) -> list[FieldViolation]:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return []
    if parts.scheme == "http" and allow_loopback_http and parts.hostname in _LOOPBACK:
        return []
    return [FieldViolation(field, "must be an https:// address")]


def push_subscription(endpoint: str, p256dh: str, auth: str, allow_loopback_http: bool) -> None:
    problems = _secure_url("endpoint", endpoint, allow_loopback_http)
    if len(endpoint) > 2048:
        problems.append(FieldViolation("endpoint", "too long"))
    try:
        key = b64url(p256dh)
        if len(key) != 65 or key[0] != 4:
            problems.append(FieldViolation("p256dh", "must be an uncompressed P-256 public key (65 bytes)"))
    except (binascii.Error, ValueError):
        problems.append(FieldViolation("p256dh", "must be base64url"))
    try:
        if len(b64url(auth)) != 16:
            problems.append(FieldViolation("auth", "must be 16 bytes, base64url"))
    except (binascii.Error, ValueError):
        problems.append(FieldViolation("auth", "must be base64url"))
    if problems:
        raise InvalidInput(problems)


def webhook_url(url: str, allow_loopback_http: bool) -> None:
    problems = _secure_url("url", url, allow_loopback_http)
    if len(url) > 2048:
        problems.append(FieldViolation("url", "too long"))
    if problems:
        raise InvalidInput(problems)


def webhook_secret(secret: str) -> None:
    if not 32 <= len(secret) <= 128:
        raise InvalidInput.single("secret", "must be 32 to 128 characters (or empty to generate one)")


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
