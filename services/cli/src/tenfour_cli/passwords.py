"""Passwords the CLI makes for new accounts."""

from __future__ import annotations

import secrets


def new_password() -> str:
    """A strong random password (160 bits); never a leading "-", which a command line reads as an option."""
    return "p" + secrets.token_urlsafe(20)
