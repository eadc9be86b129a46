"""Administration: agencies and their coordinators, enrolment codes, therapists, peer supporters,
and a provider's default availability."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console

from tenfour.availability.v1 import availability_pb2 as avp
from tenfour.events.v1 import identity_events_pb2 as evp
from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.passwords import new_password
from tenfour_cli.rpc import call
from tenfour_cli.timeutil import timestamp_pb

__all__ = ["new_password", "register"]


def register(commands: Commands, common: list[Any]) -> None:
    agency = commands.add_parser("agency", help="agencies and their wellness coordinators")
    agency_cmds = agency.add_subparsers(dest="agency_command", required=True, metavar="COMMAND")
    create = agency_cmds.add_parser("create", parents=common, help="create an agency (system admin)")
    create.add_argument("--name", required=True)
    create.add_argument("--timezone", required=True, help="IANA zone, e.g. America/Chicago")
    create.add_argument("--jurisdiction", default="", help="e.g. US-TX (for the therapists' licensure)")
    create.add_argument(
        "--crisis-line", default="", help="what officers see in a crisis, e.g. 'Call or text 988'"
    )
    create.set_defaults(handler=run_agency_create)

    admin = agency_cmds.add_parser(
        "add-admin", parents=common, help="add a wellness coordinator (agency admin) to an agency"
    )
    admin.add_argument("--agency", default="", help="agency id (agency admins: empty = their own)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True, help="display name")
    admin.add_argument("--username", default="", help="default: derived from the e-mail")
    admin.add_argument("--password", default="", help="default: a generated one, printed once")
    admin.set_defaults(handler=run_agency_admin)

    codes = commands.add_parser("codes", help="enrolment codes (officers sign up anonymously with one)")
    codes_cmds = codes.add_subparsers(dest="codes_command", required=True, metavar="COMMAND")
    code = codes_cmds.add_parser("create", parents=common, help="issue an enrolment code (shown once)")
    code.add_argument("--agency", default="", help="agency id (agency admins: empty = their own)")
    code.add_argument("--max", type=int, default=1, dest="max_redemptions", help="how many sign-ups (1)")
    code.add_argument("--expires-days", type=float, default=0, help="default 30, at most 365")
    code.add_argument("--label", default="", help="for the coordinator, e.g. 'Night shift roll call'")
    code.set_defaults(handler=run_code_create)
    listing = codes_cmds.add_parser(
        "list", parents=common, help="the agency's codes, newest first (never the code)"
    )
    listing.add_argument("--agency", default="", help="agency id (agency admins: empty = their own)")
    listing.set_defaults(handler=run_code_list)
    revoke = codes_cmds.add_parser("revoke", parents=common, help="stop a code at once (a leaked one, say)")
    revoke.add_argument("code_id", help="the code's id, from 'tenfour codes list'")
    revoke.add_argument("--agency", default="", help="agency id (agency admins: empty = their own)")
    revoke.set_defaults(handler=run_code_revoke)

    therapist = commands.add_parser("therapist", help="therapists")
    therapist_cmds = therapist.add_subparsers(dest="therapist_command", required=True, metavar="COMMAND")
    onboard = therapist_cmds.add_parser("onboard", parents=common, help="onboard a therapist (system admin)")
    onboard.add_argument("--email", required=True)
    onboard.add_argument("--name", required=True, help="professional display name, e.g. 'Dr. Ana Rivera'")
    onboard.add_argument("--username", default="")
    onboard.add_argument("--password", default="", help="default: a generated one, printed once")
    onboard.add_argument("--timezone", required=True, help="IANA zone of their working hours")
    onboard.add_argument(
        "--jurisdiction", action="append", default=[], help="where licensed, e.g. US-TX (repeat)"
    )
    onboard.add_argument(
        "--serves", action="append", default=[], metavar="AGENCY_ID", help="agency served (repeat)"
    )
    onboard.add_argument("--agency", default="", help="in-house clinician of this agency")
    onboard.add_argument(
        "--specialty", action="append", default=[], help="e.g. trauma_ptsd, critical_incident, sleep (repeat)"
    )
    onboard.add_argument(
        "--modality",
        action="append",
        default=[],
        help="individual | group | crisis_on_call (default individual)",
    )
    onboard.add_argument("--language", action="append", default=[], help="BCP 47 tag (default en)")
    onboard.add_argument("--gender", default="", help="female | male | non_binary | undisclosed")
    onboard.add_argument(
        "--competency", default="", help="none | trained | lived_experience (first responders)"
    )
    onboard.add_argument("--bio", default="")
    onboard.set_defaults(handler=run_therapist_onboard)

    peer = commands.add_parser("peer", help="peer supporters")
    peer_cmds = peer.add_subparsers(dest="peer_command", required=True, metavar="COMMAND")
    nominate = peer_cmds.add_parser(
        "nominate", parents=common, help="make an officer of your agency a peer supporter (agency admin)"
    )
    nominate.add_argument(
        "--officer", required=True, metavar="USER_ID", help="their user id (from `tenfour whoami`)"
    )
    nominate.add_argument("--timezone", required=True)
    nominate.add_argument("--specialty", action="append", default=[])
    nominate.add_argument("--modality", action="append", default=[])
    nominate.add_argument("--language", action="append", default=[])
    nominate.add_argument("--gender", default="")
    nominate.set_defaults(handler=run_peer_nominate)

    availability = commands.add_parser("availability", help="a provider's hours")
    availability_cmds = availability.add_subparsers(
        dest="availability_command", required=True, metavar="COMMAND"
    )
    default = availability_cmds.add_parser(
        "default", parents=common, help="become bookable: Mon-Fri 09:00-17:00 individual sessions"
    )
    default.add_argument("--provider", default="", help="provider id (default: yourself)")
    default.add_argument("--timezone", default="", help="default: the profile's zone")
    default.set_defaults(handler=run_default_rules)


def _done(ctx: Context, data: dict[str, Any], rows: list[tuple[str, object]], title: str) -> int:
    def render(console: Console) -> None:
        console.print(f"[bold green]{title}[/]")
        console.print(ctx.out.pairs(rows))

    ctx.out.emit(data, render)
    return Exit.OK


def run_agency_create(ctx: Context) -> int:
    a = ctx.args
    request = idp.CreateAgencyRequest(
        name=a.name, timezone=a.timezone, jurisdiction=a.jurisdiction, crisis_line_text=a.crisis_line
    )
    agency = call(ctx.clients.identity.CreateAgency, request, metadata=ctx.metadata(), timeout=ctx.timeout)
    rows: list[tuple[str, object]] = [
        ("agency id", agency.agency_id),
        ("name", agency.name),
        ("timezone", agency.timezone),
        ("jurisdiction", agency.jurisdiction or "-"),
    ]
    return _done(ctx, {"agency": proto_dict(agency)}, rows, "Agency created")


def run_agency_admin(ctx: Context) -> int:
    a = ctx.args
    password = a.password or new_password()
    request = idp.CreateAgencyAdminRequest(
        agency_id=a.agency, email=a.email, display_name=a.name, password=password, username=a.username
    )
    user = call(ctx.clients.identity.CreateAgencyAdmin, request, metadata=ctx.metadata(), timeout=ctx.timeout)
    data: dict[str, Any] = {"user": proto_dict(user)}
    rows: list[tuple[str, object]] = [("user id", user.user_id), ("username", user.username)]
    if not a.password:
        data["password"] = password
        rows.append(("password", f"{password}  (shown once; MFA is set up at first sign-in)"))
    return _done(ctx, data, rows, "Coordinator created")


def run_code_create(ctx: Context) -> int:
    a = ctx.args
    request = idp.CreateEnrolmentCodeRequest(
        agency_id=a.agency, max_redemptions=a.max_redemptions, label=a.label
    )
    if a.expires_days:
        request.expires_at.CopyFrom(timestamp_pb(datetime.now(UTC) + timedelta(days=a.expires_days)))
    code = call(
        ctx.clients.identity.CreateEnrolmentCode, request, metadata=ctx.metadata(), timeout=ctx.timeout
    )
    rows: list[tuple[str, object]] = [
        ("code", f"{code.code}  (shown once)"),
        ("sign-ups", code.max_redemptions),
        ("expires", timestamp_text(code.expires_at)),
        ("agency", code.agency_id),
        ("label", code.label or "-"),
    ]
    return _done(ctx, {"code": proto_dict(code)}, rows, "Enrolment code issued")


def _usage(code: idp.EnrolmentCodeSummary) -> str:
    return "fewer than 11" if code.redemptions_suppressed else f"about {code.redemptions}"


def run_code_list(ctx: Context) -> int:
    request = idp.ListEnrolmentCodesRequest(agency_id=ctx.args.agency)
    reply = call(
        ctx.clients.identity.ListEnrolmentCodes, request, metadata=ctx.metadata(), timeout=ctx.timeout
    )

    def render(console: Console) -> None:
        if not reply.codes:
            console.print("No enrolment codes yet.")
            return
        rows = [
            (
                c.code_id,
                c.label or "-",
                c.state,
                str(c.max_redemptions),
                _usage(c),
                timestamp_text(c.created_at),
                timestamp_text(c.expires_at),
            )
            for c in reply.codes
        ]
        headers = ("id", "label", "state", "seats", "used", "made", "until")
        console.print(ctx.out.table("Enrolment codes", headers, rows))

    ctx.out.emit({"codes": [proto_dict(c) for c in reply.codes]}, render)
    return Exit.OK


def run_code_revoke(ctx: Context) -> int:
    a = ctx.args
    request = idp.RevokeEnrolmentCodeRequest(agency_id=a.agency, code_id=a.code_id)
    code = call(
        ctx.clients.identity.RevokeEnrolmentCode, request, metadata=ctx.metadata(), timeout=ctx.timeout
    )
    rows: list[tuple[str, object]] = [
        ("id", code.code_id),
        ("label", code.label or "-"),
        ("stopped", timestamp_text(code.revoked_at)),
        ("used", _usage(code)),
    ]
    return _done(ctx, {"code": proto_dict(code)}, rows, "Enrolment code stopped: nobody can join with it now")


def _profile(a: argparse.Namespace, **extra: Any) -> evp.ProviderProfile:
    return evp.ProviderProfile(
        specialties=a.specialty,
        modalities=a.modality or ["individual"],
        languages=a.language or ["en"],
        gender=a.gender,
        timezone=a.timezone,
        **extra,
    )


def run_therapist_onboard(ctx: Context) -> int:
    a = ctx.args
    password = a.password or new_password()
    profile = _profile(
        a,
        jurisdictions=a.jurisdiction,
        agency_ids=a.serves,
        first_responder_competency=a.competency,
        bio=a.bio,
    )
    request = idp.OnboardTherapistRequest(
        email=a.email,
        display_name=a.name,
        password=password,
        profile=profile,
        username=a.username,
        agency_id=a.agency,
    )
    user = call(ctx.clients.identity.OnboardTherapist, request, metadata=ctx.metadata(), timeout=ctx.timeout)
    data: dict[str, Any] = {"user": proto_dict(user)}
    rows: list[tuple[str, object]] = [("user id", user.user_id), ("username", user.username)]
    if not a.password:
        data["password"] = password
        rows.append(("password", f"{password}  (shown once; MFA is set up at first sign-in)"))
    return _done(ctx, data, rows, "Therapist onboarded")


def run_peer_nominate(ctx: Context) -> int:
    a = ctx.args
    request = idp.NominatePeerSupporterRequest(officer_user_id=a.officer, profile=_profile(a))
    user = call(
        ctx.clients.identity.NominatePeerSupporter, request, metadata=ctx.metadata(), timeout=ctx.timeout
    )
    rows: list[tuple[str, object]] = [("user id", user.user_id), ("note", "they sign in again to act as one")]
    return _done(ctx, {"user": proto_dict(user)}, rows, "Peer supporter nominated")


def run_default_rules(ctx: Context) -> int:
    a = ctx.args
    provider = a.provider
    if not provider:
        me = call(
            ctx.clients.identity.GetMe, idp.GetMeRequest(), metadata=ctx.metadata(), timeout=ctx.timeout
        )
        provider = me.user_id
    rules = call(
        ctx.clients.availability.UseDefaultRules,
        avp.UseDefaultRulesRequest(provider_id=provider, timezone=a.timezone),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
    )
    rows: list[tuple[str, object]] = [
        ("provider", rules.provider_id),
        ("timezone", rules.timezone),
        ("weekly windows", len(rules.weekly)),
        ("version", rules.version),
    ]
    return _done(ctx, {"rules": proto_dict(rules)}, rows, "Default hours set")
