"""`python -m tenfour_signaling.client`: join a session and send a test pattern.

    python -m tenfour_signaling.client --target 127.0.0.1:50054 --appointment APPT \\
        --token "$TENFOUR_TOKEN" --seconds 10 [--relay-only] [--message hello]

Officers wait to be admitted and then call; providers admit whoever waits and answer. Prints
a JSON report (frames received, candidate pair, set-up times) and exits 0 once media flowed.
The token can come from TENFOUR_TOKEN instead of the command line (which others can read).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import asdict

from tenfour_signaling.client.session import SessionClient


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tenfour_signaling.client", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--target", action="append", required=True, help="service address; repeat to fail over"
    )
    parser.add_argument("--appointment", required=True)
    parser.add_argument("--token", default=os.environ.get("TENFOUR_TOKEN", ""))
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to stay in the call")
    parser.add_argument("--connect-timeout", type=float, default=120.0, help="waiting room included")
    parser.add_argument("--relay-only", action="store_true", help="hide this address: relay candidates only")
    parser.add_argument("--message", default="", help="send this over the data channel once connected")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("a token is needed (--token or TENFOUR_TOKEN)")
    return args


async def run(args: argparse.Namespace) -> dict[str, object]:
    client = SessionClient(args.target, args.token)
    try:
        joined = await client.join(args.appointment, relay_only=args.relay_only)
        async with asyncio.timeout(args.connect_timeout):
            peer = await client.connected()
        if args.message:
            await peer.channel_open.wait()
            peer.send_text(args.message)
        await asyncio.sleep(args.seconds)
        report = peer.report()
        return {
            "role": client.role,
            "participant_id": joined.participant_id,
            "waited": bool(client.waiting_messages),
            "resumes": client.port.resumes,
            **asdict(report),
        }
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        report = asyncio.run(run(args))
    except TimeoutError:
        print(json.dumps({"error": "not connected in time"}), file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    frames = report.get("frames_received")
    return 0 if isinstance(frames, int) and frames > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
