"""Officers' and peer supporters' shift rotations: set, show, and the templates."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import scheduling_pb2 as scp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import proto_dict
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import (
    duration_pb,
    local_date_pb,
    local_time_pb,
    parse_date,
    parse_duration,
)

__all__ = ["register"]

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
