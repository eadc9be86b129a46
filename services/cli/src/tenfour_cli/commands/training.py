"""Peer-supporter readiness: the agency's required training, each peer's records and status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import training_pb2 as tpb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import parse_instant, timestamp_pb

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


def _instant(text: str, option: str) -> datetime:
    if len(text.strip()) == 10:  # a date: its start in UTC
        text = f"{text.strip()}T00:00:00Z"
    return parse_instant(text, option)


def run_require(ctx: Context) -> int:
    required = []
    for item in ctx.args.courses:
        code, _, title = item.partition("=")
        required.append(tpb.RequiredCourse(course=code.strip(), title=title.strip()))
    request = tpb.SetTrainingPolicyRequest(policy=tpb.TrainingPolicy(required=required))
    policy = call(
        ctx.clients.scheduling.SetTrainingPolicy,
        request,
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="policy",
    )

    def render(console: Console) -> None:
        names = ", ".join(c.course for c in policy.required) or "nothing"
        console.print(f"[bold green]Required training saved[/] (version {policy.version}): {names}")

    ctx.out.emit({"policy": proto_dict(policy)}, render)
    return Exit.OK


def run_record(ctx: Context) -> int:
    a = ctx.args
    record = tpb.TrainingRecord(peer_id=a.peer, course=a.course, provider=a.provider)
    record.completed_at.CopyFrom(timestamp_pb(_instant(a.completed, "--completed")))
    if a.expires:
        record.expires_at.CopyFrom(timestamp_pb(_instant(a.expires, "--expires")))
    stored = call(
        ctx.clients.scheduling.RecordTraining,
        tpb.RecordTrainingRequest(record=record),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="training record",
    )

    def render(console: Console) -> None:
        console.print(f"[bold green]Training recorded[/] {stored.record_id}")

    ctx.out.emit({"record": proto_dict(stored)}, render)
    return Exit.OK


def run_remove(ctx: Context) -> int:
    call(
        ctx.clients.scheduling.RemoveTrainingRecord,
        tpb.RemoveTrainingRecordRequest(peer_id=ctx.args.peer, record_id=ctx.args.record),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="training record",
    )
    ctx.out.emit({"removed": ctx.args.record}, lambda console: console.print("Training record removed."))
    return Exit.OK


def _until(p: tpb.PeerReadiness) -> str:
    if not p.HasField("ready_until"):
        return "-" if not p.offered else "no end"
    return timestamp_text(p.ready_until)


def run_status(ctx: Context) -> int:
    peer = ctx.args.peer
    if not peer and not getattr(ctx.args, "mine", False):
        peers = list(
            call(
                ctx.clients.scheduling.ListPeerReadiness,
                tpb.ListPeerReadinessRequest(),
                metadata=ctx.metadata(),
                timeout=ctx.timeout,
                what="peer readiness",
            ).peers
        )
    else:
        peers = [
            call(
                ctx.clients.scheduling.GetPeerReadiness,
                tpb.GetPeerReadinessRequest(peer_id=peer),
                metadata=ctx.metadata(),
                timeout=ctx.timeout,
                what="peer readiness",
            )
        ]

    def render(console: Console) -> None:
        rows = [
            (
                p.peer_id,
                p.display_name or "-",
                _STATES.get(p.state, "?"),
                "yes" if p.offered else "no",
                _until(p),
            )
            for p in peers
        ]
        console.print(ctx.out.table("Peer readiness", ("id", "name", "training", "offered", "until"), rows))
        for p in peers:
            for r in p.records:
                expires = timestamp_text(r.expires_at) if r.HasField("expires_at") else "does not expire"
                console.print(
                    f"  {p.peer_id} {r.record_id}: {r.course} by {r.provider}, "
                    f"{timestamp_text(r.completed_at)} -> {expires}"
                )

    ctx.out.emit({"peers": [proto_dict(p) for p in peers], "at": datetime.now(UTC).isoformat()}, render)
    return Exit.OK
