"""Group sessions and workshops: providers offer them (once or weekly), officers find one and take a seat."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from rich.console import Console

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as scp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import duration_pb, parse_instant, timestamp_pb

__all__ = ["register"]


def register(commands: Commands, common_opts: list[Any]) -> None:
    groups = commands.add_parser("groups", help="group sessions and workshops")
    cmds = groups.add_subparsers(dest="groups_command", required=True, metavar="COMMAND")
    offer = cmds.add_parser(
        "offer",
        parents=common_opts,
        help="offer a group session (therapists, peer supporters)",
        description="e.g. `tenfour groups offer --start 2026-12-10T18:00:00Z --seats 6 "
        "--topic critical_incident --weekly 4`. Officers of the agency you serve find it with "
        "`tenfour groups find`.",
    )
    offer.add_argument("--start", required=True, help="ISO 8601 start")
    offer.add_argument("--seats", type=int, default=6, help="seats besides you (2-8, default 6)")
    offer.add_argument("--topic", default="", help="topic code, e.g. critical_incident, stress_burnout")
    offer.add_argument("--weekly", type=int, default=1, help="a series: this many weeks in a row (default 1)")
    offer.add_argument("--agency", default="", help="agency id (default: the one agency you serve)")
    offer.add_argument("--idempotency-key", default="", help="retrying with the same key offers once")
    offer.set_defaults(handler=run_offer)

    find = cmds.add_parser("find", parents=common_opts, help="open groups that fit your shifts (officers)")
    find.add_argument("--days", type=int, default=14, help="how far ahead (default 14)")
    find.set_defaults(handler=run_find)

    join = cmds.add_parser("join", parents=common_opts, help="take a seat in a group (officers)")
    join.add_argument("group", help="the group's id (from `tenfour groups find`)")
    join.add_argument("--idempotency-key", default="", help="retrying with the same key takes one seat")
    join.set_defaults(handler=run_join)


def run_offer(ctx: Context) -> int:
    a = ctx.args
    if not 1 <= a.weekly <= 12:
        raise CliError("--weekly must be between 1 and 12", Exit.USAGE)
    start = parse_instant(a.start, "--start")
    key = a.idempotency_key or f"cli-{uuid.uuid4()}"
    offered = []
    for week in range(a.weekly):
        request = scp.OfferGroupSessionRequest(
            idempotency_key=f"{key}-{week}", capacity=a.seats, topic_code=a.topic, agency_id=a.agency
        )
        request.start.CopyFrom(timestamp_pb(start + timedelta(weeks=week)))
        offered.append(
            call(
                ctx.clients.scheduling.OfferGroupSession,
                request,
                metadata=ctx.metadata(),
                timeout=ctx.timeout,
                what="group offer",
            )
        )

    def render(console: Console) -> None:
        console.print(f"[bold green]Offered {len(offered)} group session(s)[/]")
        rows = [(g.appointment_id, timestamp_text(g.time.start), g.capacity) for g in offered]
        console.print(ctx.out.table("Groups", ("id", "starts", "seats"), rows))

    ctx.out.emit({"groups": [proto_dict(g) for g in offered], "idempotency_key": key}, render)
    return Exit.OK


def run_find(ctx: Context) -> int:
    request = scp.FindSlotsRequest(
        session_type=common.SESSION_TYPE_GROUP, horizon=duration_pb(timedelta(days=ctx.args.days))
    )
    reply = call(
        ctx.clients.scheduling.FindSlots,
        request,
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="group search",
    )

    def render(console: Console) -> None:
        if not reply.slots:
            console.print(f"No open groups: {reply.empty_reason or 'nothing matched'}")
            return
        rows = [
            (timestamp_text(s.time.start), s.provider_display_name or "-", s.reason, s.group_appointment_id)
            for s in reply.slots
        ]
        console.print(ctx.out.table("Open groups", ("starts", "with", "seats", "join with"), rows))

    ctx.out.emit({"groups": [proto_dict(s) for s in reply.slots], "empty_reason": reply.empty_reason}, render)
    return Exit.OK


def run_join(ctx: Context) -> int:
    key = ctx.args.idempotency_key or f"cli-{uuid.uuid4()}"
    request = scp.BookRequest(idempotency_key=key, group_appointment_id=ctx.args.group)
    seat = call(
        ctx.clients.scheduling.Book, request, metadata=ctx.metadata(), timeout=ctx.timeout, what="seat"
    )

    def render(console: Console) -> None:
        console.print(
            f"[bold green]Seat taken[/] {timestamp_text(seat.time.start)} - {timestamp_text(seat.time.end)}"
        )

    ctx.out.emit({"appointment": proto_dict(seat), "idempotency_key": key}, render)
    return Exit.OK
