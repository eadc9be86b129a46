"""`tenfour`: operate and script Tenfour from a terminal (exit codes: see _EPILOG and README)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tenfour_cli import __version__
from tenfour_cli.app import Context, add_common_options
from tenfour_cli.commands import (
    account,
    admin,
    audit,
    calendar,
    campaigns,
    conflicts,
    enrol,
    groups,
    health,
    licences,
    outcomes,
    policy,
    preferences,
    profile,
    referrals,
    resources,
    rosters,
    scheduling,
    seed,
    series,
    session,
    training,
    trainings,
    urgent,
    users,
    waitlist,
)
from tenfour_cli.exits import CliError, Exit

__all__ = ["build_parser", "main"]

_EPILOG = """\
exit codes: 0 ok, 1 other failure, 2 usage, 3 unauthenticated or not allowed, 4 not found,
5 invalid input, 6 precondition (exists already, wrong state, MFA setup needed),
7 unavailable (service down or unhealthy, deadline, throttled, RPC not offered yet).

environment: TENFOUR_<SERVICE>_TARGET (e.g. TENFOUR_IDENTITY_TARGET=127.0.0.1:50051),
TENFOUR_TOKEN (an access token instead of the sign-in cache), TENFOUR_CONFIG_DIR (cache folder),
TENFOUR_PASSWORD / TENFOUR_TOTP_SECRET (for `login`), TENFOUR_DATA_DIR (for `seed`).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tenfour",
        description="Operate and script Tenfour: health, sign-in, agencies, rosters, slots, bookings, "
        "sessions, demo data.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tenfour {__version__}")
    add_common_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    add_common_options(common, suppress=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        health,
        account,
        enrol,
        admin,
        users,
        audit,
        rosters,
        scheduling,
        calendar,
        groups,
        training,
        trainings,
        licences,
        preferences,
        profile,
        policy,
        series,
        conflicts,
        urgent,
        waitlist,
        referrals,
        resources,
        campaigns,
        outcomes,
        session,
        seed,
    ):
        module.register(commands, [common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 here
    handler = getattr(args, "handler", None)
    if handler is None:  # a command group without its subcommand
        parser.print_help(sys.stderr)
        return Exit.USAGE
    ctx = Context.build(args)
    try:
        return int(handler(ctx))
    except CliError as exc:
        ctx.out.error(exc)
        return int(exc.exit)
    except KeyboardInterrupt:
        ctx.out.error(CliError("interrupted", Exit.FAILED))
        return int(Exit.FAILED)
    finally:
        ctx.clients.close()


if __name__ == "__main__":
    sys.exit(main())
