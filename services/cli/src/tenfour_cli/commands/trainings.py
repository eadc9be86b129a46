"""Training sessions for staff: coordinators find the time most invitees can attend and schedule
it; officers and peer supporters list the ones they are invited to."""

from __future__ import annotations

import uuid
from typing import Any

from rich.console import Console

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import training_sessions_pb2 as spb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import day_or_instant, parse_instant, timestamp_pb

__all__ = ["register"]


def register(commands: Commands, common_opts: list[Any]) -> None:
    trainings = commands.add_parser("trainings", help="training sessions for staff")
    cmds = trainings.add_subparsers(dest="trainings_command", required=True, metavar="COMMAND")
    plan = cmds.add_parser(
        "plan",
        parents=common_opts,
        help="the times most invitees can attend (coordinators)",
        description="e.g. `tenfour trainings plan --facilitator THERAPIST_ID --everyone --from 2027-01-04 "
        "--to 2027-01-15`. Invitees: --invite USER_ID (repeat) and/or --everyone.",
    )
    schedule = cmds.add_parser(
        "schedule",
        parents=common_opts,
        help="schedule a training and seat the invitees who can attend (coordinators)",
        description="e.g. `tenfour trainings schedule --facilitator ID --everyone --course annual_refresher "
        "--title 'Annual peer refresher' --start 2027-01-05T15:00:00Z --seats 8 --valid-months 12`.",
    )
    for parser in (plan, schedule):
        parser.add_argument(
            "--facilitator", required=True, help="a therapist or peer supporter serving the agency"
        )
        parser.add_argument(
            "--invite", action="append", default=[], help="an officer or peer supporter's user id"
        )
        parser.add_argument("--everyone", action="store_true", help="invite every officer and peer supporter")
    plan.add_argument("--from", dest="start", required=True, help="date or time (ISO 8601)")
    plan.add_argument(
        "--to", dest="end", required=True, help="date or time (ISO 8601); a date: through that day"
    )
    plan.add_argument("--limit", type=int, default=5)
    plan.set_defaults(handler=run_plan)
    schedule.add_argument(
        "--course", required=True, help="course code recorded for peer supporters who attend"
    )
    schedule.add_argument("--title", required=True)
    schedule.add_argument("--start", required=True, help="ISO 8601, e.g. a time from `trainings plan`")
    schedule.add_argument("--seats", type=int, default=8, help="2-8")
    schedule.add_argument("--valid-months", type=int, default=12, help="0: the course does not expire")
    schedule.set_defaults(handler=run_schedule)
    listed = cmds.add_parser("list", parents=common_opts, help="the agency's trainings, or yours")
    listed.set_defaults(handler=run_list)


def run_plan(ctx: Context) -> int:
    a = ctx.args
    window = common.TimeRange(
        start=timestamp_pb(day_or_instant(a.start, "--from")),
        end=timestamp_pb(day_or_instant(a.end, "--to", True)),
    )
    reply = call(
        ctx.clients.scheduling.PlanTraining,
        spb.PlanTrainingRequest(
            facilitator_id=a.facilitator,
            invitee_ids=a.invite,
            everyone=a.everyone,
            window=window,
            limit=a.limit,
        ),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="training plan",
    )

    def render(console: Console) -> None:
        rows = [(timestamp_text(t.start), f"{t.can_attend} of {t.invited}") for t in reply.times]
        console.print(ctx.out.table("Best times", ("start", "can attend"), rows))

    ctx.out.emit({"times": [proto_dict(t) for t in reply.times]}, render)
    return Exit.OK


def run_schedule(ctx: Context) -> int:
    a = ctx.args
    session = spb.TrainingSession(
        course=a.course,
        title=a.title,
        facilitator_id=a.facilitator,
        seats=a.seats,
        valid_months=a.valid_months,
        invitee_ids=a.invite,
        everyone=a.everyone,
    )
    request = spb.ScheduleTrainingRequest(
        session=session,
        start=timestamp_pb(parse_instant(a.start, "--start")),
        idempotency_key=f"cli-{uuid.uuid4()}",
    )
    made = call(
        ctx.clients.scheduling.ScheduleTraining,
        request,
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="training",
    )

    def render(console: Console) -> None:
        console.print(
            f"[bold green]Training scheduled[/] {made.training_id} at {timestamp_text(made.time.start)}: "
            f"{len(made.seated_ids)} of {len(made.invitee_ids)} invited have a seat"
        )

    ctx.out.emit({"training": proto_dict(made)}, render)
    return Exit.OK


def run_list(ctx: Context) -> int:
    found = call(
        ctx.clients.scheduling.ListTrainingSessions,
        spb.ListTrainingSessionsRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="trainings",
    ).sessions

    def render(console: Console) -> None:
        rows = [
            (
                s.title,
                timestamp_text(s.time.start),
                ("yes" if s.seated else "no")
                if s.invited
                else f"{len(s.seated_ids)} of {len(s.invitee_ids)}",
                (str(len(s.attended_ids)) if not s.invited else ("yes" if s.attended_ids else "no"))
                if s.ended
                else "-",
            )
            for s in found
        ]
        console.print(ctx.out.table("Trainings", ("title", "start", "seated", "attended"), rows))

    ctx.out.emit({"sessions": [proto_dict(s) for s in found]}, render)
    return Exit.OK
