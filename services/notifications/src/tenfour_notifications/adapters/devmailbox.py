"""The developer outbox: mails caught by the embedded SMTP sink (a Maildir), newest first."""

from __future__ import annotations

import asyncio
import mailbox
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

__all__ = ["DevMail", "DevMailbox"]


@dataclass(frozen=True, slots=True)
class DevMail:
    mail_id: str
    received_at: datetime
    mail_from: str
    rcpt_to: list[str]
    subject: str
    text_body: str


def _read(directory: Path, limit: int) -> list[DevMail]:
    if not (directory / "new").is_dir() or not (directory / "cur").is_dir():
        return []  # the sink has not received anything yet
    box = mailbox.Maildir(directory, create=False)
    found: list[DevMail] = []
    for key in box.iterkeys():
        path = directory / ("new" if (directory / "new" / key).exists() else "cur")
        files = list(path.glob(f"{key}*"))
        if not files:
            continue
        raw = files[0].read_bytes()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        found.append(
            DevMail(
                mail_id=key,
                received_at=datetime.fromtimestamp(files[0].stat().st_mtime, UTC),
                mail_from=str(message.get("X-MailFrom", message.get("From", ""))),
                rcpt_to=[r.strip() for r in str(message.get("X-RcptTo", message.get("To", ""))).split(",")],
                subject=str(message.get("Subject", "")),
                text_body=body.get_content() if body is not None else "",
            )
        )
    found.sort(key=lambda m: m.received_at, reverse=True)
    return found[:limit]


class DevMailbox:
    def __init__(self, directory: str) -> None:
        self._directory = Path(directory) if directory else None

    @property
    def enabled(self) -> bool:
        return self._directory is not None

    async def mails(self, limit: int) -> list[DevMail]:
        if self._directory is None:
            return []
        return await asyncio.to_thread(_read, self._directory, limit)
