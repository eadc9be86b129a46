"""Rosters and rotation templates: the Roster message to a validated domain Roster and back,
with violations named by the message's field paths (``shifts[1].length``)."""

from datetime import date
from typing import Any

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.codec.values import FieldReader, duration, local_date, local_time, renamed, split_path
from tenfour_scheduling.domain import (
    TEMPLATES,
    InvalidInput,
    OverrideKind,
    Roster,
    ShiftDefinition,
    ShiftKind,
    roster_from_template,
)
from tenfour_shared.text import excerpt

__all__ = [
    "MAX_OVERRIDES",
    "roster_from_proto",
    "roster_to_proto",
    "shift_kind_to_proto",
    "template_messages",
]

_KINDS = {
    ShiftKind.DAY: pb.SHIFT_KIND_DAY,
    ShiftKind.SWING: pb.SHIFT_KIND_SWING,
    ShiftKind.NIGHT: pb.SHIFT_KIND_NIGHT,
}
_KIND_OF = {int(v): k for k, v in _KINDS.items()}
_OVERRIDES = {
    pb.OVERRIDE_KIND_OVERTIME: OverrideKind.OVERTIME,
    pb.OVERRIDE_KIND_COURT: OverrideKind.COURT,
    pb.OVERRIDE_KIND_TRAINING: OverrideKind.TRAINING,
    pb.OVERRIDE_KIND_LEAVE: OverrideKind.LEAVE,
    pb.OVERRIDE_KIND_SICK: OverrideKind.SICK,
    pb.OVERRIDE_KIND_SHIFT: OverrideKind.SHIFT,
}
_OVERRIDE_OF = {k: v for v, k in _OVERRIDES.items()} | {
    OverrideKind.SWAP_IN: pb.OVERRIDE_KIND_SWAP,
    OverrideKind.SWAP_OUT: pb.OVERRIDE_KIND_SWAP,
}
# Domain field -> message field, for paths the two name differently.
_ROSTER_FIELDS = {"zone": "timezone"}
_OVERRIDE_FIELDS = {"day": "date"}
_POLICY_FIELDS = {
    "night_sleep_length": "sleep_after_night",
    "night_sleep_delay": "sleep_start_after_night",
    "min_rest_between_shifts": "min_rest_gap",
}
MAX_OVERRIDES = 2000


def _template_parts(name: str) -> tuple[str, dict[str, ShiftDefinition]]:
    """The cycle and shift definitions of a named template (aliases included)."""
    try:
        built = roster_from_template(name, anchor=date(2000, 1, 1), zone="UTC")
    except InvalidInput as exc:
        raise InvalidInput.single("template", exc.violations[0].description) from None
    return built.cycle, dict(built.definitions)


