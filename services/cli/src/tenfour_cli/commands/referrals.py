"""Warm handoff: peer supporters refer officers to clinicians; the officer agrees or not and
books from the referral, or asks the clinician to propose times and picks one; clinicians list
the referrals to them and propose times."""

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
    ask = cmds.add_parser(
        "ask-times", parents=common_opts, help="ask the referred clinician to propose times (officers)"
    )
    ask.add_argument("referral", help="the referral id (agreed to)")
    ask.add_argument("--note", default="", help="preferred days or times (optional; only they see it)")
    ask.set_defaults(handler=run_ask)
    offer = cmds.add_parser(
        "propose-times", parents=common_opts, help="propose 1-3 times for a referral (clinicians)"
    )
    offer.add_argument("referral", help="the referral id")
    offer.add_argument("--start", action="append", required=True, help="a start, ISO 8601 (repeat, 1-3)")
    offer.set_defaults(handler=run_offer)
    pick = cmds.add_parser("pick", parents=common_opts, help="book one of the proposed times (officers)")
    pick.add_argument("referral", help="the referral id")
    pick.add_argument("--start", required=True, help="one of the proposed starts (ISO 8601)")
    pick.set_defaults(handler=run_pick)


def _times(r: rpb.Referral) -> str:
    if r.HasField("proposed"):
        starts = ", ".join(timestamp_text(t.start) for t in r.proposed.times)
        return f"proposed: {starts} (until {timestamp_text(r.proposed.expires_at)})"
    if r.HasField("times_requested_at"):
        return "asked" + (f": {r.times_note}" if r.times_note else "")
    return ""


def _emit(ctx: Context, found: list[rpb.Referral]) -> None:
    def render(console: Console) -> None:
        rows = [
            (
                r.referral_id,
                ", ".join(r.clinician_ids) or "any",
                _STATES.get(r.state, "?"),
                timestamp_text(r.created_at),
                timestamp_text(r.answered_at) if r.HasField("answered_at") else "-",
                _times(r),
            )
            for r in found
        ]
        headers = ("referral", "clinicians", "state", "made", "answered", "times")
        console.print(ctx.out.table("Referrals", headers, rows))

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


def run_ask(ctx: Context) -> int:
    asked = call(
        ctx.clients.scheduling.RequestReferralTimes,
        rpb.RequestReferralTimesRequest(referral_id=ctx.args.referral, note=ctx.args.note),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="referral",
    )
    _emit(ctx, [asked])
    return Exit.OK


def run_offer(ctx: Context) -> int:
    starts = [timestamp_pb(parse_instant(s, "--start")) for s in ctx.args.start]
    offered = call(
        ctx.clients.scheduling.ProposeReferralTimes,
        rpb.ProposeReferralTimesRequest(referral_id=ctx.args.referral, starts=starts),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="referral",
    )
    _emit(ctx, [offered])
    return Exit.OK


def run_pick(ctx: Context) -> int:
    request = rpb.PickReferralTimeRequest(referral_id=ctx.args.referral)
    request.start.CopyFrom(timestamp_pb(parse_instant(ctx.args.start, "--start")))
    done = call(
        ctx.clients.scheduling.PickReferralTime,
        request,
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="referral",
    )
    return _booked(ctx, done)


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
    return _booked(ctx, done)


def _booked(ctx: Context, done: rpb.BookReferralResponse) -> int:
    def render(console: Console) -> None:
        when = timestamp_text(done.appointment.time.start)
        console.print(f"[bold green]Booked[/] {done.appointment.appointment_id} at {when}")

    ctx.out.emit({"referral": proto_dict(done.referral), "appointment": proto_dict(done.appointment)}, render)
    return Exit.OK
