"""Email over SMTP with aiosmtplib: STARTTLS whenever the server offers it (or required)."""

from __future__ import annotations

import ssl
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate

import aiosmtplib

from tenfour_notifications.domain.records import EmailMessage
from tenfour_notifications.domain.retry import Attempt, Outcome

__all__ = ["SmtpSender"]


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        mail_from: str,
        username: str = "",
        password: str = "",
        starttls: str = "auto",
        timeout: float = 10.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._from = mail_from
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout
        self._tls = tls_context

    def mime(self, message: EmailMessage) -> MimeMessage:
        mime = MimeMessage()
        mime["From"] = self._from
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = formatdate(usegmt=True)
        mime["Message-ID"] = message.message_id
        mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to us
        mime.set_content(message.text)
        return mime

    async def send(self, message: EmailMessage) -> Attempt:
        # start_tls=None: aiosmtplib upgrades when the server advertises STARTTLS.
        start_tls = {"auto": None, "required": True, "off": False}[self._starttls]
        try:
            await aiosmtplib.send(
                self.mime(message),
                hostname=self._host,
                port=self._port,
                username=self._username or None,
                password=self._password or None,
                start_tls=start_tls,
                timeout=self._timeout,
                tls_context=self._tls,
            )
        except aiosmtplib.SMTPRecipientsRefused:
            return Attempt(Outcome.PERMANENT, "rejected")
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server will not take it; 4xx: try again later.
            return Attempt(
                Outcome.PERMANENT if exc.code >= 500 else Outcome.TRANSIENT,
                "rejected" if exc.code >= 500 else "unreachable",
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            return Attempt(Outcome.TRANSIENT, "unreachable")
        return Attempt(Outcome.DELIVERED)
