"""Why a time is offered, as stable codes with values: clients put them in the reader's language
(the web app's catalog), the English text stays for logs, the CLI and older clients.

Values are plain strings a client can format: spans as whole minutes, times of day as HH:MM,
shift kinds as the roster's words (day, swing, night), counts as numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time, timedelta

from tenfour_scheduling.domain.fatigue import format_span

__all__ = ["Reason", "joined"]


def _minutes(span: timedelta) -> str:
    return str(abs(int(span.total_seconds())) // 60)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str  # English
    params: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def day_off_after_waking(span: timedelta) -> Reason:
        return Reason(
            "day_off_after_waking",
            f"day off, {format_span(span)} after waking",
            (("minutes", _minutes(span)),),
        )

    @staticmethod
    def day_off_before_waking(span: timedelta) -> Reason:
        return Reason(
            "day_off_before_waking",
            f"day off, {format_span(span)} before your usual waking time",
            (("minutes", _minutes(span)),),
        )

    @staticmethod
    def before_shift(kind: str, span: timedelta) -> Reason:
        return Reason(
            "before_shift",
            f"before {kind} shift, {format_span(span)} before it starts",
            (("kind", kind), ("minutes", _minutes(span))),
        )

    @staticmethod
    def after_shift(kind: str, span: timedelta) -> Reason:
        return Reason(
            "after_shift",
            f"after {kind} shift, {format_span(span)} after it ends",
            (("kind", kind), ("minutes", _minutes(span))),
        )

    @staticmethod
    def on_duty_day() -> Reason:
        return Reason("on_duty_day", "on a duty day")

    @staticmethod
    def preferred_hours() -> Reason:
        return Reason("preferred_hours", "within your preferred hours")

    @staticmethod
    def current_provider() -> Reason:
        return Reason("current_provider", "your current provider")

    @staticmethod
    def group_seats(free: int, capacity: int) -> Reason:
        return Reason(
            "group_seats",
            f"group session, {free} of {capacity} seats open",
            (("free", str(free)), ("capacity", str(capacity))),
        )

    @staticmethod
    def fits_rest_rules() -> Reason:
        return Reason("fits_rest_rules", "fits your rest and duty rules")

    # Alternatives to a session in conflict.
    @staticmethod
    def tier(code: str, text: str) -> Reason:
        return Reason(code, text)

    @staticmethod
    def same_time_of_day() -> Reason:
        return Reason("same_time_of_day", "same time of day as before")

    @staticmethod
    def close_to_usual(at: time) -> Reason:
        return Reason("close_to_usual", f"close to your usual {at:%H:%M}", (("time", f"{at:%H:%M}"),))

    @staticmethod
    def nearest_that_day() -> Reason:
        return Reason("nearest_that_day", "nearest fitting time that day")

    @staticmethod
    def no_other_day() -> Reason:
        return Reason("no_other_day", "no other day fits")


def joined(reasons: Iterable[Reason]) -> str:
    """The English sentence of several reasons: "day off, 3 h after waking; your current provider"."""
    return "; ".join(r.text for r in reasons if r.text)
