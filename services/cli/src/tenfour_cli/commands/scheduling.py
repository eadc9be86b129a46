"""Officers' side of scheduling: slot search, booking, and everyone's appointment list (rosters:
commands/rosters.py)."""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import appointments_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as scp
from tenfour_cli.app import Commands, Context
from tenfour_cli.commands.counterparts import counterparts
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import local_iso, proto_dict, timestamp_text, user_zone, zone_label
from tenfour_cli.reasons import empty_words
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import (
    duration_pb,
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


def register(commands: Commands, common_opts: list[Any]) -> None:
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
    cancel = appointments_cmds.add_parser(
        "cancel",
        parents=common_opts,
        help="cancel an appointment (the time goes to whoever waits for it)",
    )
    cancel.add_argument("appointment", help="the appointment id (from `tenfour appointments list`)")
    cancel.set_defaults(handler=run_appointments_cancel)


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
            console.print(f"No slots: {empty_words(reply.empty_reason_code, reply.empty_reason)}.")
            return
        rows = [
            (
                i + 1,
                timestamp_text(s.time.start),
                s.provider_display_name or "-",
                _kind_name(s.provider_kind),
                s.reason,
                f"--provider {s.provider_id} --start {local_iso(s.time.start)}",
            )
            for i, s in enumerate(reply.slots)
        ]
        console.print(
            ctx.out.table(
                f"Slots (times in {zone_label()})",
                ("#", "when", "with", "kind", "why it fits", "book with"),
                rows,
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
                f"no slot to book: {empty_words(found.empty_reason_code, found.empty_reason)}",
                Exit.PRECONDITION,
                status="FAILED_PRECONDITION",
                reason_code=found.empty_reason_code,
            )
        provider, start = found.slots[0].provider_id, found.slots[0].time.start
    else:
        if not a.provider or not a.start:
            raise CliError("give --provider and --start, or --first-available", Exit.USAGE)
        moment = parse_instant(a.start, "--start")
        if moment <= datetime.now(UTC):
            raise CliError(
                f"{a.start} is in the past ({moment.astimezone(user_zone()):%a %Y-%m-%d %H:%M %Z}): "
                "sessions can only be booked ahead",
                Exit.INVALID,
                "INVALID_ARGUMENT",
                hint="`tenfour slots find` lists times that fit",
            )
        provider, start = a.provider, timestamp_pb(moment)
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
        who = counterparts(ctx, reply.appointments)
        rows = [
            (
                timestamp_text(x.time.start),
                _session_type(x.session_type),
                _status(x.status) + (" (conflict)" if x.conflict else ""),
                with_,
                x.appointment_id,
            )
            for x, with_ in zip(reply.appointments, who, strict=True)
        ]
        title = f"Appointments (times in {zone_label()})"
        console.print(ctx.out.table(title, ("when", "type", "status", "with", "id"), rows))

    ctx.out.emit({"appointments": [proto_dict(x) for x in reply.appointments]}, render)
    return Exit.OK


def run_appointments_cancel(ctx: Context) -> int:
    cancelled = call(
        ctx.clients.scheduling.Cancel,
        scp.CancelRequest(appointment_id=ctx.args.appointment),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="appointment",
    )
    ctx.out.emit(
        {"appointment": proto_dict(cancelled)},
        lambda console: console.print(f"Cancelled: {timestamp_text(cancelled.time.start)}."),
    )
    return Exit.OK


def _session_type(value: common.SessionType.ValueType) -> str:
    return {v: k for k, v in SESSION_TYPES.items()}.get(value, "-")
