"""`tenfour outcomes report`: the agency's published, suppressed program figures (coordinators,
system admins), the same rows as the web app's Program numbers page."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.outcomes.v1 import outcomes_pb2 as opb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict
from tenfour_cli.rpc import call

__all__ = ["register"]

# (field of PeriodFigures, column heading, shown as a share)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("sessions_booked", "booked", False),
    ("sessions_fulfilled", "held", False),
    ("officers_served", "officers", False),
    ("no_show_rate", "no-shows", True),
    ("peer_share", "with a peer", True),
    ("referrals_made", "referrals made", False),
    ("referrals_accepted", "accepted", False),
    ("referrals_completed", "completed", False),
)
_KINDS = {"month": opb.PERIOD_KIND_MONTH, "quarter": opb.PERIOD_KIND_QUARTER, "year": opb.PERIOD_KIND_YEAR}


def register(commands: Commands, common_opts: list[Any]) -> None:
    outcomes = commands.add_parser("outcomes", help="the program's de-identified figures")
    cmds = outcomes.add_subparsers(dest="outcomes_command", required=True, metavar="COMMAND")
    report = cmds.add_parser(
        "report",
        parents=common_opts,
        help="published figures per month, quarter and year (coordinators, system admins)",
        description="Figures based on fewer than 11 officers, or that would let one be worked "
        "out, are shown as hidden. e.g. `tenfour outcomes report --kind quarter`.",
    )
    report.add_argument("--agency", default="", help="agency id (system admins; coordinators: their own)")
    report.add_argument("--kind", choices=sorted(_KINDS), help="only months, quarters or years")
    report.set_defaults(handler=run_report)


def figure_text(figure: opb.Figure, share: bool = False) -> str:
    if figure.status == opb.FIGURE_STATUS_SHOWN:
        return f"{figure.value:.0%}" if share else f"{figure.value:.0f}"
    if figure.status == opb.FIGURE_STATUS_NOT_AVAILABLE:
        return "-"
    return "hidden (fewer than 11)" if figure.status == opb.FIGURE_STATUS_SUPPRESSED_SMALL_CELL else "hidden"


def run_report(ctx: Context) -> int:
    a = ctx.args
    reply = call(
        ctx.clients.outcomes.GetAgencyReport,
        opb.GetAgencyReportRequest(agency_id=a.agency),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="program figures",
    )
    periods = [p for p in reply.periods if a.kind is None or p.period.kind == _KINDS[a.kind]]

    def render(console: Console) -> None:
        rows = [
            (p.period.label, *(figure_text(getattr(p, name), share) for name, _, share in COLUMNS))
            for p in periods
        ]
        headers = ("period", *(heading for _, heading, _ in COLUMNS))
        title = f"Program figures (published through {reply.published_through or 'nothing yet'})"
        console.print(ctx.out.table(title, headers, rows))

    ctx.out.emit(
        {"agency_id": reply.agency_id, "periods": [proto_dict(p) for p in periods]},
        render,
    )
    return Exit.OK
