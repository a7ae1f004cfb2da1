"""WTForms validators over the pure rule functions of domain/rulebook/rules.py.

A form and the pre-check call the same function, so they can never disagree. Each validator
raises the rule's own message, translated; the form macro puts the field's label in front of it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping

from wtforms import Field
from wtforms.validators import ValidationError

from domain.rulebook import rules
from domain.rulebook.precheck import Findings
from domain.support.i18n import Message
from i18n import gettext


def fold_to_ascii(value: str | None) -> str | None:
    """A number field as the bureau takes it (A4 v2): full-width digits and letters typed with a
    Chinese input method folded to ASCII (NFKC), spaces around trimmed."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


# What an applicant types in English for an ID without expiry; the bureau's word is 长期 (R-P-9).
NO_EXPIRY_WORDS = frozenset({"long-term", "long term", "longterm", "permanent", "no expiry"})


def fold_valid_until(value: str | None) -> str | None:
    """An ID's validity (证件有效期至) folded like a number (fold_to_ascii), and the English words
    for an ID without expiry written as the bureau's 长期."""
    folded = fold_to_ascii(value)
    if isinstance(folded, str) and " ".join(folded.lower().split()) in NO_EXPIRY_WORDS:
        return "长期"
    return folded


def trim(value: str | None) -> str | None:
    """A free text (a remark) without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


def fold_id_number(value: str | None) -> str | None:
    """An ID number folded to ASCII and upper-cased (a final x is X, R-ID-3)."""
    folded = fold_to_ascii(value)
    return folded.upper() if isinstance(folded, str) else folded


def translated(message: str) -> str:
    """Translate a message that a pure domain function marked with N_()."""
    return gettext(message)


class Rule:
    """Run `check(field.data, *extra(form))`; a returned Message becomes the validation error.

    `extra` reads what else the rule needs from the form (the subject's kind, say).
    Empty input is left to InputRequired, so a blank optional field is not judged.
    """

    def __init__(self, check: Callable[..., Message | None], extra: Callable = lambda form: ()):
        self.check = check
        self.extra = extra

    def __call__(self, form, field) -> None:
        if field.data in (None, ""):
            return
        message = self.check(field.data, *self.extra(form))
        if message is not None:
            raise ValidationError(message.render(gettext))


def Mobile() -> Rule:  # noqa: N802
    """R-PH-1 on a mobile number field."""
    return Rule(rules.check_mobile)


def Email() -> Rule:  # noqa: N802
    """R-EM-1 on an e-mail field."""
    return Rule(rules.check_email)


def attach_findings(findings: Findings, fields: Mapping[str, Field]) -> None:
    """Show the pre-check's findings on the form: a breach as its field's error, a warning beside
    the field (`field.warnings`, not blocking). `fields` maps an A2 path to its form field; a path
    the form does not show is left to the confirmation page. An empty field that already has its
    error ("必填") gets no rule breach beside it: one error for one empty field."""
    for breach in findings.breaches:
        field = fields.get(breach.field)
        if field is None or (field.errors and _is_empty(field.data)):
            continue
        text = breach.message.render(gettext)
        if text not in field.errors:
            field.errors = [*field.errors, text]
    for warning in findings.warnings:
        field = fields.get(warning.field)
        text = warning.message.render(gettext)
        if field is not None and text not in getattr(field, "warnings", []):
            field.warnings = [*getattr(field, "warnings", []), text]


def _is_empty(value: object) -> bool:
    """Nothing typed or chosen: None, blank text, an empty list."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == [] or value == ()
