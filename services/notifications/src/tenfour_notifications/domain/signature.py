"""Webhook signatures: HMAC-SHA256 over "<unix timestamp>.<raw body>" (Stripe's scheme), so a
receiver checks both authenticity and freshness (reject timestamps older than 5 minutes)."""

from __future__ import annotations

import hashlib
import hmac

HEADER_TIMESTAMP = "X-Tenfour-Timestamp"
HEADER_SIGNATURE = "X-Tenfour-Signature"
HEADER_DELIVERY = "X-Tenfour-Delivery"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, header: str, now: int) -> bool:
    """What a receiver does (documented in the README; used by the tests' receiver)."""
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in header.split(","))
