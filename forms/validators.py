"""WTForms validators over the pure rule functions of domain/rules.py.

A form and the pre-check call the same function, so they can never disagree. Each validator
raises the rule's own message, translated; the form macro puts the field's label in front of it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext
from wtforms.validators import ValidationError

from domain import rules


def translated(message: str) -> str:
    """Translate a message that a pure domain function marked with N_()."""
    return gettext(message)


class Rule:
    """Run `check(field.data, *extra(form))`; a returned Message becomes the validation error.

    `extra` reads what else the rule needs from the form (the subject's kind, say).
    Empty input is left to InputRequired, so a blank optional field is not judged.
    """

    def __init__(
        self, check: Callable[..., rules.Message | None], extra: Callable = lambda form: ()
    ):
        self.check = check
        self.extra = extra

    def __call__(self, form, field) -> None:
        if field.data in (None, ""):
            return
        message = self.check(field.data, *self.extra(form))
        if message is not None:
            raise ValidationError(message.render(gettext))


def Uscc() -> Rule:  # noqa: N802 - reads like a WTForms validator class
    """R-ID-4 on a USCC field."""
    return Rule(rules.check_uscc)


def ResidentId() -> Rule:  # noqa: N802
    """R-ID-3 on a resident ID field."""
    return Rule(rules.check_resident_id)


def Mobile() -> Rule:  # noqa: N802
    """R-PH-1 on a mobile number field."""
    return Rule(rules.check_mobile)


def Email() -> Rule:  # noqa: N802
    """R-EM-1 on an e-mail field."""
    return Rule(rules.check_email)


def IcpSubjectNumber() -> Rule:  # noqa: N802
    """R-ID-1 on a subject filing number field."""
    return Rule(rules.check_icp_subject_number)


def DomainName() -> Rule:  # noqa: N802
    """R-D-5 and R-D-1 on a domain field (R-D-1 reads the suffix table of the database)."""

    def check(value: str) -> rules.Message | None:
        from domain import rule_tables

        tables = rule_tables.load()
        return rules.check_domain_form(value) or rules.check_domain_suffix(
            value, tables.approved_suffixes, tables.never_suffixes
        )

    return Rule(check)


def PublicIp() -> Rule:  # noqa: N802
    """R-IP-1 on an IP address field."""
    return Rule(rules.check_public_ip)


def WebsiteName(subject_kind: Callable[[object], str]) -> Rule:  # noqa: N802
    """R-N-1 and R-N-2 on a website name (the subject's kind read from the form by `subject_kind`)."""

    def check(value: str, kind: str) -> rules.Message | None:
        return rules.check_website_name_form(value) or rules.check_website_name_prefix(value, kind)

    return Rule(check, lambda form: (subject_kind(form),))
