"""What every command gets: parsed arguments, output, service clients and the caller's token."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from tenfour_cli.config import DEFAULT_TARGETS, Targets
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.output import Output
from tenfour_cli.rpc import Clients
from tenfour_cli.session import Credentials, SessionStore

__all__ = ["Commands", "Context", "add_common_options"]

if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Commands = argparse._SubParsersAction


def add_common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options valid before and after the command name (`tenfour --json health` = `tenfour health --json`)."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("common options")
    group.add_argument(
        "--json", action="store_true", default=default(False), help="one JSON document on stdout"
    )
    for service in DEFAULT_TARGETS:
        group.add_argument(
            f"--{service}-target",
            dest=f"{service}_target",
            metavar="HOST:PORT",
            default=default(None),
            help=f"{service} service (env TENFOUR_{service.upper()}_TARGET)",
        )
    group.add_argument(
        "--timeout", type=float, default=default(10.0), metavar="SECONDS", help="deadline of each call (10)"
    )
    group.add_argument(
        "--session-file",
        type=Path,
        default=default(None),
        metavar="PATH",
        help="sign-in cache (default ~/.config/tenfour/session.json; env TENFOUR_CONFIG_DIR)",
    )


@dataclass
class Context:
    args: argparse.Namespace
    out: Output
    clients: Clients
    creds: Credentials

    @classmethod
    def build(cls, args: argparse.Namespace) -> Context:
        targets = Targets.resolve({name: getattr(args, f"{name}_target", None) for name in DEFAULT_TARGETS})
        clients = Clients(targets, timeout=args.timeout)
        return cls(args, Output(args.json), clients, Credentials(clients, SessionStore(args.session_file)))

    @property
    def timeout(self) -> float:
        return self.clients.timeout

    @property
    def interactive(self) -> bool:
        return sys.stdin.isatty() and not self.args.json

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return self.creds.metadata()

    def secret_input(self, prompt: str, *, flag: str | None, env: str, stdin_flag: bool = False) -> str:
        """A password: from the flag, --password-stdin, the environment, or a hidden prompt."""
        if flag:
            return flag
        if stdin_flag:
            return sys.stdin.readline().rstrip("\n")
        if os.environ.get(env):
            return os.environ[env]
        if self.interactive:
            return getpass.getpass(prompt)
        raise CliError(f"{prompt.rstrip(': ').lower()} is required", Exit.USAGE, hint=f"pass it or set {env}")

    def text_input(self, prompt: str) -> str:
        if not self.interactive:
            raise CliError(f"{prompt.rstrip(': ')} is required", Exit.USAGE)
        return self.out.err.input(prompt)
