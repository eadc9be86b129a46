"""Officers' side of scheduling: rosters, slot search, booking, and everyone's appointment list."""

from __future__ import annotations

import argparse
import uuid
from datetime import date, datetime
from typing import Any

from rich.console import Console

from tenfour.common.v1 import common_pb2 as common
from tenfour.identity.v1 import identity_pb2 as idp
from tenfour.scheduling.v1 import appointments_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as scp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import proto_dict, timestamp_text, timestamp_utc
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import (
    duration_pb,
    local_date_pb,
    local_time_pb,
    parse_date,
    parse_duration,
    parse_instant,
    timestamp_pb,
)

__all__ = ["PROVIDER_KINDS", "SESSION_TYPES", "register"]

SESSION_TYPES = {
    "individual": common.SESSION_TYPE_INDIVIDUAL,
    "group": common.SESSION_TYPE_GROUP,
    "crisis": common.SESSION_TYPE_CRISIS,
}
PROVIDER_KINDS = {"therapist": common.PROVIDER_KIND_THERAPIST, "peer": common.PROVIDER_KIND_PEER}
SHIFT_KINDS = {"day": scp.SHIFT_KIND_DAY, "swing": scp.SHIFT_KIND_SWING, "night": scp.SHIFT_KIND_NIGHT}


def register(commands: Commands, common_opts: list[Any]) -> None:
    roster = commands.add_parser("roster", help="your shift rotation (officers, peer supporters)")
    roster_cmds = roster.add_subparsers(dest="roster_command", required=True, metavar="COMMAND")
    set_ = roster_cmds.add_parser(
        "set",
        parents=common_opts,
        help="set your roster from a template or an explicit cycle",
        description="e.g. `tenfour roster set --template pitman --anchor 2026-01-05 --zone America/Chicago`. "
        "The anchor is a date on which your squad is at cycle position --offset.",
    )
    set_.add_argument(
        "--template", default="", help="pitman, dupont, 4-on-4-off, ... (`tenfour roster templates`)"
    )
    set_.add_argument("--cycle", default="", help="explicit cycle, e.g. DD--DDD--DD--- ('-' = off)")
    set_.add_argument(
        "--shift",
        action="append",
        default=[],
        metavar="L=HH:MM/LENGTH[/KIND]",
        help="define a letter, e.g. N=19:00/12h/night (repeat)",
    )
    set_.add_argument("--anchor", default="", help="YYYY-MM-DD (default today)")
    set_.add_argument("--offset", type=int, default=0, help="cycle position on the anchor date (0)")
    set_.add_argument("--zone", required=True, help="IANA zone, e.g. America/Chicago")
    set_.add_argument("--officer", default="", help=argparse.SUPPRESS)
    set_.set_defaults(handler=run_roster_set)

    show = roster_cmds.add_parser("show", parents=common_opts, help="your roster")
    show.set_defaults(handler=run_roster_show)
    templates = roster_cmds.add_parser("templates", parents=common_opts, help="the rotation templates")
    templates.set_defaults(handler=run_templates)

    slots = commands.add_parser("slots", help="bookable sessions that fit around your shifts and sleep")
    slots_cmds = slots.add_subparsers(dest="slots_command", required=True, metavar="COMMAND")
    find = slots_cmds.add_parser("find", parents=common_opts, help="find slots (officers, peer supporters)")
    _slot_filters(find)
    find.set_defaults(handler=run_slots_find)

    book = commands.add_parser(
        "book",
        parents=common_opts,
        help="book a session (a slot from `tenfour slots find`, or --first-available)",
    )
    book.add_argument("--provider", default="", help="provider id")
    book.add_argument("--start", default="", help="ISO 8601 start, e.g. 2026-11-25T18:30:00Z")
    book.add_argument("--first-available", action="store_true", help="book the best slot `slots find` offers")
    book.add_argument(
        "--idempotency-key",
        default="",
        help="retrying with the same key books once (default: a new random key, printed)",
    )
    _slot_filters(book)
    book.set_defaults(handler=run_book)

    appointments = commands.add_parser("appointments", help="your appointments")
    appointments_cmds = appointments.add_subparsers(
        dest="appointments_command", required=True, metavar="COMMAND"
    )
    list_ = appointments_cmds.add_parser("list", parents=common_opts, help="your appointments (from now)")
    list_.add_argument("--past", action="store_true", help="include past ones")
    list_.add_argument("--from", dest="range_from", default="", help="ISO 8601 start of the range")
    list_.add_argument("--to", dest="range_to", default="", help="ISO 8601 end of the range")
    list_.set_defaults(handler=run_appointments_list)


