"""E-mail through an SMTP server (BEIAN_SMTP_HOST and friends), STARTTLS and login if set."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from domain.ports import Email, SendError


class SmtpEmailSender:
    """E-mail through an SMTP server, a text and an HTML part (multipart/alternative)."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        sender: str,
        tls: bool,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.sender, self.tls = sender, tls
        self.ssl_context = ssl_context or ssl.create_default_context()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpEmailSender:
        """From BEIAN_SMTP_HOST, _PORT, _USER, _PASSWORD, _SENDER, _STARTTLS and _CA_FILE."""
        context = ssl.create_default_context(cafile=config.get("SMTP_CA_FILE") or None)
        return cls(
            config["SMTP_HOST"], int(config.get("SMTP_PORT", 587)), config.get("SMTP_USER", ""),
            config.get("SMTP_PASSWORD", ""), config.get("SMTP_SENDER", "noreply@localhost"),
            bool(config.get("SMTP_STARTTLS", True)), context,
        )  # fmt: skip

    def send(self, email: Email) -> None:
        """Send a multipart/alternative message.

        :raises SendError: the server refused the recipient for good (a 5xx answer).
        """
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, email.to, email.subject
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype="html")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
                if self.tls:
                    smtp.starttls(context=self.ssl_context)
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise SendError(
                f"SMTP {codes[0] if codes else ''}", "recipient refused",
                permanent=all(code >= 500 for code in codes),
            ) from None  # fmt: skip
