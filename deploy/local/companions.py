"""The optional servers beside the core: coturn (TURN), Janus (group SFU) and an SMTP sink.

Each starts only when its program is installed and no real one is configured.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys

from local_system import DATA, PORTS, console, pick_port

from tenfour_testing.embedded import wait_for_port


def start_turn(stack: contextlib.ExitStack, env: dict[str, str]) -> dict[str, str]:
    """An embedded coturn for video sessions when Debian's coturn is installed (no root needed).

    Without it clients get no STUN/TURN servers, which still works between two browsers on
    this machine or one network.
    """
    if os.environ.get("TENFOUR_TURN_HOST") or shutil.which("turnserver") is None:
        return {}
    from tenfour_testing.coturn import Coturn  # the embedded TURN server of the development system
    from tenfour_testing.janus import primary_address

    # Relayed officers reach the group SFU through it, and Janus never pairs with loopback.
    host = primary_address() if shutil.which("janus") else "127.0.0.1"
    turn = stack.enter_context(Coturn(DATA / "coturn", host=host, secret=env["TENFOUR_TURN_SECRET"]))
    console.print(f"  • TURN (coturn)   turn:{turn.host}:{turn.port}")
    return {"TENFOUR_TURN_HOST": turn.host, "TENFOUR_TURN_PORT": str(turn.port)}


def start_janus(stack: contextlib.ExitStack) -> dict[str, str]:
    """An embedded Janus (VideoRoom SFU) for group sessions when Debian's janus is installed.

    Its API and admin ports listen on loopback with fresh secrets: only signaling talks to it.
    Without it, groups are a mesh of browsers (fine for three or four people).
    """
    if os.environ.get("TENFOUR_JANUS_URLS") or shutil.which("janus") is None:
        return {}
    from tenfour_testing.janus import JanusServer  # demo helper shipped with signaling

    janus = stack.enter_context(JanusServer(DATA / "janus"))
    console.print(f"  • SFU (Janus)     {janus.url}")
    return {
        "TENFOUR_JANUS_URLS": janus.url,
        "TENFOUR_JANUS_API_SECRET": janus.api_secret,
        "TENFOUR_JANUS_ROOM_ADMIN_KEY": janus.room_admin_key,
    }


def start_mail_sink(stack: contextlib.ExitStack) -> dict[str, str]:
    """An embedded SMTP sink (aiosmtpd) keeping every mail in .data/mailbox, which the web app's
    developer outbox page lists (ListDevMailbox). Skipped when TENFOUR_NOTIFICATIONS_SMTP_HOST
    points at a real server."""
    if os.environ.get("TENFOUR_NOTIFICATIONS_SMTP_HOST") or importlib.util.find_spec("aiosmtpd") is None:
        return {}
    port = pick_port(PORTS.smtp)
    maildir = DATA / "mailbox"
    with (DATA / "logs" / "mail-sink.log").open("ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tenfour_notifications.devsink",
                "--port",
                str(port),
                "--maildir",
                str(maildir),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    stack.callback(stop)
    wait_for_port(port, proc, timeout=15.0)
    console.print(
        f"  • mail sink       smtp://127.0.0.1:{port} (mails in {maildir}, the web app's outbox page)"
    )
    return {
        "TENFOUR_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "TENFOUR_NOTIFICATIONS_SMTP_PORT": str(port),
        "TENFOUR_NOTIFICATIONS_DEV_MAILBOX_DIR": str(maildir),
    }
