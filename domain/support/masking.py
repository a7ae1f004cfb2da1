"""Masking of identity and phone numbers for lists and logs (issue: PII rules)."""

from __future__ import annotations

import logging
import re

# An 18-character resident ID / USCC, or an 11-digit mainland mobile, inside free text.
_CERTIFICATE = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{6})[0-9A-Z]{8}([0-9A-Z]{4})(?![0-9A-Z])")
# A resident ID as typed, lower-case check character included (110105194912310021, …002x).
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
# A mainland mobile, also with +86 / 0086 / 86 in front and spaces or dashes inside.
_MOBILE = re.compile(r"(?<![\d+])((?:\+|00)?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
# A passport or Hong Kong/Macao/Taiwan permit: one or two capital letters and 7–10 digits (E12345678,
# EA1234567, H1234567890). A filing number (浙ICP备…) is no match: 备 stands between.
_PASSPORT = re.compile(r"(?<![0-9A-Za-z])([A-Z]{1,2})[0-9]{5,8}([0-9]{2})(?![0-9A-Za-z])")


def mask_certificate(number: str | None) -> str:
    """First 6 and last 4 characters shown, the rest starred: 330106********1234."""
    if not number:
        return ""
    if len(number) <= 10:
        return number[:2] + "*" * max(len(number) - 2, 0)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(number: str | None) -> str:
    """Mainland mobile with the middle four starred: 138****8000."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


_NUMBER_RUN = re.compile(r"\d{5,}")


def mask_filing_number(number: str | None) -> str | None:
    """An MIIT filing number with its serial starred but for 2 digits at each end, the province
    and a website's suffix kept: 浙ICP备2021000001号-1 → 浙ICP备20******01号-1."""
    if not number:
        return number
    return _NUMBER_RUN.sub(lambda m: m[0][:2] + "*" * (len(m[0]) - 4) + m[0][-2:], number, count=1)


def mask_text(text: str) -> str:
    """Mask every certificate number and mobile number found inside free text."""
    text = _CERTIFICATE.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    text = _RESIDENT_ID.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    text = _MOBILE.sub(lambda m: (m.group(1) or "") + m.group(2) + "****" + m.group(3), text)
    return _PASSPORT.sub(lambda m: m.group(1) + "******" + m.group(2), text)


class PiiLogFilter(logging.Filter):
    """A last line of defence: rewrites log records so that no full ID or phone reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            # A traceback can carry numbers too (an SQL error lists its parameters): the handler's
            # formatter uses exc_text when it is set, so the masked text is what gets written.
            record.exc_text = mask_text(_FORMATTER.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


_FORMATTER = logging.Formatter()
