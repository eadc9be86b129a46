"""A real SMTP server for tests: aiosmtpd's own command line, keeping every mail in a Maildir."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tenfour_testing.embedded import wait_for_port

__all__ = ["SmtpSink"]

_COMMAND = (sys.executable, "-m", "aiosmtpd", "-n")  # -n: never try to setuid to nobody


@dataclass
class SmtpSink:
    """aiosmtpd as its own process (its command line), keeping every mail in a Maildir."""

    port: int
    maildir: Path
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # Only the parent: Maildir makes cur/new/tmp itself, but only when the folder is new.
        self.maildir.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    *_COMMAND,
                    "-l",
                    f"127.0.0.1:{self.port}",
                    "-c",
                    "aiosmtpd.handlers.Mailbox",
                    str(self.maildir),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
