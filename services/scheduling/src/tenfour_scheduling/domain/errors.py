"""Scheduling's errors over the shared error model (tenfour_shared.errors maps each kind to a
gRPC status in one place).

Every violation names the offending field with a path (``cycle``, ``definitions.D.length``,
``overrides[2].start``) so an entrypoint can map it one-to-one onto a ``BadRequest``.
"""

from __future__ import annotations

from pydantic import ValidationError

from tenfour_shared.errors import FieldViolation, InvalidInput, WrongState, join_path

__all__ = [
    "CannotBook",
    "FieldViolation",
    "InvalidInput",
    "NoRoster",
    "NotBookableNow",
    "OutsideProviderHours",
    "OutsideRoster",
    "OverLimit",
    "SlotTaken",
    "cannot_book",
    "invalid_from_model",
]


def invalid_from_model(exc: ValidationError) -> InvalidInput:
    """A pydantic model's errors in scheduling's words: `X is required`, our validators' text."""
    violations = []
    for err in exc.errors(include_url=False):
        path = _path(err["loc"])
        if err["type"] == "missing":
            message = f"{str(err['loc'][-1]).replace('_', ' ')} is required"
        elif err["type"] in ("value_error", "assertion_error"):
            # Our own validators raise ValueError; keep their text without pydantic's prefix.
            message = str(err.get("ctx", {}).get("error", err["msg"]))
        else:
            message = err["msg"]
        violations.append(FieldViolation(path, message))
    return InvalidInput(violations)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out = f"{out}[{part}]" if isinstance(part, int) else join_path(out, str(part))
    return out


class NoRoster(WrongState):
    """The officer has no shift roster yet: sessions are fitted around it."""


class CannotBook(WrongState):
    """This time cannot be booked; `code` says why in a word the web app and CLI translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"cannot book this time: {message} ({code})")
        self.code = code


class SlotTaken(CannotBook):
    """The provider or the officer is booked at this time (perhaps just now, by someone else)."""


class OutsideRoster(CannotBook):
    """The time collides with the officer's shifts, their buffers, protected sleep or rest."""


class OutsideProviderHours(CannotBook):
    """The provider does not work then (or a peer supporter is on duty themselves)."""


class OverLimit(CannotBook):
    """A daily or weekly session limit of the provider or the officer is reached."""


class NotBookableNow(CannotBook):
    """Too soon, too far ahead, a session type not offered, or a provider not taking bookings."""


_KINDS: dict[str, type[CannotBook]] = {
    "provider_busy": SlotTaken,
    "officer_busy": SlotTaken,
    "on_duty": OutsideRoster,
    "pre_shift_buffer": OutsideRoster,
    "post_shift_buffer": OutsideRoster,
    "protected_sleep": OutsideRoster,
    "quick_return": OutsideRoster,
    "outside_provider_hours": OutsideProviderHours,
    "peer_off_duty_rules": OutsideProviderHours,
    "provider_limit": OverLimit,
    "officer_day_limit": OverLimit,
}


def cannot_book(code: str, message: str) -> CannotBook:
    """The error for a booking problem `code` (a SlotProblemCode value or provider_unavailable)."""
    return _KINDS.get(code, NotBookableNow)(code, message)
