"""Warm handoff: peer supporters refer officers to clinicians; the officer agrees or not and
books from the referral; clinicians list the referrals to them."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import referrals_pb2 as rpb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import parse_instant, timestamp_pb

__all__ = ["register"]

_STATES = {
    rpb.REFERRAL_STATE_PROPOSED: "waiting for an answer",
    rpb.REFERRAL_STATE_CONSENTED: "agreed",
    rpb.REFERRAL_STATE_DECLINED: "declined",
    rpb.REFERRAL_STATE_BOOKED: "booked",
    rpb.REFERRAL_STATE_EXPIRED: "expired",
}


def register(commands: Commands, common_opts: list[Any]) -> None:
    referrals = commands.add_parser("referrals", help="warm handoff from a peer supporter to a clinician")
    cmds = referrals.add_subparsers(dest="referrals_command", required=True, metavar="COMMAND")
    propose = cmds.add_parser(
        "propose", parents=common_opts, help="refer an officer you support (peer supporters)"
    )
    propose.add_argument("officer", help="the officer's id (someone you had a session with)")
    propose.add_argument(
        "--clinician", action="append", default=[], help="a clinician's id (repeat; omit: any)"
    )
    propose.set_defaults(handler=run_propose)
    cmds.add_parser(
        "list", parents=common_opts, help="your referrals (or, clinicians, those to you)"
    ).set_defaults(handler=run_list)
    answer = cmds.add_parser("answer", parents=common_opts, help="agree to or decline a referral (officers)")
    answer.add_argument("referral", help="the referral id")
    answer.add_argument("--agree", action="store_true", help="agree (without it: decline)")
    answer.add_argument(
        "--share-booked", action="store_true", help="let the peer supporter see that you booked"
    )
    answer.set_defaults(handler=run_answer)
    book = cmds.add_parser("book", parents=common_opts, help="book a referred clinician (officers)")
    book.add_argument("referral", help="the referral id")
    book.add_argument("--provider", required=True, help="the clinician's id")
    book.add_argument("--start", required=True, help="a start from `tenfour slots find` (ISO 8601)")
    book.set_defaults(handler=run_book)


def _emit(ctx: Context, found: list[rpb.Referral]) -> None:
    def render(console: Console) -> None:
        rows = [
            (
                r.referral_id,
                ", ".join(r.clinician_ids) or "any",
                _STATES.get(r.state, "?"),
                timestamp_text(r.created_at),
            )
            for r in found
        ]
        console.print(ctx.out.table("Referrals", ("referral", "clinicians", "state", "made"), rows))

    ctx.out.emit({"referrals": [proto_dict(r) for r in found]}, render)


def run_propose(ctx: Context) -> int:
    made = call(
        ctx.clients.scheduling.ProposeReferral,
        rpb.ProposeReferralRequest(officer_id=ctx.args.officer, clinician_ids=ctx.args.clinician),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="referral",
    )
    _emit(ctx, [made])
    return Exit.OK


def run_list(ctx: Context) -> int:
    found = call(
        ctx.clients.scheduling.ListReferrals,
        rpb.ListReferralsRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="referrals",
    )
    _emit(ctx, list(found.referrals))
    return Exit.OK


def run_answer(ctx: Context) -> int:
    a = ctx.args
    answered = call(
        ctx.clients.scheduling.AnswerReferral,
        rpb.AnswerReferralRequest(
            referral_id=a.referral, consent=a.agree, share_booked_with_peer=a.share_booked
        ),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="referral",
    )
    _emit(ctx, [answered])
    return Exit.OK


def run_book(ctx: Context) -> int:
    a = ctx.args
    request = rpb.BookReferralRequest(referral_id=a.referral, provider_id=a.provider)
    request.start.CopyFrom(timestamp_pb(parse_instant(a.start, "--start")))
    done = call(
        ctx.clients.scheduling.BookReferral,
        request,
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="referral",
    )

    def render(console: Console) -> None:
        when = timestamp_text(done.appointment.time.start)
        console.print(f"[bold green]Booked[/] {done.appointment.appointment_id} at {when}")

    ctx.out.emit({"referral": proto_dict(done.referral), "appointment": proto_dict(done.appointment)}, render)
    return Exit.OK
