"""WTForms validators over the pure rule functions of domain/rulebook/rules.py.

A form and the pre-check call the same function, so they can never disagree. Each validator
raises the rule's own message, translated; the form macro puts the field's label in front of it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext
from wtforms.validators import ValidationError

from domain.rulebook import rules
from domain.support.i18n import Message


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
