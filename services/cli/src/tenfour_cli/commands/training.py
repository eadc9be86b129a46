"""Peer-supporter readiness: the agency's required training, each peer's records and status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import training_pb2 as tpb
from tenfour_cli.app import Commands, Context
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.records import ask, show_recorded, show_removed, show_table
from tenfour_cli.timeutil import day_or_instant, timestamp_pb

__all__ = ["register"]

_STATES = {
    tpb.READINESS_STATE_CURRENT: "current",
    tpb.READINESS_STATE_LAPSING: "expires within 30 days",
    tpb.READINESS_STATE_LAPSED: "not current (not offered)",
    tpb.READINESS_STATE_NOT_REQUIRED: "nothing required",
}


def register(commands: Commands, common_opts: list[Any]) -> None:
    training = commands.add_parser("training", help="peer supporters' required training and records")
    cmds = training.add_subparsers(dest="training_command", required=True, metavar="COMMAND")
    policy = cmds.add_parser(
        "require",
        parents=common_opts,
        help="set the courses your agency's peer supporters must keep current (coordinators)",
        description="e.g. `tenfour training require peer_initial_40h='Initial 40-hour course' "
        "annual_refresher`. No course: nothing is required.",
    )
    policy.add_argument("courses", nargs="*", help="course codes, each optionally =TITLE")
    policy.set_defaults(handler=run_require)

    record = cmds.add_parser(
        "record",
        parents=common_opts,
        help="record a peer supporter's training (coordinators)",
        description="e.g. `tenfour training record PEER_ID --course annual_refresher "
        "--provider 'State academy' --completed 2026-01-10 --expires 2027-01-10`.",
    )
    record.add_argument("peer", help="the peer supporter's user id")
    record.add_argument("--course", required=True, help="course code")
    record.add_argument("--provider", required=True, help="who gave the training")
    record.add_argument("--completed", required=True, help="completion date or time (ISO 8601)")
    record.add_argument("--expires", default="", help="expiry date or time (ISO 8601); omit: does not expire")
    record.set_defaults(handler=run_record)

    remove = cmds.add_parser(
        "remove", parents=common_opts, help="remove a training record entered by mistake"
    )
    remove.add_argument("peer", help="the peer supporter's user id")
    remove.add_argument("record", help="the record id (from `tenfour training status`)")
    remove.set_defaults(handler=run_remove)

    status = cmds.add_parser(
        "status", parents=common_opts, help="readiness of your agency's peers (coordinators)"
    )
    status.add_argument("peer", nargs="?", default="", help="only this peer supporter")
    status.set_defaults(handler=run_status)
    mine = cmds.add_parser("mine", parents=common_opts, help="your own training status (peer supporters)")
    mine.set_defaults(handler=run_status, peer="", mine=True)


def run_require(ctx: Context) -> int:
    required = []
    for item in ctx.args.courses:
        code, _, title = item.partition("=")
        required.append(tpb.RequiredCourse(course=code.strip(), title=title.strip()))
    request = tpb.SetTrainingPolicyRequest(policy=tpb.TrainingPolicy(required=required))
    policy = ask(ctx, ctx.clients.scheduling.SetTrainingPolicy, request, "policy")
    names = ", ".join(c.course for c in policy.required) or "nothing"
    return show_recorded(
        ctx, "policy", policy, "Required training saved", f"(version {policy.version}): {names}"
    )


def run_record(ctx: Context) -> int:
    a = ctx.args
    record = tpb.TrainingRecord(peer_id=a.peer, course=a.course, provider=a.provider)
    record.completed_at.CopyFrom(timestamp_pb(day_or_instant(a.completed, "--completed")))
    if a.expires:
        record.expires_at.CopyFrom(timestamp_pb(day_or_instant(a.expires, "--expires")))
    request = tpb.RecordTrainingRequest(record=record)
    stored = ask(ctx, ctx.clients.scheduling.RecordTraining, request, "training record")
    return show_recorded(ctx, "record", stored, "Training recorded", stored.record_id)


def run_remove(ctx: Context) -> int:
    request = tpb.RemoveTrainingRecordRequest(peer_id=ctx.args.peer, record_id=ctx.args.record)
    ask(ctx, ctx.clients.scheduling.RemoveTrainingRecord, request, "training record")
    return show_removed(ctx, ctx.args.record, "Training record removed.")


def _until(p: tpb.PeerReadiness) -> str:
    if not p.HasField("ready_until"):
        return "-" if not p.offered else "no end"
    return timestamp_text(p.ready_until)


def run_status(ctx: Context) -> int:
    peer, scheduling = ctx.args.peer, ctx.clients.scheduling
    if not peer and not getattr(ctx.args, "mine", False):
        request = tpb.ListPeerReadinessRequest()
        peers = list(ask(ctx, scheduling.ListPeerReadiness, request, "peer readiness").peers)
    else:
        peers = [
            ask(ctx, scheduling.GetPeerReadiness, tpb.GetPeerReadinessRequest(peer_id=peer), "peer readiness")
        ]
    rows = [
        (p.peer_id, p.display_name or "-", _STATES.get(p.state, "?"), "yes" if p.offered else "no", _until(p))
        for p in peers
    ]

    def records(console: Console) -> None:
        for p in peers:
            for r in p.records:
                expires = timestamp_text(r.expires_at) if r.HasField("expires_at") else "does not expire"
                console.print(
                    f"  {p.peer_id} {r.record_id}: {r.course} by {r.provider}, "
                    f"{timestamp_text(r.completed_at)} -> {expires}"
                )

    data = {"peers": [proto_dict(p) for p in peers], "at": datetime.now(UTC).isoformat()}
    header = ("id", "name", "training", "offered", "until")
    return show_table(ctx, data, "Peer readiness", header, rows, after=records)
