"""Quoting caller input in messages (pure: used by domains and the error mapping alike)."""

from __future__ import annotations

__all__ = ["excerpt"]


def excerpt(value: object, limit: int = 24) -> str:
    """A short, printable excerpt of caller input for an error message, quoted.

    Error texts travel in response trailers (8 KiB limit) and end up in client logs, so input
    is never echoed whole: control and non-ASCII characters are escaped and the rest cut.
    """
    text = str(value)
    clipped = text[:limit].encode("ascii", "backslashreplace").decode("ascii")
    clipped = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in clipped)
    return f"'{clipped}…'" if len(text) > limit else f"'{clipped}'"
