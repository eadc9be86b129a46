"""`python -m tenfour_notifications.devsink --port 1025 --maildir DIR`: the SMTP sink `make run`
embeds (aiosmtpd), keeping every mail in a Maildir for the developer outbox page. Local only:
it listens on loopback and accepts any recipient."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", required=True)
    args = parser.parse_args()
    for sub in ("tmp", "new", "cur"):  # a whole Maildir before the first mail (the outbox reads it)
        (Path(args.maildir) / sub).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(args.maildir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"SMTP sink on 127.0.0.1:{args.port}, mails in {args.maildir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