def _slot_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--type", choices=sorted(SESSION_TYPES), default="individual", help="session type")
    parser.add_argument("--kind", choices=sorted(PROVIDER_KINDS), default=None, help="therapist or peer")
    parser.add_argument("--specialty", action="append", default=[], help="provider has all of them (repeat)")
    parser.add_argument(
        "--language", action="append", default=[], help="provider speaks one of them (repeat)"
    )
    parser.add_argument("--gender", default="")
    parser.add_argument("--competent", action="store_true", help="first-responder competent providers only")
    parser.add_argument("--licensed", action="store_true", help="licensed in my jurisdiction")
    parser.add_argument("--continuity", action="store_true", help="only my current provider")
    parser.add_argument("--horizon-days", type=int, default=0, help="how far ahead (default 14, at most 90)")
    parser.add_argument("--limit", type=int, default=0, help="how many (default 20)")


def _find_request(a: argparse.Namespace) -> scp.FindSlotsRequest:
    request = scp.FindSlotsRequest(
        session_type=SESSION_TYPES[a.type],
        filters=scp.SlotFilters(
            provider_kind=PROVIDER_KINDS[a.kind] if a.kind else common.PROVIDER_KIND_UNSPECIFIED,
            specialties=a.specialty,
            languages=a.language,
            gender=a.gender,
            first_responder_competent=a.competent,
            licensed_in_my_jurisdiction=a.licensed,
            continuity=a.continuity,
        ),
        limit=a.limit,
    )
    if a.horizon_days:
        request.horizon.CopyFrom(duration_pb(parse_duration(f"{a.horizon_days}d")))
    return request


def _shift(text: str) -> scp.ShiftDefinition:
    letter, sep, rest = text.partition("=")
    parts = rest.split("/")
    if not sep or len(letter) != 1 or len(parts) not in (2, 3):
        raise CliError(f"--shift: {text!r} is not like N=19:00/12h/night", Exit.USAGE)
    kind = scp.SHIFT_KIND_UNSPECIFIED
    if len(parts) == 3:
        if parts[2] not in SHIFT_KINDS:
            raise CliError(f"--shift: kind must be one of {', '.join(SHIFT_KINDS)}", Exit.USAGE)
        kind = SHIFT_KINDS[parts[2]]
    return scp.ShiftDefinition(
        letter=letter.upper(),
        start=local_time_pb(parts[0], "--shift"),
        length=duration_pb(parse_duration(parts[1], "--shift")),
        kind=kind,
    )


def _roster_rows(roster: scp.Roster) -> list[tuple[str, object]]:
    shifts = ", ".join(
        f"{s.letter} {s.start.hour:02d}:{s.start.minute:02d} +{s.length.ToTimedelta()}" for s in roster.shifts
    )
    anchor = roster.anchor
    return [
        ("template", roster.template or "-"),
        ("cycle", f"{roster.cycle}  ({len(roster.cycle)} days)"),
        ("shifts", shifts or "-"),
        ("anchor", f"{anchor.year:04d}-{anchor.month:02d}-{anchor.day:02d} at position {roster.offset_days}"),
        ("zone", roster.timezone),
        ("overrides", len(roster.overrides)),
        ("version", roster.version),
    ]


def run_roster_set(ctx: Context) -> int:
    a = ctx.args
    if not a.template and not a.cycle:
        raise CliError("give --template or --cycle (with --shift for each letter)", Exit.USAGE)
    anchor = parse_date(a.anchor, "--anchor") if a.anchor else date.today()
    roster = scp.Roster(
        officer_id=a.officer,
        template=a.template,
        cycle=a.cycle,
        shifts=[_shift(s) for s in a.shift],
        anchor=local_date_pb(anchor),
        offset_days=a.offset,
        timezone=a.zone,
    )
    stored = call(
        ctx.clients.scheduling.SetRoster,
        scp.SetRosterRequest(roster=roster),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
    )

    def render(console: Console) -> None:
        console.print("[bold green]Roster set[/]")
        console.print(ctx.out.pairs(_roster_rows(stored)))

    ctx.out.emit({"roster": proto_dict(stored)}, render)
    return Exit.OK


def run_roster_show(ctx: Context) -> int:
    roster = call(
        ctx.clients.scheduling.GetRoster, scp.GetRosterRequest(), metadata=ctx.metadata(), timeout=ctx.timeout
    )
    ctx.out.emit({"roster": proto_dict(roster)}, lambda c: c.print(ctx.out.pairs(_roster_rows(roster))))
    return Exit.OK


def run_templates(ctx: Context) -> int:
    reply = call(
        ctx.clients.scheduling.ListRotationTemplates,
        scp.ListRotationTemplatesRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
    )
    rows = [(t.name, t.cycle, len(t.cycle), t.description) for t in reply.templates]
    ctx.out.emit(
        {"templates": [proto_dict(t) for t in reply.templates]},
        lambda c: c.print(
            ctx.out.table("Rotation templates", ("name", "cycle", "days", "description"), rows)
        ),
    )
    return Exit.OK


def _kind_name(kind: common.ProviderKind.ValueType) -> str:
    return {v: k for k, v in PROVIDER_KINDS.items()}.get(kind, "-")


