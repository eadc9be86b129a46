"""Identity's Redis key names, and which keys share a hash tag (one Redis Cluster slot).

The directory (agencies, users, credentials, login names, enrolment codes, provider profiles,
MFA tickets) shares the `{dir}` tag: creating a user checks name uniqueness, consumes a code,
writes the user and its event in one atomic step, and the directory is small (one record per
person). High-volume, per-request data spreads over the cluster: each session (refresh-token
family) has its own tag, and so does each throttle counter.
"""

from __future__ import annotations

from tenfour_shared.events.outbox import outbox_key
from tenfour_shared.redis_store import Keys

SERVICE = "identity"
DIR = "dir"
keys = Keys(SERVICE)

OUTBOX = outbox_key(SERVICE, DIR)
AUDIT = keys("audit", DIR)
PROVIDERS = keys("providers", DIR)  # set of provider user ids
SYSTEM_ADMINS = keys("system-admins", DIR)  # set of system admin user ids


def agency(agency_id: str) -> str:
    return keys("agency", DIR, agency_id)


def user(user_id: str) -> str:
    return keys("user", DIR, user_id)


def credentials(user_id: str) -> str:
    return keys("cred", DIR, user_id)


def login_name(username: str) -> str:
    return keys("login", DIR, username)


def email(address: str) -> str:
    return keys("email", DIR, address.lower())


def contact(user_id: str) -> str:
    return keys("contact", DIR, user_id)


def provider(user_id: str) -> str:
    return keys("provider", DIR, user_id)


def user_sessions(user_id: str) -> str:
    return keys("sessions", DIR, user_id)


def agency_codes(agency_id: str) -> str:
    """Hash: code id -> code hash, the agency's codes for listing and revoking."""
    return keys("agency-codes", DIR, agency_id)


def code(code_hash: str) -> str:
    return keys("code", DIR, code_hash)


def code_stats(agency_id: str) -> str:
    return keys("code-stats", DIR, agency_id)


def mfa_pending(user_id: str) -> str:
    return keys("mfa-pending", DIR, user_id)


def mfa_ticket(ticket_hash: str) -> str:
    return keys("mfa-ticket", DIR, ticket_hash)


def family(family_id: str) -> str:
    return keys("family", family_id)


def refresh_record(family_id: str, token_hash: str) -> str:
    return keys("rtoken", family_id, token_hash)


def throttle(scope: str, digest: str) -> str:
    return keys("throttle", f"{scope}:{digest}")
