"""A person's channel choices and quiet hours, with the defaults of someone who never chose."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tenfour_notifications.domain.model import Category, Channel
from tenfour_shared.errors import FieldViolation, InvalidInput
from tenfour_shared.timeline import load_zone

_ALL = frozenset({Channel.IN_APP, Channel.WEB_PUSH, Channel.EMAIL})
_APP_PUSH = frozenset({Channel.IN_APP, Channel.WEB_PUSH})
DEFAULT_CHANNELS: dict[Category, frozenset[Channel]] = {
    Category.REMINDERS: _ALL,
    Category.CHANGES: _ALL,
    Category.URGENT: _ALL,
    Category.WAITING_ROOM: _APP_PUSH,
    Category.SEATS: _APP_PUSH,
    Category.ACCOUNT: _ALL,
}


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time  # end <= start runs past midnight
    timezone: str

    def __post_init__(self) -> None:
        try:
            load_zone(self.timezone)  # ZoneInfo raises OSError for an over-long name, not only ValueError
        except ValueError:
            raise InvalidInput.single(
                "preferences.quiet_hours.timezone", "not a known time zone (e.g. America/Chicago)"
            ) from None

    def quiet_until(self, now: datetime) -> datetime | None:
        """The end of the quiet period `now` falls in (UTC instant), or None when not quiet."""
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        if self.start == self.end:
            return None
        # Candidate quiet periods starting yesterday and today (local dates), end resolved
        # through the zone so DST days are counted in wall-clock time.
        for days_back in (1, 0):
            day = local.date() - timedelta(days=days_back)
            begin = datetime.combine(day, self.start, zone)
            end_day = day if self.end > self.start else day + timedelta(days=1)
            finish = datetime.combine(end_day, self.end, zone)
            if begin <= local < finish:
                return finish.astimezone(now.tzinfo)
        return None


@dataclass(frozen=True, slots=True)
class Preferences:
    channels: dict[Category, frozenset[Channel]] = field(default_factory=lambda: dict(DEFAULT_CHANNELS))
    quiet_hours: QuietHours | None = None
    detailed_content: bool = False

    def channels_for(self, category: Category) -> frozenset[Channel]:
        chosen = self.channels.get(category, DEFAULT_CHANNELS[category])
        return chosen | {Channel.IN_APP}  # in-app is always on

    @staticmethod
    def build(
        channels: dict[Category, frozenset[Channel]],
        quiet_hours: QuietHours | None,
        detailed_content: bool,
    ) -> Preferences:
        problems = [
            FieldViolation("preferences.channels", "webhooks are for agencies, not a person's choice")
            for chosen in channels.values()
            if Channel.WEBHOOK in chosen
        ]
        if problems:
            raise InvalidInput(problems[:1])
        merged = dict(DEFAULT_CHANNELS)
        merged.update({c: chosen | {Channel.IN_APP} for c, chosen in channels.items()})
        return Preferences(merged, quiet_hours, detailed_content)
