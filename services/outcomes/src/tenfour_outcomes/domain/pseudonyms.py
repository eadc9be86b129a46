"""Keyed pseudonyms: the read model joins an officer's enrolment, sessions and feedback
eligibility without holding their user id, nor the appointment or provider id.

HMAC-SHA256 under a service secret, truncated to 128 bits. Someone with the stored data but not
the key cannot test a known id against it; the key never leaves the service's settings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["Pseudonyms"]


class Pseudonyms:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the pseudonym key needs at least 32 bytes")
        self._key = key

    def _of(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}\x00{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    def officer(self, user_id: str) -> str:
        return self._of("officer", user_id)

    def provider(self, user_id: str) -> str:
        return self._of("provider", user_id)

    def appointment(self, appointment_id: str) -> str:
        return self._of("appointment", appointment_id)

    def event(self, event_id: str) -> str:
        return self._of("event", event_id)

    def tiebreak(self, event_id: str) -> str:
        """Orders two events of one millisecond; not joinable to the consumer's marks."""
        return self._of("tiebreak", event_id)[:8]

    def event_subject(self, subject: str) -> str:
        """For the consumer's processed-event marks: unlinkable to the facts' pseudonyms."""
        return self._of("subject", subject)
