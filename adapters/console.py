"""The development senders: SMS and e-mail written to the log (numbers and codes masked, never an
e-mail's body). The defaults: BEIAN_SMS_GATEWAY=log, and no BEIAN_SMTP_HOST."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from domain.policy import Policy
from domain.ports import Email, SmsMessage
from domain.support.masking import mask_phone

log = logging.getLogger(__name__)


class LogSmsGateway:
    """Writes SMS to the log, the number and any code masked (the default, for development)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> LogSmsGateway:
        """The log gateway needs no settings."""
        return cls()

    def send(self, message: SmsMessage) -> None:
        """Log the template key and the masked text."""
        log.info(
            "SMS to %s [%s]: %s", mask_phone(message.mobile), message.template, message.masked_text
        )


class LogEmailSender:
    """Writes e-mail to the log (the default when no SMTP host is set)."""

    def send(self, email: Email) -> None:
        """Log the recipient and the subject (never the body)."""
        log.info("e-mail to %s: %s", email.to, email.subject)
