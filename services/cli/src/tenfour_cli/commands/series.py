"""`tenfour series`: a run of sessions with one provider that follows the officer's rotation
("the first day off of each block", "every k-th day off", "the day the last night shift ends")
or every N days, within chosen hours; planned first (each time checked), then booked. As the
web app's *Find a time* → *Book a series from here*."""

from __future__ import annotations

import secrets
from typing import Any

from rich.console import Console

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import local_time_pb, parse_instant, timestamp_pb

__all__ = ["register"]

_WHEN = {
    "every-n-days": pb.SERIES_ROTATION_UNSPECIFIED,
    "first-day-off": pb.SERIES_ROTATION_FIRST_DAY_OFF,
    "every-kth-day-off": pb.SERIES_ROTATION_EVERY_KTH_DAY_OFF,
    "after-last-night": pb.SERIES_ROTATION_AFTER_LAST_NIGHT,
}


def register(commands: Commands, common_opts: list[Any]) -> None:
    series = commands.add_parser("series", help="a run of sessions that follows your rotation (officers)")
    cmds = series.add_subparsers(dest="series_command", required=True, metavar="COMMAND")
    plan = cmds.add_parser(
        "plan",
        parents=common_opts,
        help="plan the times (nothing booked yet)",
        description="e.g. `tenfour series plan --provider ID --count 4 --when first-day-off "
        "--between 10:00-14:00`, then `tenfour series book PLAN_ID`.",
    )
    plan.add_argument("--provider", required=True, help="the provider's id")
    plan.add_argument("--count", type=int, default=4, help="how many sessions (default 4)")
    plan.add_argument("--when", choices=sorted(_WHEN), default="first-day-off", help="which days")
    plan.add_argument("--k", type=int, default=2, help="every-kth-day-off: k (default 2: every second)")
    plan.add_argument("--every-days", type=int, default=14, help="every-n-days: N (default 14)")
    plan.add_argument("--tolerance-days", type=int, default=2, help="every-n-days: +- days (default 2)")
    plan.add_argument("--between", metavar="HH:MM-HH:MM", help="only starts within these local hours")
    plan.add_argument("--from", dest="first", help="not before this instant (ISO 8601)")
    plan.set_defaults(handler=run_plan)
    book = cmds.add_parser("book", parents=common_opts, help="book a planned series")
    book.add_argument("plan", help="the plan id from `series plan`")
    book.add_argument(
        "--all-or-nothing", action="store_true", help="book none unless every time can be booked"
    )
    book.set_defaults(handler=run_book)


def run_plan(ctx: Context) -> int:
    a = ctx.args
    request = pb.PlanSeriesRequest(
        provider_id=a.provider,
        session_type=common.SESSION_TYPE_INDIVIDUAL,
        count=a.count,
        rotation=_WHEN[a.when],
    )
    if a.when == "every-n-days":
        request.every_days, request.tolerance_days = a.every_days, a.tolerance_days
    if a.when == "every-kth-day-off":
        request.every_kth = a.k
    if a.between:
        start, sep, end = a.between.partition("-")
        if not sep:
            raise CliError("--between: expected HH:MM-HH:MM, e.g. 10:00-14:00", Exit.USAGE)
        request.between.start.CopyFrom(local_time_pb(start, "--between"))
        request.between.end.CopyFrom(local_time_pb(end, "--between"))
    if a.first:
        request.first_not_before.CopyFrom(timestamp_pb(parse_instant(a.first, "--from")))
    planned = call(
        ctx.clients.scheduling.PlanSeries,
        request,
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="series",
    )

    def render(console: Console) -> None:
        rows = [(s.index + 1, timestamp_text(s.time.start), s.problem or "ok") for s in planned.slots]
        console.print(ctx.out.table(f"Series plan {planned.plan_id}", ("#", "start", "can be booked"), rows))
        console.print(f"Book it with `tenfour series book {planned.plan_id}`.")

    ctx.out.emit({"plan": proto_dict(planned)}, render)
    return Exit.OK


def run_book(ctx: Context) -> int:
    a = ctx.args
    done = call(
        ctx.clients.scheduling.BookSeries,
        pb.BookSeriesRequest(
            idempotency_key=secrets.token_hex(8), plan_id=a.plan, all_or_nothing=a.all_or_nothing
        ),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="series",
    )

    def render(console: Console) -> None:
        for appointment in done.booked:
            console.print(f"[bold green]Booked[/] {timestamp_text(appointment.time.start)}")
        for failed in done.failed:
            console.print(f"[yellow]Not booked[/] {timestamp_text(failed.time.start)}: {failed.problem}")

    ctx.out.emit({"series": proto_dict(done)}, render)
    return Exit.OK
