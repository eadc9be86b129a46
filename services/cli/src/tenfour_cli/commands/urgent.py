"""Help now from a terminal: an officer asks for someone now and follows the request until a
provider is in the room; providers set their on-call switch and wrap up an urgent session.

The crisis line is printed before anything else, the way the web page shows it first: a
request can wait in a queue, a phone call cannot."""

from __future__ import annotations

import argparse
import signal
import time
from types import FrameType
from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call

__all__ = ["describe", "register"]

DEFAULT_CRISIS_LINE = "988 Suicide & Crisis Lifeline: call or text 988"
EMERGENCY = "In immediate danger: call 911 (your local emergency number)."
_DONE = ("connected", "cancelled", "ended")
_ON_CALL = {
    "on": "on call: offered urgent requests first",
    "off": "not on call: offered no urgent requests",
    "hours": "following your Urgent hours",
}


def register(commands: Commands, common: list[Any]) -> None:
    urgent = commands.add_parser("urgent", help="talk to someone now (officers); wrap-up (providers)")
    cmds = urgent.add_subparsers(dest="urgent_command", required=True, metavar="COMMAND")
    ask = cmds.add_parser(
        "request",
        parents=common,
        help="alert everyone on call now and wait until someone is in the room",
        description="Prints the crisis line at once, then how many were alerted, your place and who "
        "accepted. Exit 0 once a provider is in the room (join with `tenfour session join`); "
        "Ctrl-C cancels the request.",
    )
    ask.add_argument("--peer-first", action="store_true", help="a trained peer supporter first, if free")
    ask.add_argument(
        "--wait", type=float, default=600.0, metavar="SECONDS", help="stop following after (600)"
    )
    ask.add_argument("--poll", type=float, default=2.0, metavar="SECONDS", help=argparse.SUPPRESS)
    ask.set_defaults(handler=run_request)
    status = cmds.add_parser("status", parents=common, help="where your request stands")
    status.add_argument("request", help="the request id (printed by `tenfour urgent request`)")
    status.set_defaults(handler=run_status)
    cancel = cmds.add_parser("cancel", parents=common, help="cancel your request")
    cancel.add_argument("request", help="the request id")
    cancel.set_defaults(handler=run_cancel)
    wrap = cmds.add_parser("wrap-up", parents=common, help="after an urgent session you gave: what next")
    wrap.add_argument("appointment", help="the urgent session's appointment id")
    wrap.add_argument("--outcome", required=True, choices=("follow_up_booked", "referred", "none"))
    wrap.set_defaults(handler=run_wrap_up)

    oncall = commands.add_parser(
        "oncall",
        parents=common,
        help="your on-call switch for urgent requests (providers)",
        description="`on`: offered urgent requests first for 12 h; `off`: none for 12 h; `hours`: "
        "follow your Urgent hours (the default). Without a mode: show the switch.",
    )
    oncall.add_argument("mode", nargs="?", choices=("on", "off", "hours"))
    oncall.set_defaults(handler=run_oncall)


def describe(s: pb.UrgentSessionStatus) -> str:
    """The same plain words the web page uses for each state."""
    who = s.provider_name or "Someone"
    alerted = (
        ("1 person was alerted. " if s.alerted_count == 1 else f"{s.alerted_count} people were alerted. ")
        if s.alerted_count
        else ""
    )
    appointment = s.appointment.appointment_id if s.HasField("appointment") else ""
    join = f" Join with `tenfour session join {appointment}`." if appointment else ""
    if s.state == "connected":
        return f"{who} is in the room, waiting for you.{join}"
    if s.state in ("accepted", "accepting"):
        return f"{who} accepted and is opening the room.{join}"
    if s.state == "cancelled":
        return "Your request is cancelled. You can ask again at any time."
    if s.state == "ended":
        return "Your session has ended. You can ask again at any time."
    if s.state == "escalated":
        return (
            alerted + "Everyone is busy right now. We have asked your agency for more help and you "
            "keep your place. Please use the crisis line if you cannot wait."
        )
    place = (
        f"You are in the queue (number {s.queue_position})." if s.queue_position else "You are in the queue."
    )
    wait = s.estimated_wait.ToTimedelta().total_seconds()
    return alerted + place + (f" About {max(1, round(wait / 60))} minutes." if wait else "")


