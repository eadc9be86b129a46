"""Waiting lists: an officer waits for a provider (or anyone) within a window; a freed time is
held for the first officer waiting, who books it or lets it go."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import waitlist_pb2 as wpb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import parse_instant, timestamp_pb

__all__ = ["register"]

_STATES = {
    wpb.WAITLIST_STATE_WAITING: "waiting",
    wpb.WAITLIST_STATE_OFFERED: "a time is held for you",
    wpb.WAITLIST_STATE_BOOKED: "booked",
    wpb.WAITLIST_STATE_DECLINED: "let go",
    wpb.WAITLIST_STATE_EXPIRED: "ended",
    wpb.WAITLIST_STATE_LEFT: "left",
}


def register(commands: Commands, common_opts: list[Any]) -> None:
    waitlist = commands.add_parser("waitlist", help="wait for a time that may free up (officers)")
    cmds = waitlist.add_subparsers(dest="waitlist_command", required=True, metavar="COMMAND")
    join = cmds.add_parser(
        "join",
        parents=common_opts,
        help="wait for a provider (or anyone) within a window",
        description="e.g. `tenfour waitlist join --provider T_ID --from 2026-03-03T16:00-06:00 "
        "--until 2026-03-05T20:00-06:00` (at most 90 days ahead).",
    )
    join.add_argument("--provider", default="", help="the provider's id; omit: any provider")
    join.add_argument("--from", dest="start", required=True, help="start of the window (ISO 8601)")
    join.add_argument("--until", dest="end", required=True, help="end of the window (ISO 8601)")
    join.set_defaults(handler=run_join)
    cmds.add_parser("list", parents=common_opts, help="your waiting lists and held times").set_defaults(
        handler=run_list
    )
    for name, text in (("accept", "book the time held for you"), ("decline", "let the held time go")):
        answer = cmds.add_parser(name, parents=common_opts, help=text)
        answer.add_argument("entry", help="the entry id (from `tenfour waitlist list`)")
        answer.set_defaults(handler=run_answer, accept=name == "accept")
    leave = cmds.add_parser("leave", parents=common_opts, help="stop waiting")
    leave.add_argument("entry", help="the entry id")
    leave.set_defaults(handler=run_leave)


def _line(e: wpb.WaitlistEntry) -> tuple[str, ...]:
    held = (
        f"{timestamp_text(e.offered_time.start)} until {timestamp_text(e.offer_until)}"
        if e.state == wpb.WAITLIST_STATE_OFFERED
        else "-"
    )
    return (
        e.entry_id,
        e.provider_id or "any",
        f"{timestamp_text(e.window.start)} - {timestamp_text(e.window.end)}",
        _STATES.get(e.state, "?"),
        held,
    )


def _emit(ctx: Context, entries: list[wpb.WaitlistEntry]) -> None:
    def render(console: Console) -> None:
        header = ("entry", "provider", "window", "state", "held time")
        console.print(ctx.out.table("Waiting lists", header, [_line(e) for e in entries]))

    ctx.out.emit({"entries": [proto_dict(e) for e in entries]}, render)


def run_join(ctx: Context) -> int:
    a = ctx.args
    window = common.TimeRange(
        start=timestamp_pb(parse_instant(a.start, "--from")),
        end=timestamp_pb(parse_instant(a.end, "--until")),
    )
    entry = call(
        ctx.clients.scheduling.JoinWaitlist,
        wpb.JoinWaitlistRequest(provider_id=a.provider, window=window),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="waiting list",
    )
    _emit(ctx, [entry])
    return Exit.OK


def run_list(ctx: Context) -> int:
    found = call(
        ctx.clients.scheduling.ListWaitlist,
        wpb.ListWaitlistRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="waiting lists",
    )
    _emit(ctx, list(found.entries))
    return Exit.OK


def run_answer(ctx: Context) -> int:
    entry = call(
        ctx.clients.scheduling.AnswerWaitlistOffer,
        wpb.AnswerWaitlistOfferRequest(entry_id=ctx.args.entry, accept=ctx.args.accept),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="held time",
    )
    _emit(ctx, [entry])
    return Exit.OK


def run_leave(ctx: Context) -> int:
    call(
        ctx.clients.scheduling.LeaveWaitlist,
        wpb.LeaveWaitlistRequest(entry_id=ctx.args.entry),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="waiting list",
    )
    ctx.out.emit({"left": ctx.args.entry}, lambda console: console.print("You left the waiting list."))
    return Exit.OK