def roster_from_proto(msg: pb.Roster) -> Roster:
    """A validated roster; violations name the Roster message's fields (``shifts[1].length``)."""
    reader = FieldReader()
    given: dict[str, int] = {}
    definitions: dict[str, Any] = {}
    for i, s in enumerate(msg.shifts):
        path = f"shifts[{i}]"
        if s.letter in given:
            reader.fail(f"{path}.letter", f"letter {excerpt(s.letter)} is defined twice")
        given.setdefault(s.letter, i)
        kind = _KIND_OF.get(s.kind)
        if kind is None:
            reader.fail(f"{path}.kind", "is required: SHIFT_KIND_DAY, _SWING or _NIGHT")
        length = reader.span(s, "length", path)
        if length is None and not s.HasField("length"):
            reader.fail(f"{path}.length", "is required")
        definitions[s.letter] = {"start": reader.clock(s, "start", path), "length": length, "kind": kind}
    cycle = msg.cycle
    from_template: set[str] = set()
    if msg.template:
        try:
            template_cycle, template_defs = _template_parts(msg.template)
        except InvalidInput as exc:
            reader.problems.extend(exc.violations)
            template_cycle, template_defs = "", {}
        cycle = cycle or template_cycle
        from_template = set(template_defs) - set(definitions)
        definitions = {letter: d.model_dump() for letter, d in template_defs.items()} | definitions
    elif not msg.shifts and any(ch != "-" for ch in cycle):
        reader.fail("shifts", "define every letter of the cycle (or name a template)")
    overrides = [_override_data(o, f"overrides[{i}]", reader) for i, o in enumerate(msg.overrides)]
    if len(msg.overrides) > MAX_OVERRIDES:
        reader.fail("overrides", f"at most {MAX_OVERRIDES} overrides")
    anchor = reader.day(msg, "anchor", "", required=False)

    def rename(path: str) -> str:
        head, rest = split_path(path)
        if head == "definitions":
            letter, _, field = rest.partition(".")
            if letter in from_template:
                return "template"
            if letter in given:
                return f"shifts[{given[letter]}]" + (f".{field}" if field else ".letter")
            return "shifts"
        if head.startswith("overrides["):
            return f"{head}.{_OVERRIDE_FIELDS.get(rest, rest)}" if rest else head
        return _ROSTER_FIELDS.get(path, path)

    data = {
        "definitions": definitions,
        "cycle": cycle,
        "offset_days": msg.offset_days,
        "zone": msg.timezone,
        "overrides": overrides,
        **({"anchor": anchor} if anchor is not None else {}),
    }
    try:
        roster = Roster.parse(data)
    except InvalidInput as exc:
        # Everything wrong at once; what conversion already reported is not repeated.
        seen = {v.field for v in reader.problems}
        if "template" in seen:  # an unknown template leaves the cycle and letters undefined
            seen |= {"cycle", "shifts"}
        reader.problems.extend(v for v in renamed(exc, rename).violations if v.field not in seen)
    reader.raise_if_any()
    return roster


def _override_data(msg: pb.RosterOverride, path: str, reader: FieldReader) -> dict[str, Any]:
    if msg.kind == pb.OVERRIDE_KIND_SWAP:
        kind: OverrideKind | None = OverrideKind.SWAP_IN if msg.adds_duty else OverrideKind.SWAP_OUT
    else:
        kind = _OVERRIDES.get(msg.kind)
    if kind is None:
        reader.fail(f"{path}.kind", "is required")
    data: dict[str, Any] = {
        "kind": kind,
        "day": reader.day(msg, "date", path),
        "start": reader.clock(msg, "start", path, required=False),
        "length": reader.span(msg, "length", path),
        "through": reader.day(msg, "through", path, required=False),
    }
    if msg.shift_kind:
        data["shift_kind"] = _KIND_OF.get(msg.shift_kind)
    return data


def roster_to_proto(roster: Roster, *, officer_id: str, template: str = "", version: int = 0) -> pb.Roster:
    """The canonical message: every letter's definition explicit, overrides in stored order."""
    msg = pb.Roster(
        officer_id=officer_id,
        cycle=roster.cycle,
        anchor=local_date(roster.anchor),
        offset_days=roster.offset_days,
        timezone=roster.zone,
        template=template,
        version=version,
    )
    for letter in sorted(roster.definitions):
        d = roster.definitions[letter]
        msg.shifts.add(
            letter=letter, start=local_time(d.start), length=duration(d.length), kind=_KINDS[d.kind]
        )
    for o in roster.overrides:
        out = msg.overrides.add(kind=_OVERRIDE_OF[o.kind], date=local_date(o.day), adds_duty=o.kind.adds_duty)
        if o.start is not None:
            out.start.CopyFrom(local_time(o.start))
        if o.length is not None:
            out.length.CopyFrom(duration(o.length))
        if o.through is not None:
            out.through.CopyFrom(local_date(o.through))
        if o.shift_kind is not None:
            out.shift_kind = _KINDS[o.shift_kind]
    return msg


def shift_kind_to_proto(kind: ShiftKind) -> pb.ShiftKind.ValueType:
    return _KINDS[kind]


def template_messages() -> list[pb.RotationTemplate]:
    out = []
    for name, t in TEMPLATES.items():
        msg = pb.RotationTemplate(name=name, cycle=t.cycle, description=t.title)
        for letter in sorted(t.definitions):
            d = t.definitions[letter]
            msg.shifts.add(
                letter=letter, start=local_time(d.start), length=duration(d.length), kind=_KINDS[d.kind]
            )
        out.append(msg)
    return out