def _emit(ctx: Context, s: pb.UrgentSessionStatus) -> None:
    def render(console: Console) -> None:
        console.print(describe(s), markup=False)
        console.print(f"request {s.request_id}", markup=False, style="dim")

    ctx.out.emit({"status": proto_dict(s)}, render)


def _status(ctx: Context, request_id: str) -> pb.UrgentSessionStatus:
    return call(
        ctx.clients.scheduling.GetUrgentSessionStatus,
        pb.GetUrgentSessionStatusRequest(request_id=request_id),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="urgent request",
    )


def run_request(ctx: Context) -> int:
    a = ctx.args
    # Before any call: the line to call works even when the services do not.
    ctx.out.note(f"{DEFAULT_CRISIS_LINE}\n{EMERGENCY}")
    status = call(
        ctx.clients.scheduling.RequestUrgentSession,
        pb.RequestUrgentSessionRequest(prefer_peer_first=a.peer_first),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="urgent request",
    )
    if status.crisis_line_text and status.crisis_line_text != DEFAULT_CRISIS_LINE:
        ctx.out.note(f"Your agency: {status.crisis_line_text}")
    ctx.out.note(f"Request {status.request_id}. Ctrl-C cancels it.")
    interrupted: list[int] = []

    def on_interrupt(signum: int, _frame: FrameType | None) -> None:
        interrupted.append(signum)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        said = ""
        deadline = time.monotonic() + a.wait
        while True:
            text = describe(status)
            if text != said:
                ctx.out.note(text)
                said = text
            if status.state in _DONE:
                break
            if interrupted:
                status = call(
                    ctx.clients.scheduling.CancelUrgentRequest,
                    pb.CancelUrgentRequestRequest(request_id=status.request_id),
                    metadata=ctx.metadata(),
                    timeout=ctx.timeout,
                    what="urgent request",
                )
                break
            if time.monotonic() >= deadline:
                raise CliError(
                    "nobody is in the room yet; your request stays open",
                    Exit.PRECONDITION,
                    hint=f"follow it with `tenfour urgent status {status.request_id}` or call the line above",
                )
            time.sleep(a.poll)
            status = _status(ctx, status.request_id)
    finally:
        signal.signal(signal.SIGINT, previous)
    _emit(ctx, status)
    return Exit.OK if status.state == "connected" else Exit.PRECONDITION


def run_status(ctx: Context) -> int:
    _emit(ctx, _status(ctx, ctx.args.request))
    return Exit.OK


def run_cancel(ctx: Context) -> int:
    status = call(
        ctx.clients.scheduling.CancelUrgentRequest,
        pb.CancelUrgentRequestRequest(request_id=ctx.args.request),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="urgent request",
    )
    _emit(ctx, status)
    return Exit.OK


def run_wrap_up(ctx: Context) -> int:
    done = call(
        ctx.clients.scheduling.WrapUpUrgentSession,
        pb.WrapUpUrgentSessionRequest(appointment_id=ctx.args.appointment, outcome=ctx.args.outcome),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="urgent session",
    )
    ctx.out.emit(
        {"outcome": done.outcome},
        lambda console: console.print(f"Wrap-up saved: {done.outcome.replace('_', ' ')}.", markup=False),
    )
    return Exit.OK


def run_oncall(ctx: Context) -> int:
    mode = ctx.args.mode
    if mode:
        state = call(
            ctx.clients.scheduling.SetOnCall,
            pb.SetOnCallRequest(mode=mode),
            metadata=ctx.metadata(),
            timeout=ctx.timeout,
            what="on-call switch",
        )
    else:
        state = call(
            ctx.clients.scheduling.GetOnCall,
            pb.GetOnCallRequest(),
            metadata=ctx.metadata(),
            timeout=ctx.timeout,
            what="on-call switch",
        )
    until = (
        f" until {timestamp_text(state.until)}" if state.HasField("until") and state.mode != "hours" else ""
    )

    def render(console: Console) -> None:
        console.print(_ON_CALL.get(state.mode, state.mode) + until, markup=False)

    ctx.out.emit({"on_call": proto_dict(state)}, render)
    return Exit.OK
