"""Words for each kind of notification.

Neutral by default, because a lock screen, a shared inbox or a family tablet may show them:
nothing says therapy, counselling, clinician or names a provider ("Tenfour: reminder",
"an appointment"). Recipients who turned on detailed content get the plain words. Every
message links back into the app, where the details are behind sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tenfour_notifications.domain.model import Intent

# Words that must never appear in neutral text (checked by the unit tests for every kind).
SENSITIVE_WORDS = ("therap", "counsel", "clinic", "psych", "crisis", "mental", "trauma", "peer support")


@dataclass(frozen=True, slots=True)
class Wording:
    title: str
    body: str
    link: str


def _when(at: datetime | None, zone: str) -> str:
    if at is None:
        return "soon"
    local = at.astimezone(ZoneInfo(zone or "UTC"))
    label = local.tzname() or zone
    return f"{local:%a %d %b, %H:%M} {label}"


def word(intent: Intent, detailed: bool, zone: str) -> Wording:
    """Title, body and in-app link for one recipient."""
    when = _when(intent.starts_at, zone)
    appointments = "/#/appointments"
    call = f"/#/call/{intent.appointment_id}" if intent.appointment_id else appointments
    who = intent.facts.get("provider_name", "")
    session = "session" if not detailed else (f"session with {who}" if who else "counselling session")
    thing = "appointment" if not detailed else session
    k = intent.kind
    if k == "reminder":
        return Wording("Tenfour: reminder", f"Your {thing} starts {when}.", appointments)
    if k == "appointment_booked":
        return Wording("Tenfour: update", f"A new {thing} was booked for {when}.", appointments)
    if k == "appointment_cancelled":
        return Wording("Tenfour: update", f"The {thing} on {when} was cancelled.", appointments)
    if k == "appointment_moved":
        return Wording("Tenfour: update", f"An {thing} moved to {when}.", appointments)
    if k == "appointment_conflict":
        return Wording(
            "Tenfour: please check",
            f"A schedule change clashes with your {thing} on {when}. Open Tenfour to pick another time.",
            # The officer's conflicts page: other times by day, one tap to move (scheduling's review_path).
            f"/#/conflicts/{intent.appointment_id}" if intent.appointment_id else appointments,
        )
    if k == "waiting_room":
        return Wording("Tenfour: someone is waiting", f"Someone is waiting for the {thing} at {when}.", call)
    if k == "seat_freed":
        group = "group" if not detailed else "group session"
        return Wording(
            "Tenfour: a place opened up", f"A place opened up in the {group} on {when}.", appointments
        )
    if k == "training_seated":
        # A training session for staff (issue 23): neutral, as any calendar entry.
        return Wording(
            "Tenfour: training session",
            f"You have a seat in a training session on {when}.",
            "/#/my-trainings",
        )
    if k == "urgent_offered":
        detail = "An officer asked for urgent support" if detailed else "Someone asked to talk now"
        return Wording("Tenfour: urgent request", f"{detail}. Open Tenfour to respond.", appointments)
    if k == "urgent_assigned_provider":
        return Wording("Tenfour: urgent, open now", "An urgent request is yours. Open the room now.", call)
    if k == "urgent_assigned_officer":
        return Wording("Tenfour", "Someone is ready for you. Open Tenfour to join.", call)
    if k == "urgent_escalated_officer":
        line = intent.facts.get("crisis_line_text", "")
        body = "We are still finding someone for you." + (f" You can also call: {line}" if line else "")
        return Wording("Tenfour", body, appointments)
    if k == "urgent_escalated_admin":
        code = intent.facts.get("case_code", "")
        suffix = f" Case {code}." if code else ""
        return Wording(
            "Tenfour: urgent request waiting", f"An urgent request has waited too long.{suffix}", appointments
        )
    if k in ("training_lapsing_provider", "training_lapsed_provider"):
        # A peer's own required training (scheduling's readiness): their status page says which.
        due = (
            f"expires {_when(intent.starts_at, zone)}" if k == "training_lapsing_provider" else "has expired"
        )
        return Wording("Tenfour: training due", f"A training your role requires {due}.", "/#/readiness")
    if k in ("training_lapsing_admin", "training_lapsed_admin"):
        due = f"expires {_when(intent.starts_at, zone)}" if k == "training_lapsing_admin" else "has expired"
        return Wording(
            "Tenfour: training due",
            f"A team member's required training {due}. Open Tenfour to see who.",
            "/#/training",
        )
    if k == "referral_proposed":
        return Wording(
            "Tenfour: a suggestion for you",
            "A colleague left you a suggestion in Tenfour. Nothing happens unless you agree.",
            "/#/referrals",
        )
    if k == "referral_queued":
        return Wording(
            "Tenfour: a new referral",
            "A new referral is in your queue. Open Referrals in Tenfour.",
            "/#/referred",
        )
    if k == "referral_times_requested":
        return Wording(
            "Tenfour: times asked for",
            "A person referred to you asks you to propose times. Open Referrals in Tenfour.",
            "/#/referred",
        )
    if k == "referral_times_proposed":
        return Wording(
            "Tenfour: times for you",
            "Times are waiting for you in Tenfour. Nothing is booked until you pick one.",
            "/#/referrals",
        )
    if k == "waitlist_offered":
        return Wording(
            "Tenfour: a time is free",
            f"A time you were waiting for is free ({_when(intent.starts_at, zone)}). "
            "It is held for you for 15 minutes: confirm it in Tenfour.",
            "/#/waitlist",
        )
    if k == "licence_expiring_provider":
        due = f"expires {_when(intent.starts_at, zone)}"
        return Wording("Tenfour: licence renewal", f"A licence on your profile {due}.", "/#/my-licences")
    if k == "licence_expiring_admin":
        due = f"expires {_when(intent.starts_at, zone)}"
        return Wording(
            "Tenfour: licence renewal",
            f"A team member's licence {due}. Open Tenfour to see whose.",
            "/#/licences",
        )
    if k == "calendar_feed_paused":
        # The provider's own busy-calendar subscription (availability); the page shows the error.
        return Wording(
            "Tenfour: calendar sync paused",
            "Your calendar link could not be read several times, so syncing has stopped. "
            "Open Tenfour to check it.",
            "/#/import",
        )
    if k == "campaign_invitation":
        told = " Your agency will learn only whether you attended." if intent.facts.get("attendance") else ""
        return Wording(
            "Tenfour: check-in invitation",
            f"Your agency invites everyone to book a check-in that fits their shifts, before {when}.{told}",
            "/#/checkin",
        )
    if k == "test":
        return Wording("Tenfour: test", "Notifications reach you here.", "/#/notifications")
    raise ValueError(f"no wording for kind {k!r}")


def public_kind(kind: str) -> str:
    """The kind clients see (Notification.kind): the audience suffix is ours only."""
    for suffix in ("_provider", "_officer", "_admin"):
        if kind.endswith(suffix):
            return kind[: -len(suffix)]
    return kind
