"""`tenfour conflicts`: booked sessions a change made impossible (a new roster, the agency's or
your own sleep window, moving to a state your clinician is not licensed in, a licence or training
that ran out, the provider's hours), each with other times to move to; as the web app's
schedule clashes page."""

from __future__ import annotations

import secrets
from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.reasons import refusal_words
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import parse_instant, timestamp_pb

__all__ = ["register"]


def _alternative(s: Any) -> str:
    """A time to move to; a rotation series' own re-planned day says so (its rule's words)."""
    text = f"{timestamp_text(s.time.start)} ({s.provider_display_name or s.provider_id})"
    own = next((r for r in s.reasons if r.code == "rotation_series_day"), None)
    return f"{text}: {s.reason.split('; ')[0]}" if own is not None else text


def register(commands: Commands, common_opts: list[Any]) -> None:
    conflicts = commands.add_parser("conflicts", help="booked sessions that no longer fit, and other times")
    cmds = conflicts.add_subparsers(dest="conflicts_command", required=True, metavar="COMMAND")
    listing = cmds.add_parser("list", parents=common_opts, help="your clashes with other times (officers)")
    listing.add_argument("--appointment", default="", help="only this session")
    listing.add_argument("--alternatives", type=int, default=3, help="other times per session (1-10)")
    listing.set_defaults(handler=run_list)
    move = cmds.add_parser(
        "move", parents=common_opts, help="move a session to another time (one of its alternatives)"
    )
    move.add_argument("appointment", help="the appointment id")
    move.add_argument("--to", required=True, help="the new start (ISO 8601), e.g. from `conflicts list`")
    move.set_defaults(handler=run_move)


def run_list(ctx: Context) -> int:
    a = ctx.args
    found = call(
        ctx.clients.scheduling.ListConflicts,
        pb.ListConflictsRequest(appointment_id=a.appointment, max_alternatives=a.alternatives),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="conflicts",
    )

    def render(console: Console) -> None:
        rows = [
            (
                c.appointment.appointment_id,
                timestamp_text(c.appointment.time.start),
                refusal_words(c.reason_code) + (f" ({c.reason})" if c.reason else "")
                if c.reason_code
                else c.reason,
                "; ".join(_alternative(s) for s in c.alternatives),
            )
            for c in found.conflicts
        ]
        console.print(ctx.out.table("Schedule clashes", ("appointment", "start", "why", "other times"), rows))

    ctx.out.emit({"conflicts": [proto_dict(c) for c in found.conflicts]}, render)
    return Exit.OK


def run_move(ctx: Context) -> int:
    a = ctx.args
    request = pb.RescheduleRequest(idempotency_key=secrets.token_hex(8), appointment_id=a.appointment)
    request.new_start.CopyFrom(timestamp_pb(parse_instant(a.to, "--to")))
    moved = call(
        ctx.clients.scheduling.Reschedule,
        request,
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="session",
    )
    ctx.out.emit(
        {"appointment": proto_dict(moved)},
        lambda console: console.print(f"[bold green]Moved[/] to {timestamp_text(moved.time.start)}"),
    )
    return Exit.OK
