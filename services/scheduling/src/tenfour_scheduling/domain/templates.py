"""Named rotation templates (BRIEF §2) and helpers to build rosters from them.

A roster stores the explicit cycle, never the name: names differ between agencies and
sources, so a template only fills in a cycle and shift times the officer can then edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from types import MappingProxyType

from tenfour_scheduling.domain.errors import InvalidInput
from tenfour_scheduling.domain.roster import OFF, Override, Roster, ShiftDefinition, ShiftKind
from tenfour_shared.text import excerpt

__all__ = ["TEMPLATES", "RotationTemplate", "roster_from_template", "rotating_cycle"]


@dataclass(frozen=True, slots=True)
class RotationTemplate:
    name: str
    title: str
    cycle: str
    definitions: Mapping[str, ShiftDefinition]


def _shift_set(length_h: float, day: time, swing: time, night: time) -> Mapping[str, ShiftDefinition]:
    # Every template defines all three letters so a squad can switch D to S or N (and swaps
    # can use them) without redefining times.
    length = timedelta(hours=length_h)
    return MappingProxyType(
        {
            "D": ShiftDefinition(start=day, length=length, kind=ShiftKind.DAY),
            "S": ShiftDefinition(start=swing, length=length, kind=ShiftKind.SWING),
            "N": ShiftDefinition(start=night, length=length, kind=ShiftKind.NIGHT),
        }
    )


# BRIEF §2: 12 h shifts run 07:00-19:00 / 19:00-07:00; 8 h ones 07-15 / 15-23 / 23-07. The
# brief gives no times for 10 h and 8.5 h shifts: these are common choices, editable per roster.
_TWELVE = _shift_set(12, time(7), time(13), time(19))
_TEN = _shift_set(10, time(7), time(15), time(21))
_EIGHT = _shift_set(8, time(7), time(15), time(23))
_EIGHT_HALF = _shift_set(8.5, time(7), time(15), time(23))


def _template(
    name: str, title: str, cycle: str, definitions: Mapping[str, ShiftDefinition]
) -> RotationTemplate:
    return RotationTemplate(name, title, cycle, definitions)


TEMPLATES: Mapping[str, RotationTemplate] = MappingProxyType(
    {
        t.name: t
        for t in (
            _template("pitman", "Pitman / Panama 2-2-3, 12 h", "DD--DDD--DD---", _TWELVE),
            _template("dupont", "DuPont, 12 h", "NNNN---DDD-NNN---DDDD-------", _TWELVE),
            _template("4-on-4-off", "4 on, 4 off, 12 h", "DDDD----", _TWELVE),
            _template("4-on-4-off-16", "4 on, 4 off, days then nights, 12 h", "DDDD----NNNN----", _TWELVE),
            _template("4-10", "4/10, 10 h", "DDDD---", _TEN),
            _template("5-2", "5/2, 8 h", "DDDDD--", _EIGHT),
            _template("6-3", "6/3, 8.5 h", "DDDDDD---", _EIGHT_HALF),
        )
    }
)
_ALIASES = {"panama": "pitman", "2-2-3": "pitman"}


def rotating_cycle(base: str, letters: str, repeats: int) -> str:
    """A base week pattern rotated through shift letters, e.g. 5/2 rotating day/swing/night
    every 4 weeks: ``rotating_cycle("DDDDD--", "DSN", 4)`` is an 84-day cycle."""
    work = {ch for ch in base if ch != OFF}
    if len(work) != 1 or repeats < 1 or not letters:
        raise InvalidInput.single("cycle", "a rotating cycle needs one work letter, letters and repeats >= 1")
    (letter,) = work
    return "".join(base.replace(letter, target) * repeats for target in letters)


def roster_from_template(
    name: str,
    *,
    anchor: date,
    zone: str,
    offset_days: int = 0,
    work_letter: str | None = None,
    overrides: Iterable[Override] = (),
) -> Roster:
    """A roster with the template's cycle and times; ``work_letter`` ("S"/"N") turns a
    single-letter template into its swing or night variant (e.g. a Pitman night squad)."""
    template = TEMPLATES.get(_ALIASES.get(name, name))
    if template is None:
        known = ", ".join(sorted([*TEMPLATES, *_ALIASES]))
        raise InvalidInput.single("template", f"unknown rotation template {excerpt(name)}; known: {known}")
    cycle = template.cycle
    if work_letter is not None:
        if len({ch for ch in cycle if ch != OFF}) != 1:
            raise InvalidInput.single(
                "work_letter", f"template {excerpt(name)} mixes shift letters; edit its cycle instead"
            )
        cycle = "".join(ch if ch == OFF else work_letter for ch in cycle)
    return Roster(
        definitions=dict(template.definitions),
        cycle=cycle,
        anchor=anchor,
        offset_days=offset_days,
        zone=zone,
        overrides=tuple(overrides),
    )
