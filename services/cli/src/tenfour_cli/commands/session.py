"""`tenfour session join`: a headless aiortc participant in a booked session.

Uses signaling's client library (`tenfour_signaling.client`, installed with tenfour-signaling or
`pip install tenfour-cli[session]`): joins, waits in the waiting room (officers) or admits whoever
waits (providers), sends a test-pattern camera, and reports what ICE chose and the set-up times.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from rich.console import Console

from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import CliError, Exit, exit_for_status
from tenfour_cli.reasons import plain_refusal

__all__ = ["register"]

TICK_SECONDS = 5.0


def register(commands: Commands, common: list[Any]) -> None:
    session = commands.add_parser("session", help="video sessions")
    session_cmds = session.add_subparsers(dest="session_command", required=True, metavar="COMMAND")
    join = session_cmds.add_parser(
        "join",
        parents=common,
        help="join a booked session as a headless participant (test pattern video)",
        description="Exit 0 once video frames were received; 6 if the room is not open (too early, "
        "ended) or nobody connected in time; 3 if you are not a participant.",
    )
    join.add_argument("appointment", help="appointment id (from `tenfour appointments list`)")
    join.add_argument("--seconds", type=float, default=10.0, help="how long to stay once connected (10)")
    join.add_argument("--connect-timeout", type=float, default=120.0, help="waiting room included (120)")
    join.add_argument("--relay-only", action="store_true", help="hide this address: TURN relay only")
    join.add_argument("--message", default="", help="send this over the data channel once connected")
    join.set_defaults(handler=run_join)


def client_available() -> bool:
    try:
        return importlib.util.find_spec("tenfour_signaling.client") is not None
    except ModuleNotFoundError:
        return False


async def _participate(ctx: Context, token: str, step: Callable[[str, float], None]) -> dict[str, Any]:
    from tenfour_signaling.client import SessionClient, SignalingError

    a = ctx.args
    client = SessionClient([ctx.clients.targets.signaling], token)
    try:
        try:
            step("joining", 0)
            joined = await client.join(a.appointment, relay_only=a.relay_only)
            waiting = "in the waiting room: the provider lets you in" if joined.waiting else "connecting"
            step(f"{waiting} (up to {a.connect_timeout:g} s; Ctrl-C stops)", 0)
            ticker = asyncio.create_task(_tick(waiting, a.connect_timeout, step))
            try:
                async with asyncio.timeout(a.connect_timeout):
                    peer = await client.connected()
            finally:
                ticker.cancel()
            step("connected", 0)
        except SignalingError as exc:
            code = exc.code.name if exc.code else ""
            hint = (
                "rooms open shortly before the start (see `tenfour appointments list`)"
                if code == "FAILED_PRECONDITION"
                else ""
            )
            # "Join: the room is not open yet": the RPC's name means nothing to people.
            text = re.sub(r"^[A-Z][A-Za-z]+: ", "", str(exc))
            words, reason = plain_refusal(text)
            raise CliError(
                words or text, exit_for_status(exc.code), code, hint=hint, reason_code=reason
            ) from None
        except TimeoutError:
            raise CliError(
                f"not connected within {a.connect_timeout:g} s",
                Exit.PRECONDITION,
                hint="the other participant has to join too (the provider admits officers)",
            ) from None
        if a.message:
            await peer.channel_open.wait()
            peer.send_text(a.message)
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < a.seconds:
            step("in the call", min(elapsed / a.seconds, 1.0))
            await asyncio.sleep(min(0.5, a.seconds - elapsed))
        step("leaving", 1.0)
        report = asdict(peer.report())
        return {
            "appointment_id": a.appointment,
            "role": client.role,
            "participant_id": joined.participant_id,
            "waited": bool(client.waiting_messages),
            "relay_only": joined.relay_only,
            **report,
        }
    finally:
        await client.close()


async def _tick(what: str, limit: float, step: Callable[[str, float], None]) -> None:
    """While waiting: how long so far, so a silent wait never looks like a hang."""
    started = time.monotonic()
    while True:
        await asyncio.sleep(TICK_SECONDS)
        step(f"still {what}: {time.monotonic() - started:.0f} s of {limit:g} s", 0)


def run_join(ctx: Context) -> int:
    if not client_available():
        raise CliError(
            "session join needs signaling's client library, which is not installed here",
            Exit.UNAVAILABLE,
            hint="install tenfour-signaling (pip install -e services/signaling) or tenfour-cli[session]",
        )
    token = ctx.creds.token()
    with ctx.out.progress() as progress:
        task = progress.add_task("joining", total=100)
        said = [""]

        def step(what: str, fraction: float) -> None:
            progress.update(task, description=what, completed=int(fraction * 100))
            if not ctx.out.err.is_terminal and what != said[-1]:
                said.append(what)  # no live bar (a pipe, a log): one line per change instead
                ctx.out.err.print(f"{what}...")

        report = asyncio.run(_participate(ctx, token, step))

    def render(console: Console) -> None:
        pair = report.get("candidate_pair")
        connected, first = report.get("offer_to_connected"), report.get("offer_to_first_frame")
        console.print(
            ctx.out.pairs(
                [
                    ("appointment", report["appointment_id"]),
                    ("joined as", report["role"]),
                    ("waited to be admitted", "yes" if report["waited"] else "no"),
                    ("frames received", report["frames_received"]),
                    ("candidate pair", " -> ".join(pair) if pair else "-"),
                    ("offer to connected", f"{connected * 1000:.0f} ms" if connected is not None else "-"),
                    ("offer to first frame", f"{first * 1000:.0f} ms" if first is not None else "-"),
                    ("messages", ", ".join(report.get("messages", ())) or "-"),
                ]
            )
        )

    ctx.out.emit(report, render)
    frames = report.get("frames_received")
    if not isinstance(frames, int) or frames <= 0:
        if not ctx.out.json:
            ctx.out.err.print("[bold red]no video frame arrived[/]")
        return Exit.UNAVAILABLE
    return Exit.OK
