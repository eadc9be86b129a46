"""Pure scheduling domain: rosters, fatigue rules and shift-aware slot search.

No I/O and no service imports (an import-linter contract keeps it so); the entrypoints
translate requests into these values and InvalidInput into INVALID_ARGUMENT.
"""

from tenfour_scheduling.domain.appointments import (
    OCCUPYING,
    AppointmentStatus,
    TransitionRefused,
    after_officer_joined,
    after_session_ended,
    check_transition,
    is_late_cancellation,
)
from tenfour_scheduling.domain.errors import FieldViolation, InvalidInput
from tenfour_scheduling.domain.fatigue import (
    BlockedInterval,
    BlockReason,
    DutyBlock,
    FatiguePolicy,
    OffDutyResult,
    off_duty_windows,
)
from tenfour_scheduling.domain.preferences import LocalHours, OfficerPreferences
from tenfour_scheduling.domain.providers import (
    Officer,
    ProviderKind,
    ProviderOffer,
    ProviderProfile,
    SessionOffer,
    SlotFilters,
)
from tenfour_scheduling.domain.rest import RestContext
from tenfour_scheduling.domain.roster import Override, OverrideKind, Roster, ShiftDefinition, ShiftKind
from tenfour_scheduling.domain.roster_ics import RosterImport, export_roster_ics, import_roster_ics
from tenfour_scheduling.domain.rotation import Shift, ShiftSource, is_duty_day, shifts
from tenfour_scheduling.domain.slot_check import SlotProblem, SlotProblemCode, check_slot
from tenfour_scheduling.domain.slots import (
    DEFAULT_HORIZON,
    MAX_HORIZON,
    EmptyReason,
    Slot,
    SlotSearchResult,
    find_slots,
)
from tenfour_scheduling.domain.templates import (
    TEMPLATES,
    RotationTemplate,
    roster_from_template,
    rotating_cycle,
)

__all__ = [
    "DEFAULT_HORIZON",
    "MAX_HORIZON",
    "OCCUPYING",
    "TEMPLATES",
    "AppointmentStatus",
    "BlockReason",
    "BlockedInterval",
    "DutyBlock",
    "EmptyReason",
    "FatiguePolicy",
    "FieldViolation",
    "InvalidInput",
    "LocalHours",
    "OffDutyResult",
    "Officer",
    "OfficerPreferences",
    "Override",
    "OverrideKind",
    "ProviderKind",
    "ProviderOffer",
    "ProviderProfile",
    "RestContext",
    "Roster",
    "RosterImport",
    "RotationTemplate",
    "SessionOffer",
    "Shift",
    "ShiftDefinition",
    "ShiftKind",
    "ShiftSource",
    "Slot",
    "SlotFilters",
    "SlotProblem",
    "SlotProblemCode",
    "SlotSearchResult",
    "TransitionRefused",
    "after_officer_joined",
    "after_session_ended",
    "check_slot",
    "check_transition",
    "export_roster_ics",
    "find_slots",
    "import_roster_ics",
    "is_duty_day",
    "is_late_cancellation",
    "off_duty_windows",
    "roster_from_template",
    "rotating_cycle",
    "shifts",
]
