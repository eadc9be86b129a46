"""Clinicians' licences: recorded by agency or system admins, read by therapists."""

from __future__ import annotations

from typing import Any

from tenfour.scheduling.v1 import licensure_pb2 as lpb
from tenfour_cli.app import Commands, Context
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.records import ask, show_recorded, show_removed, show_table
from tenfour_cli.timeutil import day_or_instant, timestamp_pb

__all__ = ["register"]

_STATES = {
    lpb.LICENCE_STATE_VALID: "valid",
    lpb.LICENCE_STATE_EXPIRING: "expires within 30 days",
    lpb.LICENCE_STATE_EXPIRED: "expired",
    lpb.LICENCE_STATE_NOT_YET: "not valid yet",
}


def register(commands: Commands, common_opts: list[Any]) -> None:
    licences = commands.add_parser("licences", help="clinicians' licences (jurisdiction, number, expiry)")
    cmds = licences.add_subparsers(dest="licences_command", required=True, metavar="COMMAND")
    record = cmds.add_parser(
        "record",
        parents=common_opts,
        help="record a clinician's licence (agency or system admins)",
        description="e.g. `tenfour licences record CLINICIAN_ID --jurisdiction US-CA --number PSY-12345 "
        "--issued 2025-01-01 --expires 2027-01-01`.",
    )
    record.add_argument("clinician", help="the clinician's user id")
    record.add_argument("--jurisdiction", required=True, help="ISO 3166-2, e.g. US-CA")
    record.add_argument("--number", required=True, help="the licence number")
    record.add_argument("--issued", required=True, help="date or time of issue (ISO 8601)")
    record.add_argument("--expires", required=True, help="expiry date or time (ISO 8601)")
    record.set_defaults(handler=run_record)
    remove = cmds.add_parser("remove", parents=common_opts, help="remove a licence entered by mistake")
    remove.add_argument("clinician", help="the clinician's user id")
    remove.add_argument("licence", help="the licence id (from `tenfour licences list`)")
    remove.set_defaults(handler=run_remove)
    listing = cmds.add_parser(
        "list", parents=common_opts, help="licences of your agency's clinicians (a therapist: your own)"
    )
    listing.add_argument("clinician", nargs="?", default="", help="only this clinician")
    listing.add_argument("--agency", default="", help="system admins: the agency to list")
    listing.set_defaults(handler=run_list)


def run_record(ctx: Context) -> int:
    a = ctx.args
    licence = lpb.Licence(clinician_id=a.clinician, jurisdiction=a.jurisdiction, number=a.number)
    licence.issued_at.CopyFrom(timestamp_pb(day_or_instant(a.issued, "--issued")))
    licence.expires_at.CopyFrom(timestamp_pb(day_or_instant(a.expires, "--expires")))
    request = lpb.RecordLicenceRequest(licence=licence)
    stored = ask(ctx, ctx.clients.scheduling.RecordLicence, request, "licence")
    return show_recorded(
        ctx, "licence", stored, "Licence recorded", f"{stored.licence_id} ({stored.jurisdiction})"
    )


def run_remove(ctx: Context) -> int:
    request = lpb.RemoveLicenceRequest(clinician_id=ctx.args.clinician, licence_id=ctx.args.licence)
    ask(ctx, ctx.clients.scheduling.RemoveLicence, request, "licence")
    return show_removed(ctx, ctx.args.licence, "Licence removed.")


def run_list(ctx: Context) -> int:
    request = lpb.ListLicencesRequest(clinician_id=ctx.args.clinician, agency_id=ctx.args.agency)
    found = ask(ctx, ctx.clients.scheduling.ListLicences, request, "licences").clinicians
    rows = [
        (
            c.clinician_id,
            c.display_name or "-",
            s.licence.licence_id,
            s.licence.jurisdiction,
            s.licence.number,
            timestamp_text(s.licence.expires_at),
            _STATES.get(s.state, "?"),
        )
        for c in found
        for s in c.licences
    ]
    header = ("clinician", "name", "licence", "jurisdiction", "number", "expires", "status")
    return show_table(ctx, {"clinicians": [proto_dict(c) for c in found]}, "Licences", header, rows)
