"""`tenfour policy`: the agency's rest rules that issue 19 added (everyone's default usual sleep,
the consecutive-nights rule, the interstate compacts accepted for clinicians' licences), read
and changed by its coordinators like the web app's *Rest rules* and *Licences* pages."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import proto_dict
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import local_time_pb

__all__ = ["register"]


def register(commands: Commands, common_opts: list[Any]) -> None:
    policy = commands.add_parser("policy", help="your agency's rest rules (coordinators)")
    cmds = policy.add_subparsers(dest="policy_command", required=True, metavar="COMMAND")
    cmds.add_parser("show", parents=common_opts, help="the rules as stored").set_defaults(handler=run_show)
    change = cmds.add_parser(
        "set",
        parents=common_opts,
        help="change some rules; the others stay as they are",
        description="e.g. `tenfour policy set --usual-sleep 23:00-07:00 --max-consecutive-nights 3 "
        "--compacts US-CO,US-AZ` (`--compacts ''` accepts none).",
    )
    change.add_argument("--usual-sleep", metavar="HH:MM-HH:MM", help="every officer's default usual sleep")
    change.add_argument(
        "--max-consecutive-nights",
        type=int,
        help="no session the day after this many night shifts in a row (0: off)",
    )
    change.add_argument("--compacts", help="comma-separated jurisdictions whose licences are accepted too")
    change.set_defaults(handler=run_set)


def _hhmm(t: Any) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _get(ctx: Context) -> pb.FatiguePolicy:
    found: pb.FatiguePolicy = call(
        ctx.clients.scheduling.GetFatiguePolicy,
        pb.GetFatiguePolicyRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="rest rules",
    )
    return found


def _emit(ctx: Context, policy: pb.FatiguePolicy) -> None:
    def render(console: Console) -> None:
        start = _hhmm(policy.usual_sleep_start) if policy.HasField("usual_sleep_start") else "23:00"
        end = _hhmm(policy.usual_sleep_end) if policy.HasField("usual_sleep_end") else "07:00"
        console.print(f"usual sleep (default for every officer): {start}-{end}")
        nights = policy.max_consecutive_nights
        console.print(f"consecutive nights rule: {f'the day after {nights} in a row' if nights else 'off'}")
        console.print(f"licences also accepted from: {', '.join(policy.compact_jurisdictions) or '(none)'}")

    ctx.out.emit({"policy": proto_dict(policy)}, render)


def run_show(ctx: Context) -> int:
    _emit(ctx, _get(ctx))
    return Exit.OK


def run_set(ctx: Context) -> int:
    a = ctx.args
    wanted = _get(ctx)
    wanted.ClearField("version")
    if a.usual_sleep is not None:
        start, sep, end = a.usual_sleep.partition("-")
        if not sep:
            raise CliError("--usual-sleep: expected HH:MM-HH:MM, e.g. 23:00-07:00", Exit.USAGE)
        wanted.usual_sleep_start.CopyFrom(local_time_pb(start, "--usual-sleep"))
        wanted.usual_sleep_end.CopyFrom(local_time_pb(end, "--usual-sleep"))
    if a.max_consecutive_nights is not None:
        wanted.max_consecutive_nights = a.max_consecutive_nights
    if a.compacts is not None:
        wanted.compact_jurisdictions[:] = [c.strip().upper() for c in a.compacts.split(",") if c.strip()]
    saved = call(
        ctx.clients.scheduling.SetFatiguePolicy,
        pb.SetFatiguePolicyRequest(policy=wanted),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="rest rules",
    )
    _emit(ctx, saved)
    return Exit.OK