def _find(ctx: Context) -> scp.FindSlotsResponse:
    return call(
        ctx.clients.scheduling.FindSlots,
        _find_request(ctx.args),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="slot search",
    )


def run_slots_find(ctx: Context) -> int:
    reply = _find(ctx)
    data = {
        "slots": [proto_dict(s) for s in reply.slots],
        "empty_reason": reply.empty_reason,
        "empty_reason_code": reply.empty_reason_code,
    }

    def render(console: Console) -> None:
        if not reply.slots:
            console.print(
                f"No slots: {reply.empty_reason or 'nothing matched'} ({reply.empty_reason_code or '-'})"
            )
            return
        rows = [
            (
                i + 1,
                datetime.fromisoformat(s.local_start).strftime("%a %Y-%m-%d %H:%M") if s.local_start else "-",
                s.provider_display_name or "-",
                _kind_name(s.provider_kind),
                s.reason,
                f"--provider {s.provider_id} --start {timestamp_utc(s.time.start).isoformat()}",
            )
            for i, s in enumerate(reply.slots)
        ]
        console.print(
            ctx.out.table(
                "Slots (your local time)", ("#", "when", "with", "kind", "why it fits", "book with"), rows
            )
        )

    ctx.out.emit(data, render)
    return Exit.OK


def run_book(ctx: Context) -> int:
    a = ctx.args
    if a.first_available:
        found = _find(ctx)
        if not found.slots:
            raise CliError(
                f"no slot to book: {found.empty_reason or 'nothing matched'}",
                Exit.PRECONDITION,
                status=found.empty_reason_code,
            )
        provider, start = found.slots[0].provider_id, found.slots[0].time.start
    else:
        if not a.provider or not a.start:
            raise CliError("give --provider and --start, or --first-available", Exit.USAGE)
        provider, start = a.provider, timestamp_pb(parse_instant(a.start, "--start"))
    key = a.idempotency_key or f"cli-{uuid.uuid4()}"
    request = scp.BookRequest(
        idempotency_key=key, provider_id=provider, session_type=SESSION_TYPES[a.type], start=start
    )
    appointment = call(
        ctx.clients.scheduling.Book, request, metadata=ctx.metadata(), timeout=ctx.timeout, what="booking"
    )

    def render(console: Console) -> None:
        console.print("[bold green]Booked[/]")
        console.print(
            ctx.out.pairs(
                [
                    ("appointment", appointment.appointment_id),
                    (
                        "when",
                        f"{timestamp_text(appointment.time.start)} - {timestamp_text(appointment.time.end)}",
                    ),
                    ("provider", appointment.provider_id),
                    ("status", _status(appointment.status)),
                    ("idempotency key", key),
                ]
            )
        )

    ctx.out.emit({"appointment": proto_dict(appointment), "idempotency_key": key}, render)
    return Exit.OK


def _status(status: appointments_pb2.AppointmentStatus.ValueType) -> str:
    return str(appointments_pb2.AppointmentStatus.Name(status)).removeprefix("APPOINTMENT_STATUS_").lower()


def _provider_names(ctx: Context) -> dict[str, str]:
    """Display names of the providers the caller may list (their agency's); empty if not allowed."""
    try:
        reply = call(
            ctx.clients.identity.ListProviders,
            idp.ListProvidersRequest(),
            metadata=ctx.metadata(),
            timeout=ctx.timeout,
        )
    except CliError:
        return {}
    return {p.provider_id: p.display_name for p in reply.providers}


def run_appointments_list(ctx: Context) -> int:
    a = ctx.args
    request = scp.ListAppointmentsRequest(include_past=a.past)
    if a.range_from or a.range_to:
        if not (a.range_from and a.range_to):
            raise CliError("give both --from and --to", Exit.USAGE)
        request.range.start.CopyFrom(timestamp_pb(parse_instant(a.range_from, "--from")))
        request.range.end.CopyFrom(timestamp_pb(parse_instant(a.range_to, "--to")))
    reply = call(
        ctx.clients.scheduling.ListAppointments, request, metadata=ctx.metadata(), timeout=ctx.timeout
    )

    def render(console: Console) -> None:
        if not reply.appointments:
            console.print("No appointments.")
            return
        names = _provider_names(ctx)
        rows = [
            (
                timestamp_text(x.time.start),
                _session_type(x.session_type),
                _status(x.status) + (" (conflict)" if x.conflict else ""),
                names.get(x.provider_id, x.provider_id),
                x.appointment_id,
            )
            for x in reply.appointments
        ]
        console.print(ctx.out.table("Appointments", ("when", "type", "status", "with", "id"), rows))

    ctx.out.emit({"appointments": [proto_dict(x) for x in reply.appointments]}, render)
    return Exit.OK


def _session_type(value: common.SessionType.ValueType) -> str:
    return {v: k for k, v in SESSION_TYPES.items()}.get(value, "-")
