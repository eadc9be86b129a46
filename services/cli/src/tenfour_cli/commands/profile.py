"""A provider's own profile (therapists and peer supporters): what officers see when they book
(name, a few words, languages), whether they take new clients, and whether they take urgent
calls (modality crisis_on_call). The web app's Profile page, from a terminal."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.markup import escape

from tenfour.events.v1 import identity_events_pb2 as events_pb
from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict
from tenfour_cli.rpc import call

__all__ = ["register"]

ON_CALL = "crisis_on_call"


def _yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text in ("yes", "y", "true", "on", "1"):
        return True
    if text in ("no", "n", "false", "off", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected yes or no, not {value!r}")


def register(commands: Commands, common_opts: list[Any]) -> None:
    prof = commands.add_parser("profile", help="your own provider profile (therapists, peer supporters)")
    cmds = prof.add_subparsers(dest="profile_command", required=True, metavar="COMMAND")
    show = cmds.add_parser("show", parents=common_opts, help="your profile as officers see it")
    show.set_defaults(handler=run_show)
    change = cmds.add_parser(
        "set",
        parents=common_opts,
        help="change some of your profile; the rest stays as it is",
        description="e.g. `tenfour profile set --name 'Dr. Rivera' --languages en,es "
        "--new-clients yes --urgent-calls no`.",
    )
    change.add_argument("--name", default=None, help="your name as officers see it")
    change.add_argument("--bio", default=None, help="a few words about you (no contact details)")
    change.add_argument(
        "--languages", default=None, metavar="CODES", help="languages you hold sessions in, e.g. en,es"
    )
    change.add_argument(
        "--new-clients", type=_yes_no, default=None, metavar="yes|no", help="whether you take new clients"
    )
    change.add_argument(
        "--urgent-calls",
        type=_yes_no,
        default=None,
        metavar="yes|no",
        help="whether you take urgent calls (offered during the hours you mark Urgent)",
    )
    change.set_defaults(handler=run_set)


def _render(stored: events_pb.ProviderProfile) -> Any:
    def render(console: Console) -> None:
        takes_new = not stored.HasField("accepting_new_clients") or stored.accepting_new_clients
        console.print(f"name: {escape(stored.display_name) or '(not set)'}")
        console.print(f"about: {escape(stored.bio) or '(nothing yet)'}")
        console.print(f"languages: {', '.join(stored.languages) or '(none listed)'}")
        console.print(f"takes new clients: {'yes' if takes_new else 'no'}")
        console.print(f"takes urgent calls: {'yes' if ON_CALL in stored.modalities else 'no'}")

    return render


def _get(ctx: Context) -> events_pb.ProviderProfile:
    found: events_pb.ProviderProfile = call(
        ctx.clients.identity.GetProviderProfile,
        pb.GetProviderProfileRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="profile",
    )
    return found


def run_show(ctx: Context) -> int:
    stored = _get(ctx)
    ctx.out.emit({"profile": proto_dict(stored)}, _render(stored))
    return Exit.OK


def run_set(ctx: Context) -> int:
    args = ctx.args
    # UpdateProviderProfile replaces the whole profile: what is not changed here is sent back as is.
    wanted = _get(ctx)
    wanted.active = False
    wanted.first_responder_competent = False
    if args.name is not None:
        wanted.display_name = args.name.strip()
    if args.bio is not None:
        wanted.bio = args.bio.strip()
    if args.languages is not None:
        del wanted.languages[:]
        wanted.languages.extend(code.strip() for code in args.languages.split(",") if code.strip())
    if args.new_clients is not None:
        wanted.accepting_new_clients = args.new_clients
    if args.urgent_calls is not None:
        kept = [m for m in wanted.modalities if m != ON_CALL]
        del wanted.modalities[:]
        wanted.modalities.extend([*kept, ON_CALL] if args.urgent_calls else kept)
    stored: events_pb.ProviderProfile = call(
        ctx.clients.identity.UpdateProviderProfile,
        pb.UpdateProviderProfileRequest(profile=wanted),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="profile",
    )
    ctx.out.emit({"profile": proto_dict(stored)}, _render(stored))
    return Exit.OK
