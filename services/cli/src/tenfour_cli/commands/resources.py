"""The agency's resources page: coordinators keep it, officers and peers read it."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.scheduling.v1 import resources_pb2 as spb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict
from tenfour_cli.rpc import call

__all__ = ["register"]

_CATEGORIES = {
    "hotline": spb.RESOURCE_CATEGORY_HOTLINE,
    "family": spb.RESOURCE_CATEGORY_FAMILY_SUPPORT,
    "psychoeducation": spb.RESOURCE_CATEGORY_PSYCHOEDUCATION,
    "resilience": spb.RESOURCE_CATEGORY_RESILIENCE,
    "workshop": spb.RESOURCE_CATEGORY_WORKSHOP,
}
_NAMES = {v: k for k, v in _CATEGORIES.items()}


def register(commands: Commands, common_opts: list[Any]) -> None:
    resources = commands.add_parser("resources", help="your agency's resources page")
    cmds = resources.add_subparsers(dest="resources_command", required=True, metavar="COMMAND")
    cmds.add_parser(
        "list",
        parents=common_opts,
        help="the resources, the crisis line and the agency's upcoming workshops",
        description="Workshops and group sessions are listed with their id: take a seat with "
        "`tenfour groups join GROUP_ID`.",
    ).set_defaults(handler=run_list)
    add = cmds.add_parser(
        "add",
        parents=common_opts,
        help="add a resource (coordinators)",
        description="e.g. `tenfour resources add hotline 'COPLINE' --phone 1-800-267-5463`.",
    )
    add.add_argument("category", choices=sorted(_CATEGORIES))
    add.add_argument("title")
    add.add_argument("--description", default="")
    add.add_argument("--phone", default="", help="the number to call (required for a hotline)")
    add.add_argument("--url", default="", help="an https:// address")
    add.set_defaults(handler=run_add)
    remove = cmds.add_parser("remove", parents=common_opts, help="remove a resource (coordinators)")
    remove.add_argument("resource", help="its id (from `tenfour resources list`)")
    remove.set_defaults(handler=run_remove)


def run_list(ctx: Context) -> int:
    found = call(
        ctx.clients.scheduling.ListResources,
        spb.ListResourcesRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="resources",
    )

    def render(console: Console) -> None:
        if found.crisis_line_text:
            console.print(found.crisis_line_text)
        rows = [
            (r.resource_id, _NAMES.get(r.category, "?"), r.title, r.phone or "-", r.url or "-")
            for r in found.resources
        ]
        console.print(ctx.out.table("Resources", ("id", "category", "title", "phone", "address"), rows))
        workshops = [
            (
                w.group_appointment_id,
                w.topic_code.replace("_", " ") or "group session",
                w.local_start[:16].replace("T", " "),
                w.provider_display_name or "-",
                "yours" if w.seated else f"{w.seats_free} of {w.capacity}",
                (f"no: {w.clash}" if w.clash else "yes") if found.zone else "-",
            )
            for w in found.workshops
        ]
        if not workshops:
            console.print("No workshop or group session is planned for the next 60 days.")
            return
        zone = found.zone or "UTC"
        columns = ("id", "topic", f"starts ({zone})", "with", "seats", "fits you")
        console.print(ctx.out.table("Workshops and group sessions", columns, workshops))
        console.print("Take a seat: tenfour groups join GROUP_ID")

    ctx.out.emit(proto_dict(found), render)
    return Exit.OK


def run_add(ctx: Context) -> int:
    a = ctx.args
    resource = spb.Resource(
        category=_CATEGORIES[a.category], title=a.title, description=a.description, phone=a.phone, url=a.url
    )
    stored = call(
        ctx.clients.scheduling.SetResource,
        spb.SetResourceRequest(resource=resource),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="resource",
    )
    ctx.out.emit(
        {"resource": proto_dict(stored)}, lambda console: console.print(f"Added {stored.resource_id}")
    )
    return Exit.OK


def run_remove(ctx: Context) -> int:
    call(
        ctx.clients.scheduling.RemoveResource,
        spb.RemoveResourceRequest(resource_id=ctx.args.resource),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="resource",
    )
    ctx.out.emit({"removed": ctx.args.resource}, lambda console: console.print("Removed."))
    return Exit.OK
