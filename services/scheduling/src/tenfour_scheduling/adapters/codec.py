"""Kept for imports written before the codec moved to ``tenfour_scheduling.codec``."""

from tenfour_scheduling.codec.policies import (
    policy_from_proto,
    policy_to_proto,
    preferences_from_proto,
    preferences_to_proto,
)
from tenfour_scheduling.codec.rosters import (
    MAX_OVERRIDES,
    roster_from_proto,
    roster_to_proto,
    shift_kind_to_proto,
    template_messages,
)
from tenfour_scheduling.codec.values import (
    duration,
    interval_from_proto,
    interval_to_proto,
    nonempty,
    timestamp,
)
from tenfour_scheduling.domain.policy import AgencyPolicy, StoredPreferences

__all__ = [
    "MAX_OVERRIDES",
    "AgencyPolicy",
    "StoredPreferences",
    "duration",
    "interval_from_proto",
    "interval_to_proto",
    "nonempty",
    "policy_from_proto",
    "policy_to_proto",
    "preferences_from_proto",
    "preferences_to_proto",
    "roster_from_proto",
    "roster_to_proto",
    "shift_kind_to_proto",
    "template_messages",
    "timestamp",
]
