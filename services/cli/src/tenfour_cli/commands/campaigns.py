"""Wellness check-in campaigns: agencies launch them; officers see the open ones and book."""

from __future__ import annotations

import uuid
from typing import Any

from rich.console import Console

from tenfour.common.v1 import common_pb2 as common
from tenfour.outcomes.v1 import outcomes_pb2 as opb
from tenfour.scheduling.v1 import campaigns_pb2 as cpb
from tenfour.scheduling.v1 import scheduling_pb2 as scp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import parse_instant, timestamp_pb

__all__ = ["register"]


def register(commands: Commands, common_opts: list[Any]) -> None:
    campaigns = commands.add_parser("campaigns", help="wellness check-in campaigns")
    cmds = campaigns.add_subparsers(dest="campaigns_command", required=True, metavar="COMMAND")
    launch = cmds.add_parser(
        "launch",
        parents=common_opts,
        help="invite every officer of your agency to book a check-in (coordinators)",
        description="e.g. `tenfour campaigns launch --title 'Annual wellness check-in' --first-month 2027-01 "
        "--months 3`. Whole UTC months, 1 to 12.",
    )
    launch.add_argument("--title", required=True)
    launch.add_argument("--first-month", required=True, help="YYYY-MM")
    launch.add_argument("--months", type=int, default=3, help="1-12 (default 3)")
    launch.add_argument(
        "--attendance-confirmation",
        action="store_true",
        help="officers are told first; you then see attended yes/no per officer",
    )
    launch.set_defaults(handler=run_launch)
    listed = cmds.add_parser(
        "list", parents=common_opts, help="your agency's campaigns (officers: open ones)"
    )
    listed.set_defaults(handler=run_list)
    attendance = cmds.add_parser(
        "attendance",
        parents=common_opts,
        help="attended yes/no per officer (attendance-confirmation campaigns)",
    )
    attendance.add_argument("campaign")
    attendance.set_defaults(handler=run_attendance)
    report = cmds.add_parser(
        "report",
        parents=common_opts,
        help="invited, booked and completed per campaign, once its months are published (coordinators)",
    )
    report.set_defaults(handler=run_report)
    book = cmds.add_parser("book", parents=common_opts, help="book your check-in (officers)")
    book.add_argument("campaign")
    book.add_argument("--provider", required=True)
    book.add_argument("--start", required=True, help="ISO 8601 (from `tenfour slots find`)")
    book.add_argument(
        "--acknowledge-attendance-reporting",
        action="store_true",
        help="needed when the campaign reports attended yes/no to your agency",
    )
    book.set_defaults(handler=run_book)


def run_launch(ctx: Context) -> int:
    a = ctx.args
    try:
        year, month = (int(x) for x in a.first_month.split("-"))
    except ValueError:
        raise CliError("--first-month: use YYYY-MM, e.g. 2027-01", Exit.USAGE) from None
    campaign = cpb.Campaign(
        title=a.title,
        first_month=common.LocalDate(year=year, month=month, day=1),
        months=a.months,
        attendance_confirmation=a.attendance_confirmation,
    )
    launched = call(
        ctx.clients.scheduling.LaunchCampaign,
        cpb.LaunchCampaignRequest(campaign=campaign),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="campaign",
    )

    def render(console: Console) -> None:
        invited = "fewer than 11" if launched.invited_hidden else str(launched.invited)
        console.print(f"[bold green]Campaign launched[/] {launched.campaign_id}: {invited} officers invited")

    ctx.out.emit({"campaign": proto_dict(launched)}, render)
    return Exit.OK


def run_list(ctx: Context) -> int:
    found = call(
        ctx.clients.scheduling.ListCampaigns,
        cpb.ListCampaignsRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="campaigns",
    ).campaigns

    def render(console: Console) -> None:
        rows = [
            (
                c.campaign_id,
                c.title,
                f"{timestamp_text(c.window.start)} - {timestamp_text(c.window.end)}",
                "yes" if c.attendance_confirmation else "no",
                c.my_appointment_id or "-",
            )
            for c in found
        ]
        console.print(
            ctx.out.table("Campaigns", ("id", "title", "window", "attendance reported", "my check-in"), rows)
        )

    ctx.out.emit({"campaigns": [proto_dict(c) for c in found]}, render)
    return Exit.OK


def run_attendance(ctx: Context) -> int:
    reply = call(
        ctx.clients.scheduling.GetCampaignAttendance,
        cpb.GetCampaignAttendanceRequest(campaign_id=ctx.args.campaign),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="attendance",
    )

    def render(console: Console) -> None:
        rows = [(o.officer_id, "yes" if o.attended else "no") for o in reply.officers]
        console.print(ctx.out.table("Attendance", ("officer", "attended"), rows))

    ctx.out.emit({"attendance": proto_dict(reply)}, render)
    return Exit.OK


def run_book(ctx: Context) -> int:
    a = ctx.args
    request = scp.BookRequest(
        idempotency_key=f"cli-{uuid.uuid4()}",
        provider_id=a.provider,
        session_type=common.SESSION_TYPE_INDIVIDUAL,
        campaign_id=a.campaign,
        attendance_reporting_acknowledged=a.acknowledge_attendance_reporting,
    )
    request.start.CopyFrom(timestamp_pb(parse_instant(a.start, "--start")))
    booked = call(
        ctx.clients.scheduling.Book, request, metadata=ctx.metadata(), timeout=ctx.timeout, what="check-in"
    )
    ctx.out.emit(
        {"appointment": proto_dict(booked)},
        lambda console: console.print(f"[bold green]Check-in booked[/] {timestamp_text(booked.time.start)}"),
    )
    return Exit.OK


def _figure(figure: opb.Figure, rate: bool = False) -> str:
    if figure.status == opb.FIGURE_STATUS_SHOWN:
        return f"{figure.value:.0%}" if rate else f"{figure.value:.0f}"
    if figure.status == opb.FIGURE_STATUS_NOT_AVAILABLE:
        return "-"
    return "hidden (fewer than 11)" if figure.status == opb.FIGURE_STATUS_SUPPRESSED_SMALL_CELL else "hidden"


def run_report(ctx: Context) -> int:
    reply = call(
        ctx.clients.outcomes.ListCampaignReports,
        opb.ListCampaignReportsRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="campaign figures",
    )

    def render(console: Console) -> None:
        rows = [
            (
                c.title,
                f"{timestamp_text(c.window.start)} - {timestamp_text(c.window.end)}",
                _figure(c.invited),
                _figure(c.booked) + ("" if not c.published else f" ({_figure(c.booked_rate, True)})"),
                _figure(c.completed) + ("" if not c.published else f" ({_figure(c.completed_rate, True)})"),
                "published" if c.published else f"from {timestamp_text(c.publishes_at)}",
            )
            for c in reply.campaigns
        ]
        headers = ("campaign", "window", "invited", "booked", "completed", "figures")
        console.print(ctx.out.table("Check-in campaigns (officers, never names)", headers, rows))

    ctx.out.emit({"campaigns": [proto_dict(c) for c in reply.campaigns]}, render)
    return Exit.OK
