"""An officer's scheduling preferences: where they live (for clinicians' licences) and their
usual sleep (kept free of sessions)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import proto_dict
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import local_time_pb


def hhmm(value: Any) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


__all__ = ["register"]


def register(commands: Commands, common_opts: list[Any]) -> None:
    prefs = commands.add_parser("preferences", help="your scheduling preferences (officers)")
    cmds = prefs.add_subparsers(dest="preferences_command", required=True, metavar="COMMAND")
    show = cmds.add_parser("show", parents=common_opts, help="your preferences as stored")
    show.set_defaults(handler=run_show)
    change = cmds.add_parser(
        "set",
        parents=common_opts,
        help="change some preferences; the others stay as they are",
        description="e.g. `tenfour preferences set --jurisdiction US-CA --sleep 22:30-06:30` (an empty "
        "jurisdiction clears it; `--sleep default` follows the agency's usual sleep window again).",
    )
    change.add_argument(
        "--jurisdiction",
        default=None,
        help="where you live, ISO 3166-2 (e.g. US-CA): clinicians must be licensed there",
    )
    change.add_argument(
        "--sleep",
        default=None,
        metavar="HH:MM-HH:MM|default",
        help="your usual sleep, local time (at most 14 h); `default`: your agency's",
    )
    change.set_defaults(handler=run_set)


def _render(stored: pb.Preferences) -> Any:
    def render(console: Console) -> None:
        console.print(f"jurisdiction: {stored.jurisdiction or '(not set)'}")
        sleep = stored.usual_sleep
        own = f"{hhmm(sleep.start)}-{hhmm(sleep.end)}" if stored.HasField("usual_sleep") else "(the agency's)"
        console.print(f"usual sleep: {own}")

    return render


def _get(ctx: Context) -> pb.Preferences:
    found: pb.Preferences = call(
        ctx.clients.scheduling.GetPreferences,
        pb.GetPreferencesRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="preferences",
    )
    return found


def run_show(ctx: Context) -> int:
    stored = _get(ctx)
    ctx.out.emit({"preferences": proto_dict(stored)}, _render(stored))
    return Exit.OK


def run_set(ctx: Context) -> int:
    wanted = _get(ctx)
    wanted.officer_id = ""
    if ctx.args.jurisdiction is not None:
        wanted.jurisdiction = ctx.args.jurisdiction.strip()
    if ctx.args.sleep is not None:
        wanted.ClearField("usual_sleep")
        if ctx.args.sleep.strip().lower() != "default":
            start, sep, end = ctx.args.sleep.partition("-")
            if not sep:
                raise CliError("--sleep: expected HH:MM-HH:MM, e.g. 23:00-07:00, or default", Exit.INVALID)
            wanted.usual_sleep.start.CopyFrom(local_time_pb(start.strip(), "--sleep"))
            wanted.usual_sleep.end.CopyFrom(local_time_pb(end.strip(), "--sleep"))
    stored: pb.Preferences = call(
        ctx.clients.scheduling.SetPreferences,
        pb.SetPreferencesRequest(preferences=wanted),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="preferences",
    )
    ctx.out.emit({"preferences": proto_dict(stored)}, _render(stored))
    return Exit.OK
