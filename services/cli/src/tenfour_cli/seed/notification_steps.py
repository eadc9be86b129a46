"""The demo officer's email address, confirmed through the link in the mail as a person would:
under `make run` the embedded SMTP sink keeps the mail and the developer mailbox lists it, so the
officer's session reminders reach that mailbox (the web app's Outbox page)."""

from __future__ import annotations

import re
import time

from tenfour.notifications.v1 import notifications_pb2 as np
from tenfour_cli.exits import CliError
from tenfour_cli.seed.plumbing import SeederBase

EMAIL_OFFICER = "officer_pitman"
_LINK = re.compile(r"confirm-email\?token=([A-Za-z0-9_-]+)")
MAIL_WAIT_SECONDS = 20.0


class NotificationSteps(SeederBase):
    def _officer_email(self) -> None:
        done = self.state.setdefault("notifications", {})
        if done.get("email_confirmed"):
            return
        account = self._account(EMAIL_OFFICER)
        address = f"{account.username.replace('_', '.')}@example.org"
        token = self.token(EMAIL_OFFICER)
        stub = self.clients.notifications
        try:
            # Only where a developer mailbox catches the mail (make run): a real deployment's
            # demo officer gets no address that nobody can confirm.
            self._call(stub.ListDevMailbox, np.ListDevMailboxRequest(limit=1), token, "mailbox")
        except CliError as exc:
            if exc.status not in ("UNIMPLEMENTED", "UNAVAILABLE", "FAILED_PRECONDITION"):
                raise
            done["note"] = "no developer mailbox here: the demo officer has no email address"
            self._save()
            return
        self._call(stub.SetEmailAddress, np.SetEmailAddressRequest(address=address), token, "email address")
        link = self._confirmation_token(token, address)
        if link is None:
            self.skipped.append("skipped: the confirmation mail did not arrive in the developer mailbox")
            return
        self._call(
            stub.ConfirmEmailAddress, np.ConfirmEmailAddressRequest(token=link), "", "email confirmation"
        )
        done.update(email=address, email_confirmed=True, officer=EMAIL_OFFICER)
        self._save()

    def _confirmation_token(self, token: str, address: str) -> str | None:
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        while time.monotonic() < deadline:
            reply = self._call(
                self.clients.notifications.ListDevMailbox,
                np.ListDevMailboxRequest(limit=50),
                token,
                "mailbox",
            )
            for mail in reply.mails:
                found = _LINK.search(mail.text_body)
                if found and address in mail.rcpt_to:
                    return found.group(1)
            time.sleep(0.3)
        return None
