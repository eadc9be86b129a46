"""The developer outbox reads the sink's Maildir on disk: empty before the first mail, then the
mails newest first with their text."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

from tenfour_notifications.adapters.devmailbox import DevMailbox


async def test_reads_an_empty_then_a_filled_maildir(tmp_path: Path) -> None:
    box = DevMailbox(str(tmp_path / "mailbox"))
    assert await box.mails(10) == []
    (tmp_path / "mailbox").mkdir()
    assert await box.mails(10) == []  # the folder exists, the Maildir not yet
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "Tenfour: reminder"
    message.set_content("Your appointment starts soon.")
    for sub in ("tmp", "new", "cur"):  # as the sink lays it out
        (tmp_path / "mailbox" / sub).mkdir()
    mailbox.Maildir(tmp_path / "mailbox", create=False).add(message)
    (mail,) = await box.mails(10)
    assert (mail.subject, mail.rcpt_to, mail.text_body.strip()) == (
        "Tenfour: reminder",
        ["b@example.org"],
        "Your appointment starts soon.",
    )
